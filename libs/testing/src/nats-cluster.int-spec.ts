import { existsSync } from 'node:fs';
import { connect, NatsConnection, StorageType } from 'nats';
import { NatsCluster, startNatsCluster } from './nats-cluster';

describe('startNatsCluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    nc = await connect({ servers: cluster.url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  }, 30_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.dispose();
  }, 15_000);

  it('forms a three-node cluster with one JetStream meta leader', async () => {
    expect(cluster.nodes.map((n) => n.serverName)).toEqual(['n1', 'n2', 'n3']);
    expect(cluster.url.split(',')).toHaveLength(3);
    const leader = await cluster.waitForMetaLeader(5_000);
    expect(['n1', 'n2', 'n3']).toContain(leader);
  });

  it('keeps an R3 stream writable when its leader is killed, and the node catches up when it returns', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'CLUSTER_SPEC', subjects: ['cluster-spec.>'], storage: StorageType.File, num_replicas: 3 });
    await cluster.waitForStreamCurrent('CLUSTER_SPEC', 3, 10_000);
    const js = nc.jetstream();
    for (let i = 0; i < 10; i++) await js.publish('cluster-spec.before', `${i}`);

    const leader = await cluster.streamLeader('CLUSTER_SPEC');
    await leader.kill();
    // A new leader is elected among the two left; publishes resume (retried while the election runs).
    const deadline = Date.now() + 10_000;
    let published = 0;
    while (published < 10) {
      try {
        await js.publish('cluster-spec.during', `${published}`, { timeout: 1_000 });
        published++;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    const newLeader = await cluster.streamLeader('CLUSTER_SPEC');
    expect(newLeader.serverName).not.toBe(leader.serverName);

    await leader.start();
    const info = await cluster.waitForStreamCurrent('CLUSTER_SPEC', 3, 15_000);
    expect(info.state.messages).toBe(20);
    expect(info.cluster?.replicas?.map((r) => r.name).sort()).toEqual(
      cluster.nodes
        .map((n) => n.serverName)
        .filter((n) => n !== info.cluster?.leader)
        .sort(),
    );
  }, 30_000);

  it('restarts a node with an empty store, which rejoins and is given the stream again', async () => {
    const node = cluster.nodes[0];
    await node.kill();
    expect(() => cluster.nodes[1].wipeStore()).toThrow(/running/);
    node.wipeStore();
    expect(existsSync(node.storeDir)).toBe(false);
    await node.start();
    await cluster.waitForMetaLeader(15_000);
    const info = await cluster.waitForStreamCurrent('CLUSTER_SPEC', 3, 15_000);
    expect(info.state.messages).toBe(20);
  }, 30_000);
});
