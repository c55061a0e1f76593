import { randomUUID } from 'node:crypto';
import { EventSubject, SessionRevokedV1 } from '@signoff/contracts';
import { OutboxRelay, OutboxWriter } from '@signoff/messaging';
import { TransactionContext } from '@signoff/persistence';
import { EntityManager } from 'typeorm';
import { strictMock } from '../testing/strict-mock';
import { UnitOfWork } from './unit-of-work';

describe('UnitOfWork', () => {
  let calls: string[];
  let uow: UnitOfWork;
  const event: SessionRevokedV1 = {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    revocationId: randomUUID(),
    accountId: randomUUID(),
    sessionIds: [randomUUID()],
    deviceIds: ['tv'],
    reason: 'logout',
  };

  beforeEach(() => {
    calls = [];
    const run = async <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => {
      calls.push('begin');
      try {
        const result = await work(strictMock<EntityManager>('manager', {}));
        calls.push('commit');
        return result;
      } catch (error) {
        calls.push('rollback');
        throw error;
      }
    };
    uow = new UnitOfWork(
      strictMock<TransactionContext>('tx', { run }),
      strictMock<OutboxWriter>('outbox', { add: async (subject) => void calls.push(`outbox ${subject}`) }),
      strictMock<OutboxRelay>('relay', { kick: () => void calls.push('kick') }),
    );
  });

  it('kicks the relay after the commit of a unit that wrote events', async () => {
    await expect(uow.run(async () => (await uow.emit(EventSubject.sessionRevoked, event), 'done'))).resolves.toBe('done');
    expect(calls).toEqual(['begin', `outbox ${EventSubject.sessionRevoked}`, 'commit', 'kick']);
  });

  it('does not kick for a unit without events', async () => {
    await uow.run(async () => undefined);
    expect(calls).toEqual(['begin', 'commit']);
  });

  it('does not kick when the unit rolls back', async () => {
    const failure = new Error('boom');
    await expect(
      uow.run(async () => {
        await uow.emit(EventSubject.sessionRevoked, event);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(calls).toEqual(['begin', `outbox ${EventSubject.sessionRevoked}`, 'rollback']);
  });

  it('joins an open unit instead of nesting a transaction, and kicks once', async () => {
    await uow.run(() => uow.run(() => uow.emit(EventSubject.sessionRevoked, event)));
    expect(calls).toEqual(['begin', `outbox ${EventSubject.sessionRevoked}`, 'commit', 'kick']);
  });

  it('refuses an event outside a unit', async () => {
    await expect(uow.emit(EventSubject.sessionRevoked, event)).rejects.toThrow(/outside a unit of work/);
    expect(calls).toEqual([]);
  });
});
