import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One floor server (`floor-server.ts`) as a child process: same launcher as the services
 * (node + @swc-node/register from source), its own process group, a stdin-pipe watchdog, and
 * its stderr in the run's log directory.
 */
export class FloorServer {
  private exitCode: number | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal ? 128 : 0)));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('floor server has no pid');
    return this.child.pid;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  static async start(options: { workspaceRoot: string; name: string; port: number; subject: string; natsUrl: string; logDir: string }): Promise<FloorServer> {
    mkdirSync(options.logDir, { recursive: true });
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tools/bench/floor-server.ts'], {
      cwd: options.workspaceRoot,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(options.workspaceRoot, 'tsconfig.base.json'),
        FLOOR_PORT: String(options.port),
        FLOOR_SUBJECT: options.subject,
        NATS_URL: options.natsUrl,
      },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const server = new FloorServer(child, options.port);
    const log = createWriteStream(join(options.logDir, `${options.name}.log`), { flags: 'a' });
    child.stderr?.pipe(log);
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`${options.name} not ready within 30 s`)), 30_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${options.name} exited with ${code} while starting (see ${join(options.logDir, `${options.name}.log`)})`));
        });
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** SIGTERM to its group, SIGKILL if it lingers past 3 s. */
  async stop(): Promise<void> {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (this.exitCode !== null || this.child.pid === undefined) break;
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 3_000)))]);
      clearTimeout(timer);
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
  }
}
