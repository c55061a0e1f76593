import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  DEVICE_CHANNEL,
  DeviceChannelClose,
  DeviceChannelMessageType,
  ERROR_STATUS,
  ErrorEnvelope,
  logoutDirective,
  parseDeviceChannelMessage,
  PONG,
  Principal,
  SignoffError,
} from '@signoff/contracts';
import { AccessTokenVerifier } from '@signoff/token-verification';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { bearerToken } from '../auth/bearer-token';
import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../infrastructure/tokens';
import { AppliedRevocation, RevocationFeed } from '../security-events/revocation-feed.service';
import { ConnectionRegistry } from './connection-registry';
import { DeviceConnection } from './device-connection';
import { PresenceService } from './presence.service';
import { ProgressReporter } from './progress-reporter.service';

const PONG_FRAME = JSON.stringify(PONG);
/** How long a device gets to answer a 1012 close before its socket is dropped. */
const CLOSE_HANDSHAKE_MS = 2_000;
/** How often a spread-out drain tells the next devices to reconnect. */
const DRAIN_TICK_MS = 25;

/**
 * The device control channel `WS /v1/connect`. The upgrade is authenticated before the 101
 * (a bad token gets a 401 with the usual error body, never an open socket). A device whose
 * session was revoked while it was away is let in only to be told: logout directive, close 4001,
 * recorded as signed out on reconnect. On every live revocation this gateway sends the
 * directive to each affected device it holds, closes with 4001 and reports `cut`. A session
 * holds at most WS_CHANNELS_PER_SESSION channels here; a newer one closes the oldest (4002). When the
 * gateway drains (GatewayDrain), it refuses new channels and tells its devices to reconnect
 * elsewhere (1012).
 */
