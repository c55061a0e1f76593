import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A server of our own for fault tests (never the shared ones): started as a child process on
 * a free port, in its own process group, behind a shell watchdog that kills it when our stdin
 * pipe closes, so a crashed test run leaves nothing behind.
 */
export class ChildServer {
  private child?: ChildProcess;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly command: string,
    private readonly args: string[],
    readonly url: string,
    private readonly cleanupDir?: string,
  ) {}

  async start(): Promise<this> {
    const quoted = [this.command, ...this.args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        // Background jobs of a non-interactive shell read /dev/null, so the watchdog reads a copy (fd 3) of our pipe.
    const script = `exec 3<&0; ${quoted} </dev/null & pid=$!; trap 'kill -9 $pid 2>/dev/null' EXIT; (cat <&3 >/dev/null; kill -9 $pid 2>/dev/null) & wait $pid`;
    this.child = spawn('bash', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    // Neither the child nor its pipe keeps the test process alive; when it exits the pipe closes
    // and the watchdog kills the server.
    this.child.unref();
    (this.child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    await waitForPort(this.port, 10_000);
    return this;
  }

  /** Stops the server abruptly (SIGKILL to the whole group): a crash, not a shutdown. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
    await waitForPortClosed(this.port, 5_000);
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    await waitForPortClosed(this.port, 10_000);
  }

  /** Deletes the server's data folder (a lost disk); only while it is stopped. */
  wipeData(): void {
    if (this.child) throw new Error(`${this.name} is running: stop or kill it before wiping its data`);
    if (!this.cleanupDir) throw new Error(`${this.name} keeps no data folder`);
    rmSync(this.cleanupDir, { recursive: true, force: true });
    mkdirSync(this.cleanupDir, { recursive: true });
  }

  async dispose(): Promise<void> {
    await this.kill();
    if (this.cleanupDir) rmSync(this.cleanupDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, signal);
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
    child.stdin?.destroy();
    this.child = undefined;
  }
}

export async function startNatsServer(): Promise<ChildServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'signoff-nats-'));
  const server = new ChildServer('nats', port, 'nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], `nats://127.0.0.1:${port}`, dir);
  return server.start();
}

export async function startRedisServer(): Promise<ChildServer> {
  const port = await freePort();
  const server = new ChildServer('redis', port, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], `redis://127.0.0.1:${port}`);
  return server.start();
}

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** Waits until the killed server's port refuses connections (its sockets are gone). */
export async function waitForPortClosed(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await portOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await portOpen(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
