import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  CreateProfileReply,
  CreateProfileRequest,
  DeleteProfileRequest,
  ListProfilesReply,
  ListProfilesRequest,
  PROFILE_POLICY,
  ProfileChangedReply,
  RenameProfileRequest,
  SelectProfileReply,
  SelectProfileRequest,
  SessionRef,
  SignoffError,
} from '@signoff/contracts';
import { TransactionContext } from '@signoff/persistence';
import { Account } from '../accounts/account.entity';
import { AccountStore } from '../accounts/account.store';
import { Profile } from '../accounts/profile.entity';
import { Session } from '../sessions/session.entity';
import { SessionStore } from '../sessions/session.store';
import { StepUpService } from '../step-up/step-up.service';
import { AccessTokenIssuer } from '../tokens/access-token-issuer';

/**
 * Viewer profiles: up to five per account, grown-up or kids. Changes take the account row lock,
 * so two creations racing for the fifth place (or for one name) cannot both win. A session
 * watching as a kids profile may not change profiles (the gateway refuses it too), and leaves a
 * kids profile for a grown-up one only with a step-up. Signing out never touches profiles.
 */
@Injectable()
export class ProfilesService {
  private readonly logger = new Logger(ProfilesService.name);

  constructor(
    private readonly tx: TransactionContext,
    private readonly accounts: AccountStore,
    private readonly sessions: SessionStore,
    private readonly stepUps: StepUpService,
    private readonly tokens: AccessTokenIssuer,
  ) {}

  async list(request: ListProfilesRequest): Promise<ListProfilesReply> {
    const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: false });
    const profiles = await this.accounts.profilesOf(session.accountId);
    return {
      profiles: profiles.map((p) => ({ profileId: p.id, name: p.name, kids: p.kids, createdAt: p.createdAt.toISOString() })),
      selectedProfileId: session.profileId,
    };
  }

  create(request: CreateProfileRequest): Promise<CreateProfileReply> {
    return this.tx.run(async () => {
      const { profiles } = await this.forChange(request);
      if (profiles.length >= PROFILE_POLICY.maxPerAccount) {
        throw new SignoffError('PROFILE_LIMIT_REACHED', `an account has at most ${PROFILE_POLICY.maxPerAccount} profiles; delete one first`);
      }
      const name = request.name.trim();
      assertNameFree(profiles, name);
      const profileId = randomUUID();
      await this.tx.repo(Profile).insert({ id: profileId, accountId: request.accountId, name, kids: request.kids ?? false, createdAt: new Date() });
      this.logger.log(`profile created accountId=${request.accountId} profileId=${profileId} kids=${request.kids ?? false}`);
      return { profileId };
    });
  }

  rename(request: RenameProfileRequest): Promise<ProfileChangedReply> {
    return this.tx.run(async () => {
      const { profiles } = await this.forChange(request);
      requireProfile(profiles, request.profileId);
      const name = request.name.trim();
      assertNameFree(
        profiles.filter((p) => p.id !== request.profileId),
        name,
      );
      await this.tx.repo(Profile).update({ id: request.profileId, accountId: request.accountId }, { name });
      return {};
    });
  }

  /**
   * Deletes a profile; sessions watching as it go back to "no profile selected" (their current
   * access tokens keep the old claim until they expire, at most one access-token lifetime). A
   * session that watched as a kids profile stays kids-restricted (`Session.kidsRestricted`):
   * its next token still says `kids: true`, until a step-up picks a grown-up profile.
   */
  delete(request: DeleteProfileRequest): Promise<ProfileChangedReply> {
    return this.tx.run(async () => {
      const { profiles } = await this.forChange(request);
      const doomed = requireProfile(profiles, request.profileId);
      if (!doomed.kids && profiles.filter((p) => !p.kids).length === 1) {
        throw new SignoffError('LAST_ADULT_PROFILE', 'an account keeps at least one grown-up profile');
      }
      await this.tx.repo(Session).update({ accountId: request.accountId, profileId: request.profileId }, { profileId: null });
      await this.tx.repo(Profile).delete({ id: request.profileId, accountId: request.accountId });
      this.logger.log(`profile deleted accountId=${request.accountId} profileId=${request.profileId}`);
      return {};
    });
  }

  select(request: SelectProfileRequest): Promise<SelectProfileReply> {
    return this.tx.run(async () => {
      const session = await this.sessions.requireLive(request.accountId, request.sessionId, { lock: true });
      const account = await this.accounts.findById(session.accountId);
      if (!account) throw new SignoffError('ACCOUNT_NOT_FOUND', 'the account no longer exists');
      const profiles = await this.accounts.profilesOf(account.id);
      const chosen = requireProfile(profiles, request.profileId);
      const current = profiles.find((p) => p.id === session.profileId);
      if ((current?.kids || session.kidsRestricted) && !chosen.kids) {
        const proven = request.reauthToken !== undefined && (await this.stepUps.consume(request.reauthToken, account.id, session.id, new Date()));
        if (!proven) throw new SignoffError('REAUTH_REQUIRED', 'leaving a kids profile for a grown-up one needs the account password (step-up)');
      }
      // Restricted from the moment a kids profile is picked until a step-up leaves it.
      await this.tx.repo(Session).update({ id: session.id }, { profileId: chosen.id, kidsRestricted: chosen.kids });
      const { accessToken, expiresIn } = await this.tokens.issue(
        { accountId: account.id, sessionId: session.id, deviceId: session.deviceId, epoch: account.epoch, plan: account.plan, profile: { profileId: chosen.id, kids: chosen.kids } },
        session.absoluteExpiresAt,
      );
      return { accessToken, expiresIn, sessionId: session.id, profileId: chosen.id, kids: chosen.kids };
    });
  }

  /** The caller's live session and the account's profiles, under the account lock; kids profiles may not change profiles. */
  private async forChange(ref: SessionRef): Promise<{ account: Account; profiles: Profile[] }> {
    const session = await this.sessions.requireLive(ref.accountId, ref.sessionId, { lock: false });
    const account = await this.accounts.lockById(session.accountId);
    if (!account) throw new SignoffError('ACCOUNT_NOT_FOUND', 'the account no longer exists');
    const profiles = await this.accounts.profilesOf(account.id);
    if (session.kidsRestricted || profiles.find((p) => p.id === session.profileId)?.kids) {
      throw new SignoffError('PROFILE_NOT_ALLOWED', 'a kids profile cannot change profiles');
    }
    return { account, profiles };
  }
}

function requireProfile(profiles: Profile[], profileId: string): Profile {
  const profile = profiles.find((p) => p.id === profileId);
  if (!profile) throw new SignoffError('PROFILE_NOT_FOUND', 'this account has no such profile');
  return profile;
}

function assertNameFree(profiles: Profile[], name: string): void {
  const wanted = name.toLocaleLowerCase();
  if (profiles.some((p) => p.name.toLocaleLowerCase() === wanted)) {
    throw new SignoffError('PROFILE_NAME_TAKEN', 'another profile of this account has this name');
  }
}
