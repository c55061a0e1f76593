import { IsInt, IsString, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import {
  assertInputRules,
  DeviceDescriptor,
  findInputProblems,
  INPUT_LIMITS,
  LoginRequest,
  NestedObject,
  OptionalField,
  parseEvent,
  parsePayload,
  SessionStartedV1,
  SignoffError,
  textProblem,
  withoutForbiddenText,
} from './index';

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function failure(run: () => unknown): SignoffError {
  try {
    run();
  } catch (error) {
    if (error instanceof SignoffError) return error;
    throw error;
  }
  throw new Error('expected a SignoffError');
}

describe('text rules', () => {
  it.each([
    ['NUL', 'a\u0000b', 'control character'],
    ['tab', 'a\tb', 'control character'],
    ['line feed', 'a\nb', 'control character'],
    ['DEL', 'a\u007fb', 'control character'],
    ['a C1 control (NEL)', 'a\u0085b', 'control character'],
    ['a lone high surrogate', 'a\uD800b', 'lone surrogate'],
    ['a lone low surrogate at the end', 'ab\uDC00', 'lone surrogate'],
    ['surrogates the wrong way round', '\uDE00\uD83D', 'lone surrogate'],
  ])('refuses %s', (_name, value, problem) => {
    expect(textProblem(value)).toBe(problem);
  });

  it.each([
    ['plain text', 'Living room TV'],
    ['accents and scripts', 'Télé de Zoë, 居間のテレビ'],
    ['emoji (surrogate pairs) and a ZWJ sequence', 'Family 👨‍👩‍👧 TV 📺'],
    ['spaces', '  spaced  out  '],
    ['the empty string', ''],
  ])('accepts %s', (_name, value) => {
    expect(textProblem(value)).toBeUndefined();
  });

  it('removes what breaks them, for informational values', () => {
    expect(withoutForbiddenText('Mozilla\u0085/5.0\t(X11)\uD800')).toBe('Mozilla/5.0(X11)');
  });
});

describe('findInputProblems', () => {
  const check = { maxDepth: 4, text: true };

  it('names every offending string by its path, in document order', () => {
    const problems = findInputProblems({ email: 'a\u0000', device: { name: 'ok', os: '\uD800' }, list: ['x', 'y\n'] }, check);
    expect(problems).toEqual([
      { path: 'email', problem: 'control character' },
      { path: 'device.os', problem: 'lone surrogate' },
      { path: 'list.1', problem: 'control character' },
    ]);
  });

  it('counts the value itself as level 1 and refuses deeper nesting', () => {
    expect(findInputProblems(deep(4), check)).toEqual([]);
    expect(findInputProblems(deep(5), check)).toEqual([{ path: 'a.a.a.a', problem: 'nested too deeply' }]);
    expect(findInputProblems([[[[[]]]]], check)).toEqual([{ path: '0.0.0.0', problem: 'nested too deeply' }]);
  });

  it('walks a value nested a hundred thousand levels deep without recursion', () => {
    const value = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(findInputProblems(value, { maxDepth: INPUT_LIMITS.jsonMaxDepth, text: true })).toHaveLength(1);
  });

  it('leaves strings alone when told to (events)', () => {
    expect(findInputProblems({ name: 'a\u0000' }, { maxDepth: 4, text: false })).toEqual([]);
  });

  it('stops after the limit', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, '\u0000']));
    expect(findInputProblems(many, check, 3)).toHaveLength(3);
  });

  it('ignores numbers, booleans and null', () => {
    expect(findInputProblems({ a: 1, b: true, c: null, d: [1.5, false] }, check)).toEqual([]);
  });
});

