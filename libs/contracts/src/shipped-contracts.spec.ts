/**
 * A shipped contract never changes. During a rolling upgrade old and new services read each
 * other's messages, so a v1 subject, event or RPC that loses, renames or retypes a field (or makes
 * one optional, or narrows a union) breaks whichever side still runs the old code.
 *
 * `libs/contracts/shipped-contracts.json` records every subject string and every field of every
 * RPC request and reply, event and notice, as `contract-shapes.ts` reads them from the sources.
 * The code must still have each recorded entry with the same type and optionality; it may add
 * subjects, contracts and fields. To change a shipped contract, add a `.v2` subject beside it.
 *
 * When the code has something the record has not, record it (this only adds to the file; it
 * never changes or removes a recorded entry, so a break cannot be recorded away):
 *
 *   npm run contracts:record
 *   (that is: UPDATE_SHIPPED_CONTRACTS=1 npx jest -c libs/contracts/jest.config.js shipped-contracts)
 *
 * Retiring a v1 once no running version uses it is a hand edit of the file, made in review.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { compareWithRecord, ContractShapes, describeContracts, formatRecord } from './testing/contract-shapes';

const RECORD = path.resolve(__dirname, '../shipped-contracts.json');
const RECORD_COMMAND = 'npm run contracts:record';
const EMPTY: ContractShapes = { registries: {}, rpc: {}, events: {}, notices: {} };

describe('shipped contracts', () => {
  const current = describeContracts();
  const record: ContractShapes = existsSync(RECORD) ? JSON.parse(readFileSync(RECORD, 'utf8')) : EMPTY;

  it('every recorded subject, contract and field is still in the code, with the same type', () => {
    const { breaks } = compareWithRecord(record, current);
    if (breaks.length) {
      throw new Error(
        `${breaks.length} shipped contract change(s): running services of the previous version would misread these messages.\n` +
          'Revert the change and add a new `.v2` subject (with its own payload) beside the shipped one instead.\n\n' +
          breaks.join('\n'),
      );
    }
  });

  it('the record knows every subject, contract and field of the code', () => {
    const { additions, merged } = compareWithRecord(record, current);
    if (!additions.length) return;
    if (process.env['UPDATE_SHIPPED_CONTRACTS']) {
      writeFileSync(RECORD, formatRecord(merged));
      return;
    }
    throw new Error(`${path.relative(process.cwd(), RECORD)} is behind the code; record the new entries with\n  ${RECORD_COMMAND}\n\n${additions.join('\n')}`);
  });

  describe('the checker', () => {
    const login = 'auth.login.v1';
    const started = 'security.session.started.v1';
    const breaksOf = (tamper: (record: ContractShapes) => void) => {
      // A record tampered the other way round stands for code changed this way.
      const tampered = structuredClone(current);
      tamper(tampered);
      return compareWithRecord(tampered, current).breaks;
    };

    it('finds nothing between the code and itself', () => {
      expect(compareWithRecord(current, current)).toEqual({ breaks: [], additions: [], merged: current });
    });

    it('catches a removed field', () => {
      expect(breaksOf((r) => (r.rpc[login]!.reply['refreshTokenExpiresAt'] = 'string'))).toEqual([
        `rpc › ${login} › reply › refreshTokenExpiresAt: gone (was string)`,
      ]);
    });

    it('catches a renamed field, nested too', () => {
      expect(
        breaksOf((r) => {
          r.events[started]!['device.label'] = r.events[started]!['device.name']!;
          delete r.events[started]!['device.name'];
        }),
      ).toEqual([`events › ${started} › device.label: gone (was string)`]);
    });

    it('catches a removed nested object once', () => {
      expect(
        breaksOf((r) => {
          const device = Object.entries(r.events[started]!).filter(([field]) => field.startsWith('device')).reverse();
          for (const [field, type] of device) r.events[started]![`place${field.slice('device'.length)}`] = type;
        }),
      ).toEqual([`events › ${started} › place: gone (was object)`]);
    });

    it('catches a retyped field', () => {
      expect(breaksOf((r) => (r.rpc[login]!.reply['expiresIn'] = 'string'))).toEqual([`rpc › ${login} › reply › expiresIn: was string, now number`]);
    });

    it('catches a narrowed union and a field made optional', () => {
      const reason = current.events['security.session.revoked.v1']!['reason']!;
      expect(
        breaksOf((r) => {
          r.events['security.session.revoked.v1']!['reason'] = `'expired_by_admin' | ${reason}`;
          r.rpc[login]!.request['otpCode'] = 'string';
        }),
      ).toEqual([`rpc › ${login} › request › otpCode: was string, now optional string`, `events › security.session.revoked.v1 › reason: was 'expired_by_admin' | ${reason}, now ${reason}`]);
    });

    it('catches a changed subject string and a removed subject', () => {
      expect(
        breaksOf((r) => {
          r.registries['RpcSubject']!['login'] = 'auth.sign-in.v1';
          r.registries['EventSubject']!['sessionEnded'] = 'security.session.ended.v1';
          r.events['security.session.ended.v1'] = { $: 'object', sessionId: 'string' };
        }),
      ).toEqual([
        `registries › RpcSubject › login: was auth.sign-in.v1, now ${login}`,
        'registries › EventSubject › sessionEnded: gone (was security.session.ended.v1)',
        'events › security.session.ended.v1: gone',
      ]);
    });

    it('lists additions and records them without touching a recorded entry', () => {
      const behind = structuredClone(current);
      delete behind.rpc[login]!.reply['accountId'];
      delete behind.notices['devices.activity.recorded.v1'];
      behind.rpc[login]!.reply['expiresIn'] = 'string';

      const { breaks, additions, merged } = compareWithRecord(behind, current);

      expect(additions).toEqual([`rpc › ${login} › reply › accountId`, 'notices › devices.activity.recorded.v1']);
      expect(breaks).toEqual([`rpc › ${login} › reply › expiresIn: was string, now number`]);
      expect(merged.rpc[login]!.reply).toEqual({ ...current.rpc[login]!.reply, expiresIn: 'string' });
      expect(merged.notices).toEqual(current.notices);
    });
  });

  describe('the describer', () => {
    it('expands nested objects and arrays, sorts unions and marks optional fields', () => {
      expect(current.events['security.session.started.v1']).toMatchObject({
        $: 'object',
        device: 'object',
        'device.type': "'browser' | 'computer' | 'console' | 'other' | 'phone' | 'streaming_stick' | 'tablet' | 'tv'",
        'device.os': 'optional string',
      });
      expect(current.rpc['devices.list.v1']!.reply).toMatchObject({
        devices: 'object[]',
        'devices[].location': 'object',
        'devices[].location.city': 'null | string',
        'devices[].lastProfileName': 'optional null | string',
        'devices[].current': 'boolean',
      });
      expect(current.notices['devices.activity.recorded.v1']).toMatchObject({ kind: "'active' | 'playback_started'" });
    });

    it('reads every subject of the registries', () => {
      expect(Object.keys(current.rpc).sort()).toEqual(Object.values(current.registries['RpcSubject']!).sort());
      expect(Object.keys(current.events).sort()).toEqual(Object.values(current.registries['EventSubject']!).sort());
      expect(Object.keys(current.notices).sort()).toEqual(Object.values(current.registries['NoticeSubject']!).sort());
    });
  });
});
