import { NamespacedNatsClient, NatsNamespace, natsTransportOptions } from '@signoff/messaging';
import { RpcClient } from './rpc-client';

/** A typed RPC client for one process, on the deployment's (or test run's) namespace. */
export async function createRpcClient(options: { natsUrl: string; namespace: string; name: string; timeoutMs: number }): Promise<RpcClient> {
  const proxy = new NamespacedNatsClient(natsTransportOptions(options.natsUrl, options.name), new NatsNamespace(options.namespace));
  await proxy.connect();
  return new RpcClient(proxy, options.timeoutMs);
}
