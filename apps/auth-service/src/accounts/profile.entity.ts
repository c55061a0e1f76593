import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A viewer profile of an account; every account starts with one grown-up profile, "Main". */
@Entity({ name: 'profiles' })
export class Profile {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  accountId!: string;

  @Column('text')
  name!: string;

  @Column('boolean', { default: false })
  kids!: boolean;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;
}
