import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Builds a typed, validated config object from the environment. Called once at start; a bad
 * variable stops the process with every problem listed, instead of failing later at first use.
 * This is the one place that reads `process.env`.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(cls, present, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`invalid configuration for ${cls.name}:\n${lines.join('\n')}`);
  }
  return config;
}
