import { DOWNLOAD_POLICY } from '@signoff/contracts';
import { ApiError, SignedOutEvent } from '@signoff/device-client';
import { expectEventually } from '@signoff/testing';
import { http, TestStack } from './support/test-stack';

const BASIC_LIMIT = DOWNLOAD_POLICY.perDevice.basic;

/**
 * Downloads: licences per device under the plan's limit (parallel downloads cannot exceed it),
 * renewing a title takes no second place; signing a device out revokes its licences and the
 * device client deletes its files — live through the control channel, or on reconnect when it
 * was offline.
 */
describe('downloads (two gateways)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  const codeOf = (error: unknown) => (error instanceof ApiError ? `${error.status} ${error.code}` : String(error));

  it(`holds the basic plan's ${BASIC_LIMIT} downloads per device, renewals and deletions included, and lists them`, async () => {
    const holder = await stack.signUp('basic');
    const tablet = stack.device(0, { id: 'tablet', type: 'tablet', name: 'Tablet' });
    await tablet.signIn(holder.email, holder.password);
    const licences = [];
    for (let i = 0; i < BASIC_LIMIT; i++) licences.push(await tablet.download(`title-${i}`));
    await expect(tablet.download('one-too-many').catch(codeOf)).resolves.toBe('409 DOWNLOAD_LIMIT_REACHED');
    // Downloading a title again renews its licence in place.
    const renewed = await tablet.download('title-0');
    expect(renewed.licenceId).toBe(licences[0].licenceId);
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThanOrEqual(Date.parse(licences[0].expiresAt));
    expect(Date.parse(renewed.expiresAt) - Date.now()).toBeGreaterThan((DOWNLOAD_POLICY.licenceDays - 1) * 86_400_000);

    const listed = await tablet.request<{ licences: Array<{ titleId: string }> }>('GET', '/v1/downloads');
    expect(listed.licences.map((l) => l.titleId).sort()).toEqual(licences.map((l) => l.titleId).sort());
    await tablet.deleteDownload(licences[1].licenceId);
    await expect(tablet.download('now-there-is-room')).resolves.toMatchObject({ titleId: 'now-there-is-room' });
    await expect(tablet.deleteDownload(licences[1].licenceId).catch(codeOf)).resolves.toBe('404 DOWNLOAD_NOT_FOUND');
    const bad = await http(stack.gateway(0), 'POST', '/v1/downloads', { token: tablet.tokens!.accessToken, body: { titleId: '<script>' } });
    expect({ status: bad.status, code: bad.body.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('lets exactly the limit of parallel downloads through, across both gateways', async () => {
    const holder = await stack.signUp('basic');
    const phone = stack.device(0, { id: 'phone', type: 'phone', name: 'Phone' });
    await phone.signIn(holder.email, holder.password);
    const token = phone.tokens!.accessToken;
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => http(stack.gateway(i % 2), 'POST', '/v1/downloads', { token, body: { titleId: `parallel-${i}` } })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(BASIC_LIMIT);
    expect(answers.filter((a) => a.status === 409 && a.body.error.code === 'DOWNLOAD_LIMIT_REACHED')).toHaveLength(12 - BASIC_LIMIT);
  });

  it('revokes a signed-out device’s licences and the device client deletes its downloads, online or on reconnect', async () => {
    const { holder, tv, phone } = await stack.tvAndPhone({ tv: 0, phone: 1 });
    const laptop = stack.device(1, { id: 'laptop', type: 'computer', name: 'Laptop' });
    await laptop.signIn(holder.email, holder.password);
    let tvPurged = 0;
    let laptopPurged = 0;
    tv.on('signed-out', () => void tvPurged++);
    laptop.on('signed-out', () => void laptopPurged++);
    for (const title of ['film-a', 'film-b']) await tv.download(title);
    await laptop.download('film-c');
    await phone.download('film-d');
    expect(tv.localDownloads()).toHaveLength(2);

    // The laptop goes offline; the TV stays connected. Sign out of all devices but this phone.
    const tvOut = new Promise<SignedOutEvent>((resolve) => tv.once('signed-out', resolve));
    const { revocationId } = await phone.signOutEverywhere(holder.password, false);
    expect((await tvOut).revocationId).toBe(revocationId);
    expect(tv.localDownloads()).toEqual([]);
    expect(tvPurged).toBe(1);

    // The registry shows what the sign-out removed, device by device.
    await expectEventually(async () => {
      const tvLicences = await phone.request<{ licences: Array<{ revokedAt: string | null; revokedReason: string | null }> }>('GET', '/v1/devices/tv/downloads');
      expect(tvLicences.licences).toHaveLength(2);
      for (const licence of tvLicences.licences) expect(licence).toMatchObject({ revokedAt: expect.any(String), revokedReason: 'sign_out_all' });
    });
    // The phone kept its own.
    expect((await phone.request<{ licences: unknown[] }>('GET', '/v1/downloads')).licences).toHaveLength(1);

    // The laptop comes back: its refresh carries the logout directive; it deletes its download.
    expect(laptop.localDownloads()).toHaveLength(1);
    await expect(laptop.refresh().catch(codeOf)).resolves.toBe('401 SESSION_REVOKED');
    expect(laptop.localDownloads()).toEqual([]);
    expect(laptopPurged).toBe(1);
    const laptopLicences = await phone.request<{ licences: Array<{ revokedReason: string | null }> }>('GET', '/v1/devices/laptop/downloads');
    expect(laptopLicences.licences).toEqual([expect.objectContaining({ revokedReason: 'sign_out_all' })]);
  });
});
