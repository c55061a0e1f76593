/**
 * The device control channel, `WS /v1/connect`, as the gateway and libs/device-client both speak
 * it: JSON text frames, one message each, and the close codes that tell a device what to do next.
 * Devices in the field run old versions for years: a shipped message type or close code never
 * changes meaning; add new ones, and ignore the ones you do not know.
 */
export const DEVICE_CHANNEL = {
  path: '/v1/connect',
  /** Larger frames close the channel (1009). */
  maxMessageBytes: 4 * 1024,
} as const;

export const DeviceChannelClose = {
  /** After a logout directive: the session is over; never reconnect with it. */
  signedOut: { code: 4001, reason: 'signed out' },
  /** The gateway is shutting down (a drain): reconnect, to any gateway. */
  serviceRestart: { code: 1012, reason: 'gateway restarting' },
  /**
   * The same session (access token) opened more channels on this gateway than it may hold
   * (`WS_CHANNELS_PER_SESSION`, 4); the oldest are closed. Do not reconnect on your own: that would
   * close the newer channel in turn. The session is still signed in; reconnect when the app asks.
   */
  replaced: { code: 4002, reason: 'replaced by a newer connection' },
} as const;

export const DeviceChannelMessageType = {
  /** Gateway → device: signed out; acknowledge, purge downloads, forget the tokens. */
  logout: 'logout',
  /** Gateway → device: the answer to a `ping`. */
  pong: 'pong',
  /** Device → gateway: the logout directive was received (reported as `acknowledged`). */
  ack: 'ack',
  /** Device → gateway: a keep-alive for platforms whose WebSocket cannot send protocol pings. */
  ping: 'ping',
} as const;

export interface LogoutDirective {
  type: typeof DeviceChannelMessageType.logout;
  revocationId: string;
  /** Why, e.g. `sign_out_all`, `password_changed`; `signed_out` when the device was away. */
  reason: string;
  purgeDownloads: true;
}

export interface PongMessage {
  type: typeof DeviceChannelMessageType.pong;
}

export interface LogoutAck {
  type: typeof DeviceChannelMessageType.ack;
  revocationId: string;
}

export interface PingMessage {
  type: typeof DeviceChannelMessageType.ping;
}

/** What a gateway sends. */
export type GatewayChannelMessage = LogoutDirective | PongMessage;
/** What a device sends. */
export type DeviceChannelMessage = LogoutAck | PingMessage;

export function logoutDirective(revocationId: string, reason: string): LogoutDirective {
  return { type: DeviceChannelMessageType.logout, revocationId, reason, purgeDownloads: true };
}

export function logoutAck(revocationId: string): LogoutAck {
  return { type: DeviceChannelMessageType.ack, revocationId };
}

export const PONG: PongMessage = { type: DeviceChannelMessageType.pong };

/** Reads a frame from a gateway; `undefined` for anything else (unknown types are ignored, not errors). */
export function parseGatewayChannelMessage(raw: string): GatewayChannelMessage | undefined {
  const message = parseObject(raw);
  if (message?.type === DeviceChannelMessageType.logout && typeof message.revocationId === 'string') {
    return logoutDirective(message.revocationId, typeof message.reason === 'string' ? message.reason : 'signed_out');
  }
  if (message?.type === DeviceChannelMessageType.pong) return PONG;
  return undefined;
}

/** Reads a frame from a device; `undefined` for anything else. */
export function parseDeviceChannelMessage(raw: string): DeviceChannelMessage | undefined {
  const message = parseObject(raw);
  if (message?.type === DeviceChannelMessageType.ack && typeof message.revocationId === 'string') return logoutAck(message.revocationId);
  if (message?.type === DeviceChannelMessageType.ping) return { type: DeviceChannelMessageType.ping };
  return undefined;
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
