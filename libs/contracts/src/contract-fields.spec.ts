import { IsOptional, IsString } from 'class-validator';
import * as contracts from './index';
import { ContractClass, ContractField, describeContractFields, EVENT_CLASSES, LoginRequest, OptionalField } from './index';

/** Every class the contracts export whose instances arrive from outside a process: requests and events. */
const requestClasses = Object.entries(contracts).filter(
  ([name, value]) => typeof value === 'function' && (name.endsWith('Request') || name === 'DeviceDescriptor'),
) as Array<[string, ContractClass]>;
const eventClasses = Object.entries(EVENT_CLASSES) as Array<[string, ContractClass]>;

function flatten(fields: ContractField[], parent = ''): Array<ContractField & { path: string }> {
  return fields.flatMap((field) => {
    const path = parent ? `${parent}.${field.name}` : field.name;
    return [{ ...field, path }, ...(field.nested ? flatten(field.nested, path) : [])];
  });
}

describe('describeContractFields', () => {
  it('lists a contract’s fields, nested ones included, with what is required', () => {
    const fields = flatten(describeContractFields(LoginRequest)).map((f) => `${f.path}${f.required ? '' : '?'}`);
    expect(fields.sort()).toEqual(
      [
        'email',
        'password',
        'device',
        'device.id',
        'device.type',
        'device.name',
        'device.os?',
        'device.appVersion?',
        'otpCode?',
        'sessionLifetimeSeconds?',
        'ip?',
        'userAgent?',
      ].sort(),
    );
  });

  it('tells a field that lets null pass as absent (`@IsOptional()`) from one that does not', () => {
    class Probe {
      @IsOptional()
      @IsString()
      loose?: string;

      @OptionalField()
      @IsString()
      strict?: string;
    }
    expect(describeContractFields(Probe)).toEqual([
      { name: 'loose', required: false, nullPassesAsAbsent: true },
      { name: 'strict', required: false, nullPassesAsAbsent: false },
    ]);
  });

  it('finds the request contracts to check', () => {
    expect(requestClasses.length).toBeGreaterThan(30);
    expect(eventClasses.length).toBeGreaterThan(5);
  });

  // `@IsOptional()` lets null through to code that expects a value or nothing (input-rules.ts).
  it.each([...requestClasses, ...eventClasses])('%s: optional means absent (no field lets null pass as missing)', (_name, cls) => {
    expect(flatten(describeContractFields(cls)).filter((f) => f.nullPassesAsAbsent).map((f) => f.path)).toEqual([]);
  });
});
