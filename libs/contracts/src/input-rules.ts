import { Type } from 'class-transformer';
import { IsObject, ValidateIf, ValidateNested } from 'class-validator';
import { INPUT_LIMITS } from './domain';
import { SignoffError } from './errors';

/**
 * Rules every request obeys before its contract class is looked at (docs/security.md, "Hostile
 * input"). They are checked on the whole plain value at each edge (the gateway's validation pipe
 * for bodies, queries and path parameters; `parsePayload` for RPC requests), not by a decorator
 * on each field, so a field added tomorrow cannot forget them:
 *
 * - objects and arrays nest at most `INPUT_LIMITS.jsonMaxDepth` levels (a request is at most a
 *   body with a nested contract or two; thousands of levels only exhaust a recursive walker);
 * - strings are well-formed UTF-16 (no lone surrogate: it has no UTF-8 form, so Postgres and
 *   JSON columns refuse it, and two different passwords would hash alike) and contain no control
 *   character (C0, DEL, C1: `\p{Cc}`). No request field is multi-line text: names, addresses,
 *   identifiers, tokens, codes and passwords are single-line, so tab, CR and LF are refused too.
 *   A multi-line field would need an exemption here, decided when it is added.
 */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\p{Cs}]/u;

export interface InputProblem {
  /** Where, as a field path (`device.name`, `items.0`); `(body)` for the value itself. */
  path: string;
  problem: 'nested too deeply' | 'control character' | 'lone surrogate';
}

export interface InputCheck {
  /** Deepest nesting allowed; the value itself is level 1 when it is an object or array. */
  maxDepth: number;
  /** Apply the text rules to every string (requests); events are read as their producer wrote them. */
  text: boolean;
}

export const REQUEST_INPUT: InputCheck = { maxDepth: INPUT_LIMITS.jsonMaxDepth, text: true };

/** Why a string breaks the text rules, or undefined when it keeps them. */
export function textProblem(value: string): InputProblem['problem'] | undefined {
  const found = FORBIDDEN_IN_TEXT.exec(value);
  if (!found) return undefined;
  return /\p{Cs}/u.test(found[0]) ? 'lone surrogate' : 'control character';
}

/** The same string with whatever breaks the text rules removed (for informational values such as a User-Agent). */
export function withoutForbiddenText(value: string): string {
  return value.replace(new RegExp(FORBIDDEN_IN_TEXT.source, 'gu'), '');
}

/**
 * Every problem of a plain (JSON-shaped) value, found by an iterative walk: no recursion, so a
 * value nested thousands of levels deep costs a loop, not the stack. Stops after `limit` problems.
 * Keys are not checked: contracts whitelist them, so an unknown key is refused by name anyway.
 */
export function findInputProblems(value: unknown, check: InputCheck, limit = 10): InputProblem[] {
  const problems: InputProblem[] = [];
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  for (let item = pending.pop(); item !== undefined && problems.length < limit; item = pending.pop()) {
    if (typeof item.value === 'string') {
      const problem = check.text ? textProblem(item.value) : undefined;
      if (problem) problems.push({ path: item.path || '(body)', problem });
      continue;
    }
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > check.maxDepth) {
      problems.push({ path: item.path || '(body)', problem: 'nested too deeply' });
      continue;
    }
    const entries: Array<[string, unknown]> = Array.isArray(item.value)
      ? item.value.map((element, index) => [String(index), element])
      : Object.entries(item.value);
    // Reversed onto the stack, so problems come out in document order.
    for (const [key, child] of entries.reverse()) pending.push({ value: child, path: item.path ? `${item.path}.${key}` : key, depth });
  }
  return problems;
}

/** Throws `VALIDATION_FAILED` naming each offending field, as a contract violation would. */
export function assertInputRules(value: unknown, check: InputCheck = REQUEST_INPUT): void {
  const problems = findInputProblems(value, check);
  if (problems.length === 0) return;
  const fields = [...new Set(problems.map((p) => shortPath(p.path)))];
  const reasons = problems.map((p) => `${shortPath(p.path)} (${p.problem === 'nested too deeply' ? `nested deeper than ${check.maxDepth} levels` : p.problem})`);
  throw new SignoffError('VALIDATION_FAILED', `invalid fields: ${[...new Set(reasons)].join(', ')}`, { fields });
}

/** A path through a deep value can be thousands of keys long: name where it starts. */
function shortPath(path: string): string {
  return path.length > 80 ? `${path.slice(0, 80)}…` : path;
}

/**
 * Optional means absent: the field may be left out, and when it is present (`null` included)
 * it must pass its rules. class-validator's `@IsOptional()` lets `null` through, which then
 * reaches code (`?? default`, SQL, `.length`) that expects a value or nothing; it is not used on
 * contracts (lint forbids it there).
 */
export function OptionalField(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/**
 * A required nested contract: present, an object (not an array, string or null) and valid
 * against its class. `@ValidateNested()` alone accepts a missing value and validates an array
 * element by element (an empty array passes), so the caller reached `device.id` of nothing.
 * The nested class travels in the metadata's context, for tools that describe contracts.
 */
export function NestedObject(contract: () => new () => object): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    IsObject({ message: `${String(property)} must be an object` })(target, property as string);
    ValidateNested({ context: { nestedContract: contract } })(target, property as string);
    Type(contract)(target, property as string);
  };
}