@Injectable()
export class DeviceChannelServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeviceChannelServer.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: DEVICE_CHANNEL.maxMessageBytes, clientTracking: false });
  private readonly allowedOrigins: Set<string>;
  private pingTimer?: NodeJS.Timeout;
  private accepting = true;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: AccessTokenVerifier,
    private readonly feed: RevocationFeed,
    private readonly connections: ConnectionRegistry,
    private readonly presence: PresenceService,
    private readonly progress: ProgressReporter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.allowedOrigins = new Set(config.ALLOWED_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean));
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(request, socket, head));
    this.feed.onRevocation((revocation) => this.cut(revocation));
    this.pingTimer = setInterval(() => this.pingAll(), this.config.WS_PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /**
   * Whatever a drain left (or all, when the app is closed without one): 1012 at once, so the HTTP
   * server can stop; then the progress reports of the last cuts go out while NATS and Redis are
   * still open (the platform closes them in the next phase).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.reconnectAllElsewhere(0);
    await this.progress.stop();
  }

  /** From now on, new channels are refused (503) and channels still being opened are closed with 1012. */
  stopAccepting(): void {
    this.accepting = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
  }

  /**
   * Tells every device held here to reconnect elsewhere (close 1012), the k-th of n at k·windowMs/n
   * so the other replicas are not all hit at once, and resolves once every channel has closed.
   * A revocation arriving meanwhile still cuts the devices not told yet.
   */
  async reconnectAllElsewhere(windowMs: number): Promise<void> {
    this.stopAccepting();
    const all = this.connections.all();
    const closed: Array<Promise<void>> = [];
    const startedAt = Date.now();
    for (let told = 0; told < all.length; ) {
      const due = windowMs > 0 ? Math.min(all.length, Math.floor(((Date.now() - startedAt) * all.length) / windowMs) + 1) : all.length;
      closed.push(...this.sendElsewhere(all.slice(told, due)));
      told = due;
      if (told < all.length) await new Promise((resolve) => setTimeout(resolve, DRAIN_TICK_MS));
    }
    await Promise.all(closed);
  }

  get connectedDevices(): number {
    return this.connections.size;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0];
    if (path !== DEVICE_CHANNEL.path) return reject(socket, new SignoffError('ROUTE_NOT_FOUND', `no WebSocket endpoint at ${path}`));
    if (!this.accepting) return reject(socket, new SignoffError('DEPENDENCY_UNAVAILABLE', 'this gateway is shutting down; connect to another'));
    const origin = request.headers.origin;
    if (origin && !this.allowedOrigins.has(origin)) {
      return reject(socket, new SignoffError('TOKEN_INVALID', 'cross-site WebSocket connections are not allowed'), 403);
    }
    let principal: Principal;
    try {
      const token = bearerToken(request.headers.authorization);
      principal = this.verifier.cached(token) ?? (await this.verifier.verify(token));
    } catch (error) {
      return reject(socket, asSignoffError(error));
    }
    if (!this.feed.isCurrent()) {
      return reject(socket, new SignoffError('REVOCATION_VIEW_STALE', 'sign-in state cannot be confirmed right now; try again shortly'));
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, principal));
  }

  private accept(socket: WebSocket, principal: Principal): void {
    const connection: DeviceConnection = { socket, principal, connectedAt: Date.now(), alive: true };
    socket.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    socket.on('pong', () => (connection.alive = true));
    socket.on('close', () => this.release(connection));
    socket.on('error', () => socket.terminate());
    // Checked after the upgrade too: a revocation may have arrived while we were verifying.
    const revokedBy = this.feed.view.revocationFor(principal);
    if (revokedBy) {
      // Never registered: nothing to release.
      this.sendLogout(connection, revokedBy, 'signed_out');
      this.progress.loggedOutOnReconnect({ revocationId: revokedBy, ...ids(principal) }, 'websocket');
      return;
    }
    if (!this.accepting) {
      socket.close(DeviceChannelClose.serviceRestart.code, DeviceChannelClose.serviceRestart.reason);
      return;
    }
    this.connections.add(connection);
    this.presence.mark(principal.accountId, principal.deviceId);
    this.replaceOldest(principal.sessionId);
  }

  /**
   * One session (access token) holds at most WS_CHANNELS_PER_SESSION channels here: beyond that
   * the oldest are closed with 4002, so a device reconnecting (its old socket perhaps not noticed
   * dead yet) always gets in, and a stolen token cannot hold hundreds of sockets. Per gateway.
   */
  private replaceOldest(sessionId: string): void {
    const held = this.connections.ofSession(sessionId);
    const excess = held.length - this.config.WS_CHANNELS_PER_SESSION;
    if (excess <= 0) return;
    for (const connection of this.releaseAll(held.slice(0, excess))) {
      void closedOrDropped(connection.socket);
      connection.socket.close(DeviceChannelClose.replaced.code, DeviceChannelClose.replaced.reason);
    }
    this.logger.log(`session ${sessionId} opened more than ${this.config.WS_CHANNELS_PER_SESSION} channels here: closed the oldest ${excess}`);
  }

  /** Sockets first (the latency that matters), bookkeeping (presence, progress) after. */
  private cut(revocation: AppliedRevocation): void {
    const cut: DeviceConnection[] = [];
    for (const connection of this.connections.ofAccount(revocation.accountId)) {
      const revokedBy = this.feed.view.revocationFor(connection.principal);
      if (!revokedBy) continue;
      this.sendLogout(connection, revokedBy, revocation.reason);
      cut.push(connection);
    }
    if (cut.length === 0) return;
    this.releaseAll(cut);
    for (const connection of cut) {
      this.progress.cut({ revocationId: connection.loggedOutBy as string, ...ids(connection.principal) });
    }
    this.logger.debug(`revocation ${revocation.revocationId}: cut ${cut.length} device(s)`);
  }

  private sendLogout(connection: DeviceConnection, revocationId: string, reason: string): void {
    connection.loggedOutBy = revocationId;
    connection.socket.send(JSON.stringify(logoutDirective(revocationId, reason)));
    connection.socket.close(DeviceChannelClose.signedOut.code, DeviceChannelClose.signedOut.reason);
  }

  /** Released first: a revocation arriving after this finds the device on the gateway it moves to, or at its reconnect. */
  private sendElsewhere(connections: DeviceConnection[]): Array<Promise<void>> {
    return this.releaseAll(connections).map((connection) => {
      const closed = closedOrDropped(connection.socket);
      connection.socket.close(DeviceChannelClose.serviceRestart.code, DeviceChannelClose.serviceRestart.reason);
      return closed;
    });
  }

  private onMessage(connection: DeviceConnection, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    const message = parseDeviceChannelMessage(data.toString());
    if (message?.type === DeviceChannelMessageType.ack) {
      if (connection.loggedOutBy && message.revocationId === connection.loggedOutBy && !connection.acknowledged) {
        connection.acknowledged = true;
        this.progress.acknowledged({ revocationId: connection.loggedOutBy, ...ids(connection.principal) });
      }
    } else if (message?.type === DeviceChannelMessageType.ping) {
      connection.socket.send(PONG_FRAME);
    }
  }

  private release(connection: DeviceConnection): void {
    this.releaseAll([connection]);
  }

  /**
   * Forgets the connections and clears the presence of devices this gateway no longer holds.
   * @returns those that were still registered.
   */
  private releaseAll(connections: DeviceConnection[]): DeviceConnection[] {
    const released: DeviceConnection[] = [];
    const gone: Array<{ accountId: string; deviceId: string }> = [];
    for (const connection of connections) {
      if (!this.connections.remove(connection)) continue;
      released.push(connection);
      const { accountId, deviceId } = connection.principal;
      if (!this.connections.holdsDevice(accountId, deviceId)) gone.push({ accountId, deviceId });
    }
    this.presence.clearMany(gone);
    return released;
  }

  private pingAll(): void {
    for (const connection of this.connections.all()) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}

function ids(principal: Principal): { accountId: string; deviceId: string; sessionId: string } {
  return { accountId: principal.accountId, deviceId: principal.deviceId, sessionId: principal.sessionId };
}

/** Resolves when the socket has closed; one that does not finish the close handshake in time is dropped. */
function closedOrDropped(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function asSignoffError(error: unknown): SignoffError {
  return error instanceof SignoffError ? error : new SignoffError('TOKEN_INVALID', 'the access token is not valid');
}

/** Answers the upgrade request with a plain HTTP error (before any 101) and closes. */
function reject(socket: Duplex, error: SignoffError, status = ERROR_STATUS[error.code]): void {
  const body: ErrorEnvelope = { error: { code: error.code, message: error.message } };
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n` +
      'Content-Type: application/json\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}
