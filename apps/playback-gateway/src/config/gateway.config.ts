import { CommonConfig } from '@signoff/service-kit';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** The gateway's settings (on top of the shared ones); read once at start. */
export class GatewayConfig extends CommonConfig {
  @IsInt()
  @Min(0)
  @Max(65_535)
  HTTP_PORT = 8080;

  /** Names this replica in presence keys and progress reports; defaults to host and port. */
  @IsOptional()
  @IsString()
  GATEWAY_ID: string | undefined = undefined;

  /** Verified tokens remembered until expiry (≈1 KiB each): 50k covers a busy replica's ten-minute window. */
  @IsInt()
  @Min(1_000)
  VERIFIED_TOKEN_CACHE_SIZE = 50_000;

  /** Largest JSON body accepted, in bytes. */
  @IsInt()
  @Min(1_024)
  MAX_BODY_BYTES = 16 * 1024;

  /** Browser origins allowed to open the device WebSocket (comma-separated); devices send none. */
  @IsString()
  ALLOWED_ORIGINS = '';

  /** How often live connections are checked with a WebSocket ping. */
  @IsInt()
  @Min(1_000)
  WS_PING_INTERVAL_MS = 30_000;
}
