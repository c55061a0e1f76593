import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { Algorithm, hash, Options, verify } from '@node-rs/argon2';
import { AuthConfig } from '../config/auth.config';

/**
 * `Algorithm` is a `const enum` in the package's typings and an empty object at run time, so
 * under SWC (which does not inline const enums) `Algorithm.Argon2id` would be `undefined`.
 * The numeric value is part of the package's API (Argon2d 0, Argon2i 1, Argon2id 2).
 */
const ARGON2ID = 2 as Algorithm;

/**
 * argon2id hashing (OWASP: m ≥ 19 MiB, t ≥ 2, p = 1; the config refuses lower values).
 * Password length is capped by the request contracts before anything reaches here.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly options: Options;
  private dummyHash?: Promise<string>;

  constructor(config: AuthConfig) {
    this.options = {
      algorithm: ARGON2ID,
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_TIME_COST,
      parallelism: config.ARGON2_PARALLELISM,
    };
  }

  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  hash(password: string): Promise<string> {
    return hash(password, this.options);
  }

  /** False for a wrong password and for a stored hash that does not parse. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends what a real verification costs and answers false. Used when there is no account, so
   * "unknown email" and "wrong password" cannot be told apart by response time (ASVS 6.3.8).
   */
  async verifyWithoutAccount(password: string): Promise<false> {
    await this.verify(await this.dummy(), password);
    return false;
  }

  /** A hash of a random secret with the current parameters, made once per process. */
  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}
