import { IsBoolean, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { loadConfig } from './load-config';

class SampleConfig {
  @IsInt()
  @Min(1)
  PORT = 8080;

  @IsBoolean()
  VERBOSE = false;

  @IsString()
  NAME = 'default';

  @IsOptional()
  @IsString()
  OPTIONAL: string | undefined = undefined;
}

describe('loadConfig', () => {
  it('keeps defaults for unset variables and parses set ones by the default’s type', () => {
    expect(loadConfig(SampleConfig, {})).toMatchObject({ PORT: 8080, VERBOSE: false, NAME: 'default', OPTIONAL: undefined });
    expect(loadConfig(SampleConfig, { PORT: '9090', VERBOSE: 'true', NAME: 'x', OPTIONAL: 'y' })).toMatchObject({
      PORT: 9090,
      VERBOSE: true,
      NAME: 'x',
      OPTIONAL: 'y',
    });
  });

  it('ignores variables the config does not declare', () => {
    expect(loadConfig(SampleConfig, { PATH: '/bin' })).not.toHaveProperty('PATH');
  });

  it('lists every invalid variable', () => {
    expect(() => loadConfig(SampleConfig, { PORT: 'eighty', VERBOSE: 'maybe' })).toThrow(/PORT[\s\S]*VERBOSE|VERBOSE[\s\S]*PORT/);
    expect(() => loadConfig(SampleConfig, { PORT: '0' })).toThrow(/PORT/);
  });
});
