import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ServiceProcessOptions {
  name: string;
  /** Entry file relative to the workspace root, e.g. `apps/auth-service/src/main.ts`. */
  entry: string;
  env: Record<string, string>;
  workspaceRoot: string;
  /** `inherit` prints to this terminal (npm start); a directory collects one log file each (tests). */
  output: 'inherit' | { logDir: string };
  /** URL answering 200 once the process can do its job. */
  readyUrl?: string;
}

/**
 * One service of the stack as a child process, run from its TypeScript source through
 * @swc-node/register (path aliases and decorator metadata included, no build step). It runs
 * in its own process group behind a watchdog on our stdin pipe, so it dies with its parent.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  exitCode: number | null = null;

  constructor(readonly options: ServiceProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const { options } = this;
    const env = {
      ...process.env,
      ...options.env,
      SWC_NODE_PROJECT: join(options.workspaceRoot, 'tsconfig.base.json'),
      // Exit when the parent's pipe closes (crash or Ctrl-C of the launcher).
      SIGNOFF_PARENT_WATCHDOG: '1',
    };
    const inherit = options.output === 'inherit';
    this.exitCode = null;
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', '-r', './tools/stack/parent-watchdog.js', options.entry], {
      cwd: options.workspaceRoot,
      env,
      detached: !inherit,
      stdio: ['pipe', inherit ? 'inherit' : 'pipe', inherit ? 'inherit' : 'pipe'],
    });
    if (!inherit) {
      const { logDir } = options.output as { logDir: string };
      mkdirSync(logDir, { recursive: true });
      this.log = createWriteStream(join(logDir, `${options.name}.log`), { flags: 'a' });
      this.child.stdout?.pipe(this.log, { end: false });
      this.child.stderr?.pipe(this.log, { end: false });
      this.child.unref();
    }
    const child = this.child;
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 0);
    });
    if (options.readyUrl) await this.waitUntilReady(options.readyUrl, timeoutMs);
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it lingers. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.signal('SIGTERM', graceMs);
    if (this.running) await this.signal('SIGKILL', 5_000);
    this.child?.stdin?.destroy();
    this.log?.end();
  }

  /** Sends a signal and returns at once, e.g. SIGTERM to watch a drain from outside; `exited()` waits for the end. */
  sendSignal(signal: NodeJS.Signals): void {
    const child = this.child;
    if (!child || !this.running || child.pid === undefined) throw new Error(`${this.options.name} is not running`);
    if (this.options.output === 'inherit') child.kill(signal);
    else process.kill(-child.pid, signal);
  }

  /** The exit code, once the process has exited (128 when a signal ended it). */
  exited(): Promise<number> {
    const child = this.child;
    if (!child || this.exitCode !== null) return Promise.resolve(this.exitCode ?? 0);
    return new Promise((resolve) => child.once('exit', () => resolve(this.exitCode ?? 0)));
  }

  /** A crash: SIGKILL, no shutdown hooks. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 5_000);
    this.child?.stdin?.destroy();
  }

  private async signal(signal: NodeJS.Signals, waitMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      if (this.options.output === 'inherit') child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }

  private async waitUntilReady(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== null) throw new Error(`${this.options.name} exited with code ${this.exitCode} while starting${this.logHint()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.options.name} not ready at ${url} within ${timeoutMs} ms${this.logHint()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private logHint(): string {
    return typeof this.options.output === 'object' ? ` (see ${join(this.options.output.logDir, `${this.options.name}.log`)})` : '';
  }
}
