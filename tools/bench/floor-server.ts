/**
 * The floor: the least a process can do to hold device sockets and drop them on a NATS
 * message. No Nest, no auth, no registry, no outbox, no JetStream — a `ws` server keeping
 * sockets by account and a core NATS subscription. The benchmark runs two of these with the
 * same devices as the gateways, so "p99 / floor p99" says what the real system costs on top
 * of the unavoidable work on this very machine, at this very moment.
 *
 * Env: FLOOR_PORT, FLOOR_SUBJECT (e.g. `<ns>.floor.revoke`), NATS_URL. Prints `ready` on
 * stdout once it listens and is subscribed; exits when its parent's stdin pipe closes.
 */
import { DeviceChannelClose } from '@signoff/contracts';
import { connect } from 'nats';
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.FLOOR_PORT);
const subject = process.env.FLOOR_SUBJECT ?? '';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
if (!Number.isInteger(port) || port <= 0 || !subject) {
  process.stderr.write('floor-server: FLOOR_PORT and FLOOR_SUBJECT are required\n');
  process.exit(2);
}

const byAccount = new Map<string, Set<WebSocket>>();

async function main(): Promise<void> {
  // Same socket settings as the gateway: no compression, small messages, no client tracking.
  const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 4 * 1024, clientTracking: false, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  wss.on('connection', (socket, request) => {
    const query = new URL(request.url ?? '/', 'http://floor').searchParams;
    const accountId = query.get('account');
    if (!accountId || !query.get('device')) return socket.close(4400, 'account and device required');
    let set = byAccount.get(accountId);
    if (!set) byAccount.set(accountId, (set = new Set()));
    set.add(socket);
    // Devices acknowledge the directive; the floor reads and drops it.
    socket.on('message', () => undefined);
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      const current = byAccount.get(accountId);
      current?.delete(socket);
      if (current?.size === 0) byAccount.delete(accountId);
    });
  });

  const nc = await connect({ servers: natsUrl, name: `floor-${port}` });
  nc.subscribe(subject, {
    callback: (error, message) => {
      if (error) return;
      let revoke: { accountId?: unknown; revocationId?: unknown };
      try {
        revoke = JSON.parse(message.string()) as typeof revoke;
      } catch {
        return;
      }
      if (typeof revoke.accountId !== 'string' || typeof revoke.revocationId !== 'string') return;
      const sockets = byAccount.get(revoke.accountId);
      if (!sockets) return;
      byAccount.delete(revoke.accountId);
      const directive = JSON.stringify({ type: 'logout', revocationId: revoke.revocationId, reason: 'sign_out_all', purgeDownloads: true });
      for (const socket of sockets) {
        socket.send(directive);
        socket.close(DeviceChannelClose.signedOut.code, DeviceChannelClose.signedOut.reason);
      }
    },
  });
  // The subscription is registered on the server once a round trip has completed.
  await nc.flush();
  process.stdout.write('ready\n');

  const stop = (): void => {
    void nc.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Watchdog: our parent holds our stdin; when it goes away, so do we.
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`floor-server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
