import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, StreamInfo } from 'nats';
import { ChildServer } from './child-servers';
import { freePort } from './free-port';

const CLUSTER_NAME = 'signoff-test';

/** What `/jsz` says about the JetStream meta group (the Raft group that places streams). */
interface MetaCluster {
  leader?: string;
  replicas?: Array<{ name: string; current: boolean; offline?: boolean }>;
}

/** One node of a test cluster: its own ports, config file and store folder, which survive a kill. */
export class NatsClusterNode {
  private readonly server: ChildServer;
  private running = false;

  constructor(
    readonly serverName: string,
    readonly clientPort: number,
    readonly clusterPort: number,
    readonly httpPort: number,
    configFile: string,
    readonly storeDir: string,
  ) {
    this.server = new ChildServer(serverName, clientPort, 'nats-server', ['-c', configFile], `nats://127.0.0.1:${clientPort}`);
  }

  get url(): string {
    return this.server.url;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.server.start();
    this.running = true;
  }

  /** SIGKILL: a crash, nothing flushed. */
  async kill(): Promise<void> {
    await this.server.kill();
    this.running = false;
  }

  /** The broker loses its disk: only while it is stopped, so no process writes into the folder meanwhile. */
  wipeStore(): void {
    if (this.running) throw new Error(`${this.serverName} is running: kill it before wiping its store`);
    rmSync(this.storeDir, { recursive: true, force: true });
  }

  /** What this node's monitoring endpoint says about the meta group, or undefined while it does not answer. */
  async metaCluster(): Promise<MetaCluster | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.httpPort}/jsz`, { signal: AbortSignal.timeout(1_000) });
      if (!response.ok) return undefined;
      return ((await response.json()) as { meta_cluster?: MetaCluster }).meta_cluster;
    } catch {
      return undefined;
    }
  }
}

/**
 * Three (or more) `nats-server` processes with cluster routes to each other and JetStream, each
 * with its own store folder, on free ports: what a fleet runs. Nodes can be killed, restarted on
 * the same ports and store, or restarted with an empty store.
 */
export class NatsCluster {
  private constructor(
    readonly nodes: NatsClusterNode[],
    private readonly dir: string,
  ) {}

  /** Every node's client URL, comma-separated (what `NATS_URL` takes). */
  get url(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  static async start(options: { nodes?: number; timeoutMs?: number } = {}): Promise<NatsCluster> {
    const count = options.nodes ?? 3;
    const dir = mkdtempSync(join(tmpdir(), 'signoff-nats-cluster-'));
    const ports = await distinctFreePorts(count * 3);
    const nodes = Array.from({ length: count }, (_, i) => {
      const [clientPort, clusterPort, httpPort] = ports.slice(i * 3, i * 3 + 3);
      const name = `n${i + 1}`;
      const nodeDir = join(dir, name);
      mkdirSync(nodeDir);
      const storeDir = join(nodeDir, 'store');
      const routes = ports.filter((_, j) => j % 3 === 1 && j !== i * 3 + 1).map((p) => `nats-route://127.0.0.1:${p}`);
      const configFile = join(nodeDir, 'nats.conf');
      writeFileSync(
        configFile,
        [
          `server_name: ${name}`,
          `listen: 127.0.0.1:${clientPort}`,
          `http: 127.0.0.1:${httpPort}`,
          `jetstream { store_dir: "${storeDir}" }`,
          `cluster {`,
          `  name: ${CLUSTER_NAME}`,
          `  listen: 127.0.0.1:${clusterPort}`,
          `  routes: [${routes.join(', ')}]`,
          `}`,
          '',
        ].join('\n'),
      );
      return new NatsClusterNode(name, clientPort, clusterPort, httpPort, configFile, storeDir);
    });
    const cluster = new NatsCluster(nodes, dir);
    try {
      await Promise.all(nodes.map((n) => n.start()));
      await cluster.waitForMetaLeader(options.timeoutMs ?? 20_000);
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  node(serverName: string): NatsClusterNode {
    const node = this.nodes.find((n) => n.serverName === serverName);
    if (!node) throw new Error(`no node named ${serverName} in this cluster`);
    return node;
  }

  /**
   * Waits until every running node names the same JetStream meta leader and sees every other
   * running node as a current peer: the cluster can place and serve streams again.
   */
  async waitForMetaLeader(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      const running = this.nodes.filter((n) => n.isRunning);
      const metas = await Promise.all(running.map((n) => n.metaCluster()));
      const leaders = new Set(metas.map((m) => m?.leader ?? ''));
      const [leader] = leaders;
      if (leaders.size === 1 && leader) {
        // Only the leader lists the peers.
        const peers = metas[running.findIndex((n) => n.serverName === leader)]?.replicas ?? [];
        const lagging = running.filter((n) => n.serverName !== leader && !peers.some((r) => r.name === n.serverName && r.current && !r.offline));
        if (lagging.length === 0) return leader;
        last = `leader ${leader}, not current: ${lagging.map((n) => n.serverName).join(', ')}`;
      } else {
        last = `leaders seen: ${[...leaders].map((l) => l || '(none)').join(', ')}`;
      }
      if (Date.now() > deadline) throw new Error(`JetStream meta group not settled within ${timeoutMs} ms (${last})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The stream's info as the cluster reports it now (asked through any running node). */
  async streamInfo(stream: string): Promise<StreamInfo> {
    const nc = await connect({ servers: this.nodes.filter((n) => n.isRunning).map((n) => n.url), timeout: 2_000 });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 2_000 });
      return await jsm.streams.info(stream);
    } finally {
      await nc.close();
    }
  }

  /** The node that leads the stream now (its Raft group leader), waiting up to `timeoutMs` for one to be elected. */
  async streamLeader(stream: string, timeoutMs = 10_000): Promise<NatsClusterNode> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = await this.streamInfo(stream).then(
        (info) => info.cluster?.leader,
        () => undefined,
      );
      if (leader) return this.node(leader);
      if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Waits until the stream has `replicas` replicas with a leader and every follower current
   * (caught up with the leader); returns the info that showed it.
   */
  async waitForStreamCurrent(stream: string, replicas: number, timeoutMs = 20_000): Promise<StreamInfo> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      try {
        const info = await this.streamInfo(stream);
        const followers = info.cluster?.replicas ?? [];
        if (info.config.num_replicas === replicas && info.cluster?.leader && followers.length === replicas - 1 && followers.every((r) => r.current && !r.offline)) {
          return info;
        }
        last = `R${info.config.num_replicas}, leader ${info.cluster?.leader ?? '(none)'}, followers ${JSON.stringify(followers.map((r) => ({ name: r.name, current: r.current, offline: r.offline })))}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`stream ${stream} not at ${replicas} current replicas within ${timeoutMs} ms (${last})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function startNatsCluster(options: { nodes?: number; timeoutMs?: number } = {}): Promise<NatsCluster> {
  return NatsCluster.start(options);
}

/** `freePort` closes its probe before returning, so asking many times in a row may repeat a port. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
