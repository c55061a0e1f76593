import type { Request } from 'express';

/**
 * The caller's address as Express sees it: the socket's peer, or the `X-Forwarded-For` hop
 * Express picked when the gateway is told to trust the proxy it came through. IPv4-mapped IPv6
 * addresses are written as plain IPv4, so one client has one spelling in throttle keys and mails.
 */
export function clientAddress(request: Request): string | undefined {
  const ip = request.ip ?? request.socket.remoteAddress;
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
