import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One issued refresh token, stored as its SHA-256 only. Rotation supersedes it. */
@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  sessionId!: string;

  @Column('text')
  tokenHash!: string;

  @Column('timestamptz')
  createdAt!: Date;

  /** Set when the token was exchanged; presenting it again is reuse (RFC 9700 §4.14.2). */
  @Column('timestamptz', { nullable: true })
  supersededAt!: Date | null;
}