describe('assertInputRules', () => {
  it('throws VALIDATION_FAILED naming the fields and why', () => {
    const error = failure(() => assertInputRules({ email: 'x\u0000', device: { name: '\uDC00' } }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.fields).toEqual(['email', 'device.name']);
    expect(error.message).toBe('invalid fields: email (control character), device.name (lone surrogate)');
  });

  it('says how deep is too deep, with a short path', () => {
    const error = failure(() => assertInputRules(deep(500)));
    expect(error.message).toContain(`nested deeper than ${INPUT_LIMITS.jsonMaxDepth} levels`);
    expect(error.details.fields![0]!.length).toBeLessThanOrEqual(81);
  });
});

describe('OptionalField', () => {
  class Probe {
    @OptionalField()
    @IsString()
    note?: string;

    @OptionalField()
    @IsInt()
    count?: number;
  }
  const errorsOf = (plain: object) => validateSync(plainToInstance(Probe, plain)).map((e) => e.property);

  it('lets an absent field through', () => {
    expect(errorsOf({})).toEqual([]);
  });

  it('refuses null: optional means absent, not null', () => {
    expect(errorsOf({ note: null, count: null })).toEqual(['note', 'count']);
  });

  it('still applies the rules to a present value', () => {
    expect(errorsOf({ note: 'fine', count: 3 })).toEqual([]);
    expect(errorsOf({ note: 3, count: 'x' })).toEqual(['note', 'count']);
  });
});

describe('NestedObject', () => {
  class Inner {
    @IsString()
    name!: string;
  }
  class Outer {
    @NestedObject(() => Inner)
    inner!: Inner;
  }
  const errorsOf = (plain: object) => validateSync(plainToInstance(Outer, plain)).map((e) => e.property);

  it.each([
    ['missing', {}],
    ['null', { inner: null }],
    ['an empty array', { inner: [] }],
    ['an array of valid objects', { inner: [{ name: 'x' }] }],
    ['a string', { inner: 'tv' }],
    ['a number', { inner: 7 }],
  ])('refuses %s', (_name, plain) => {
    expect(errorsOf(plain)).toEqual(['inner']);
  });

  it('validates the nested object against its class', () => {
    expect(errorsOf({ inner: { name: 'x' } })).toEqual([]);
    const [error] = validateSync(plainToInstance(Outer, { inner: { name: 5 } }));
    expect(error?.children?.map((c) => c.property)).toEqual(['name']);
  });
});

describe('request contracts (parsePayload) keep the rules', () => {
  const device = { id: 'tv', type: 'tv', name: 'TV' };
  const login = { email: 'viewer@example.test', password: 'long-enough-pw', device };
  const fieldsOf = (payload: unknown) => failure(() => parsePayload(LoginRequest, payload)).details.fields;

  it('accepts a valid sign-in', () => {
    expect(parsePayload(LoginRequest, login).device).toBeInstanceOf(DeviceDescriptor);
  });

  it.each([
    ['no device', { ...login, device: undefined }, ['device']],
    ['device: []', { ...login, device: [] }, ['device']],
    ['device: "tv"', { ...login, device: 'tv' }, ['device']],
    ['otpCode: null', { ...login, otpCode: null }, ['otpCode']],
    ['device.os: null', { ...login, device: { ...device, os: null } }, ['device.os']],
    ['a NUL in the email', { ...login, email: 'viewer\u0000@example.test' }, ['email']],
    ['a NUL in the device name', { ...login, device: { ...device, name: 'T\u0000V' } }, ['device.name']],
    ['a NUL in the OS', { ...login, device: { ...device, os: 'tvOS\u0000' } }, ['device.os']],
    ['a NUL in the app version', { ...login, device: { ...device, appVersion: '1.0\u0000' } }, ['device.appVersion']],
    ['a lone surrogate in the email', { ...login, email: '\uD800@example.test' }, ['email']],
    ['a newline in the password', { ...login, password: 'long-enough\npw' }, ['password']],
  ])('refuses %s with VALIDATION_FAILED naming the field', (_name, payload, fields) => {
    expect(fieldsOf(payload)).toEqual(fields);
  });

  it('refuses a payload nested thousands of levels deep before class-transformer walks it', () => {
    expect(failure(() => parsePayload(LoginRequest, { ...login, device: deep(5_000) })).code).toBe('VALIDATION_FAILED');
  });
});

describe('events (parseEvent) are read as their producer wrote them', () => {
  const started = {
    eventId: '7d3c6a32-6d0e-4c55-9f44-2d52c7c0b1a1',
    occurredAt: '2026-11-21T12:00:00.000Z',
    accountId: '1b0c6a32-6d0e-4c55-9f44-2d52c7c0b1a3',
    sessionId: '2b0c6a32-6d0e-4c55-9f44-2d52c7c0b1a4',
    device: { id: 'tv', type: 'tv', name: 'Living\troom' },
  };

  it('keeps a device name recorded before the text rules', () => {
    expect(parseEvent(SessionStartedV1, started).device.name).toBe('Living\troom');
  });

  it('reads null as absent (an older producer passed `os: null` through)', () => {
    const event = parseEvent(SessionStartedV1, { ...started, device: { ...started.device, os: null }, profileId: null });
    expect(event.device.os).toBeUndefined();
    expect(event.profileId).toBeUndefined();
  });

  it('still refuses a required field that is null, and any depth bomb', () => {
    expect(() => parseEvent(SessionStartedV1, { ...started, device: null })).toThrow(SignoffError);
    expect(() => parseEvent(SessionStartedV1, { ...started, extra: deep(100) })).toThrow(SignoffError);
  });

  it('keeps a `__proto__` key a plain (dropped) field', () => {
    const payload = JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(started).slice(1)}`) as object;
    const event = parseEvent(SessionStartedV1, payload);
    expect((event as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
