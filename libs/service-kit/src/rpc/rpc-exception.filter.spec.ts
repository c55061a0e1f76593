import { SignoffError } from '@signoff/contracts';
import { toWireError } from './rpc-exception.filter';

/** What the pg driver (through TypeORM's QueryFailedError) throws for a refused value. */
function queryFailed(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: 'QueryFailedError', driverError: { code } });
}

describe('toWireError', () => {
  it('passes a SignoffError on as it is', () => {
    expect(toWireError(new SignoffError('DEVICE_NOT_FOUND', 'no such device'))).toEqual({ code: 'DEVICE_NOT_FOUND', message: 'no such device', details: {} });
  });

  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22001', 'value too long for type character varying(100)'],
    ['22P02', 'invalid input syntax for type uuid: "x"'],
    ['23514', 'new row for relation "sessions" violates check constraint'],
  ])('maps a value the database refuses (SQLSTATE %s) to VALIDATION_FAILED, without its message', (code, message) => {
    const wire = toWireError(queryFailed(code, message));
    expect(wire.code).toBe('VALIDATION_FAILED');
    expect(wire.message).not.toContain(message);
  });

  it('keeps outages and everything else apart', () => {
    expect(toWireError(queryFailed('57P01', 'terminating connection due to administrator command')).code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(toWireError(queryFailed('23505', 'duplicate key value violates unique constraint')).code).toBe('INTERNAL_ERROR');
    expect(toWireError(new TypeError("Cannot read properties of undefined (reading 'id')")).code).toBe('INTERNAL_ERROR');
  });
});
