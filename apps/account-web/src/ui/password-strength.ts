/**
 * The hint under a new password: a nudge towards length, not a rule. The API asks for the
 * length limits only; this never blocks a password the API would take. Pure: tested in
 * password-strength.spec.ts.
 */

export type StrengthLevel = 'empty' | 'too-short' | 'too-long' | 'weak' | 'fair' | 'strong';

export interface StrengthHint {
  level: StrengthLevel;
  text: string;
}

export interface LengthLimits {
  min: number;
  max: number;
}

/** Kinds of character present: lower case, upper case, digits, anything else (spaces, symbols). */
function characterKinds(password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((kind) => kind.test(password)).length;
}

/** "aaaaaaaaaa", "abababab", "12121212": long, yet made of two or three characters. */
function fewDistinct(password: string): boolean {
  return new Set(password).size < 5;
}

export function passwordStrength(password: string, limits: LengthLimits): StrengthHint {
  // UTF-16 units, as the API's length check counts them.
  const length = password.length;
  if (length === 0) return { level: 'empty', text: `At least ${limits.min} characters. A few unrelated words make a strong password that is easy to remember.` };
  if (length < limits.min) {
    const missing = limits.min - length;
    return { level: 'too-short', text: `Too short: ${missing} more character${missing === 1 ? '' : 's'} needed.` };
  }
  if (length > limits.max) return { level: 'too-long', text: `Too long: at most ${limits.max} characters.` };
  if (fewDistinct(password)) return { level: 'weak', text: 'Weak: the same few characters repeated are easy to guess.' };
  const kinds = characterKinds(password);
  if (length >= 16 || (length >= 12 && kinds >= 3)) return { level: 'strong', text: 'Strong.' };
  if (length >= 12 || kinds >= 3) return { level: 'fair', text: 'Fair. Longer is stronger: try 16 characters, or a few unrelated words.' };
  return { level: 'weak', text: 'Weak: easy to guess. Make it longer, or use a few unrelated words.' };
}
