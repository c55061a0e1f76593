import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';

/** A contract class (abstract ones too: events share abstract bases). */
export type ContractClass = abstract new (...args: never[]) => object;

/** One field of a contract class, as its class-validator metadata declares it. */
export interface ContractField {
  name: string;
  /** False when the field may be absent (`@OptionalField()`, or any other condition). */
  required: boolean;
  /** A nested contract's own fields (`@NestedObject()`). */
  nested?: ContractField[];
  /** `@IsOptional()` is on it: `null` would skip its rules (refused on request contracts). */
  nullPassesAsAbsent: boolean;
}

/**
 * The fields of a contract class (inherited ones and those of mapped types included), read from
 * class-validator's metadata: what API descriptions and the hostile-input tests enumerate.
 */
export function describeContractFields(contract: ContractClass): ContractField[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(contract, '', true, false);
  const byName = new Map<string, typeof metadata>();
  for (const entry of metadata) {
    const name = String(entry.propertyName);
    byName.set(name, [...(byName.get(name) ?? []), entry]);
  }
  return [...byName.entries()].map(([name, entries]) => {
    const field: ContractField = {
      name,
      required: !entries.some((e) => e.type === ValidationTypes.CONDITIONAL_VALIDATION),
      nullPassesAsAbsent: entries.some((e) => e.name === IS_OPTIONAL),
    };
    const nested = entries.find((e) => e.type === ValidationTypes.NESTED_VALIDATION)?.context?.['nestedContract'] as (() => ContractClass) | undefined;
    if (nested) field.nested = describeContractFields(nested());
    return field;
  });
}
