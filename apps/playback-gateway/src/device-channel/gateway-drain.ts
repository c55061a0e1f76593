import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Readiness } from '@signoff/service-kit';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DeviceChannelServer } from './device-channel.server';

/** Left, at the end of a drain, for closing NATS, Redis and the rest once the HTTP server has stopped. */
export const CLOSE_RESERVE_MS = 3_000;

export interface DrainPlan {
  /** How long the 1012s are spread over (and the listener kept open). */
  windowMs: number;
  /** Epoch ms by which the process must be gone: requests still running `CLOSE_RESERVE_MS` before are cut. */
  deadline: number;
}

/**
 * A gateway's way out. At once: not ready (so a load balancer stops routing here) and no new
 * device channels (503). Then the devices held here are told to reconnect elsewhere (1012),
 * spread over the window, while the listener stays open for requests routed here meanwhile
 * (each answered with `Connection: close`). Then the listener closes and requests in flight
 * finish, cut only near the deadline. Nest's own shutdown (NATS, Redis) comes after.
 */
@Injectable()
export class GatewayDrain {
  private readonly logger = new Logger(GatewayDrain.name);
  private running?: Promise<void>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly channel: DeviceChannelServer,
    readiness: Readiness,
  ) {
    readiness.register({ name: 'accepting', check: () => !this.running });
  }

  get draining(): boolean {
    return this.running !== undefined;
  }

  /** Starts the drain (once; later calls join it) and resolves when the HTTP server has stopped. */
  drain(plan: DrainPlan): Promise<void> {
    this.running ??= this.run(plan);
    return this.running;
  }

  private async run(plan: DrainPlan): Promise<void> {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => response.setHeader('Connection', 'close'));
    this.logger.log(`draining: ${this.channel.connectedDevices} device(s) told to reconnect elsewhere over ${plan.windowMs} ms`);
    await this.channel.reconnectAllElsewhere(plan.windowMs);
    const cut = await stopListening(server, plan.deadline - CLOSE_RESERVE_MS - Date.now());
    this.logger.log(cut > 0 ? `drained; ${cut} connection(s) still busy at the deadline were cut` : 'drained');
  }
}

/** How often connections whose request has finished are closed while the listener stops. */
const IDLE_SWEEP_MS = 50;

/**
 * Closes the listener and each connection as soon as it is idle: requests in flight finish, but
 * their keep-alive connections do not linger. Whatever is still open after `graceMs` is cut.
 * @returns how many connections were cut.
 */
async function stopListening(server: Server, graceMs: number): Promise<number> {
  const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([closed, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, graceMs))))]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (inTime) return 0;
  const open = await new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));
  server.closeAllConnections();
  return open;
}
