import { LoggerModule } from 'nestjs-pino';
import { DynamicModule } from '@nestjs/common';

/**
 * Structured JSON logs (pino). Credentials never reach a log line: authorization headers,
 * cookies and any field named like a secret are redacted.
 */
export function loggingModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      name: service,
      autoLogging: false,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-reauth-token"]', '*.password', '*.refreshToken', '*.accessToken'],
        censor: '[redacted]',
      },
    },
  });
}
