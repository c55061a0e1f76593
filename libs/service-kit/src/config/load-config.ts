import { validateSync } from 'class-validator';

/**
 * Builds a typed, validated config object from the environment. Called once at start; a bad
 * variable stops the process with every problem listed, instead of failing later at first use.
 * This is the one place that reads `process.env`.
 *
 * Every setting is a field with an initial value (use `= undefined` for optional ones): the
 * initial value's type says how the variable is parsed (number, boolean or string), so parsing
 * does not depend on decorator metadata, which not every compiler emits for inferred types.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const config = new cls();
  const fields = config as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    const current = fields[key];
    fields[key] = typeof current === 'number' ? (/^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw) : typeof current === 'boolean' ? parseBoolean(raw) : raw;
  }
  const errors = validateSync(config);
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`invalid configuration for ${cls.name}:\n${lines.join('\n')}`);
  }
  return config;
}

function parseBoolean(raw: string): boolean | string {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return raw;
}
