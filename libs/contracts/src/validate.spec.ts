import { AccountEpochBumpedV1, parseEvent, parsePayload, SignoffError } from './index';

const valid = {
  eventId: '7d3c6a32-6d0e-4c55-9f44-2d52c7c0b1a1',
  occurredAt: '2026-11-21T12:00:00.000Z',
  revocationId: '0b0c6a32-6d0e-4c55-9f44-2d52c7c0b1a2',
  accountId: '1b0c6a32-6d0e-4c55-9f44-2d52c7c0b1a3',
  sessionIds: ['2b0c6a32-6d0e-4c55-9f44-2d52c7c0b1a4'],
  deviceIds: ['tv-1'],
  reason: 'sign_out_all',
  epoch: 2,
};

describe('parsePayload', () => {
  it('accepts a well-formed event and returns an instance', () => {
    const event = parsePayload(AccountEpochBumpedV1, valid);
    expect(event).toBeInstanceOf(AccountEpochBumpedV1);
    expect(event.epoch).toBe(2);
  });

  it.each([
    ['unknown field', { ...valid, extra: 1 }, 'extra'],
    ['wrong type', { ...valid, epoch: 'two' }, 'epoch'],
    ['bad reason', { ...valid, reason: 'because' }, 'reason'],
    ['bad uuid in list', { ...valid, sessionIds: ['nope'] }, 'sessionIds'],
  ])('rejects %s with VALIDATION_FAILED naming the field', (_name, payload, field) => {
    try {
      parsePayload(AccountEpochBumpedV1, payload);
      throw new Error('expected rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(SignoffError);
      expect((error as SignoffError).code).toBe('VALIDATION_FAILED');
      expect((error as SignoffError).details.fields).toContain(field);
    }
  });

  it('rejects non-objects', () => {
    expect(() => parsePayload(AccountEpochBumpedV1, [valid])).toThrow(SignoffError);
    expect(() => parsePayload(AccountEpochBumpedV1, null)).toThrow(SignoffError);
  });

  it('round-trips an error across the wire by code', () => {
    const original = new SignoffError('SESSION_REVOKED', 'gone', { logout: { revocationId: 'r', purgeDownloads: true } });
    const copy = SignoffError.fromWire(JSON.parse(JSON.stringify(original.toWire())));
    expect(copy?.code).toBe('SESSION_REVOKED');
    expect(copy?.status).toBe(401);
    expect(copy?.details.logout?.revocationId).toBe('r');
    expect(SignoffError.fromWire({ code: 'NOT_A_CODE' })).toBeUndefined();
  });
});

describe('parsePayload with a class that has no fields', () => {
  class Empty {}

  it('accepts {} and refuses any property', () => {
    expect(parsePayload(Empty, {})).toBeInstanceOf(Empty);
    expect(() => parsePayload(Empty, { anything: 1 })).toThrow(SignoffError);
  });
});

describe('parseEvent (tolerant of fields a newer producer added)', () => {
  it('accepts unknown fields and drops them', () => {
    const event = parseEvent(AccountEpochBumpedV1, { ...valid, addedInV1_1: { nested: true }, region: 'eu' });
    expect(event.epoch).toBe(2);
    expect(event).not.toHaveProperty('addedInV1_1');
    expect(event).not.toHaveProperty('region');
  });

  it('still validates the fields it knows', () => {
    expect(() => parseEvent(AccountEpochBumpedV1, { ...valid, epoch: 'two', extra: 1 })).toThrow(SignoffError);
    expect(() => parseEvent(AccountEpochBumpedV1, { ...valid, sessionIds: undefined })).toThrow(SignoffError);
  });
});
