import { loadConfig } from '@signoff/service-kit';
import express from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayConfig } from './gateway.config';
import { trustProxySetting } from './trusted-proxies';

const MANIFEST = join(__dirname, '../../../../deploy/kubernetes/signoff.yaml');

/** The `data` entries of the manifest's ConfigMap (flat `KEY: value` lines; no YAML library needed). */
function configMap(): Record<string, string> {
  const document = readFileSync(MANIFEST, 'utf8')
    .split(/^---$/m)
    .find((doc) => /^kind: ConfigMap$/m.test(doc));
  if (!document) throw new Error('no ConfigMap in the manifest');
  const data = document.slice(document.indexOf('\ndata:\n'));
  return Object.fromEntries([...data.matchAll(/^ {2}([A-Z0-9_]+): *"?([^"\n]*)"?$/gm)].map(([, key, value]) => [key, value]));
}

/** Whether Express, set up as the gateway sets it up, believes `X-Forwarded-For` from this peer. */
function trusts(setting: string, peer: string): boolean {
  const app = express();
  app.set('trust proxy', trustProxySetting(setting));
  return (app.get('trust proxy fn') as (address: string, hop: number) => boolean)(peer, 0);
}

describe('the Kubernetes manifest’s gateway settings', () => {
  it('trusts X-Forwarded-For from an in-cluster ingress (private ranges), not from the internet', () => {
    const setting = loadConfig(GatewayConfig, configMap()).TRUSTED_PROXIES;
    for (const ingress of ['10.244.1.17', '172.20.3.4', '192.168.7.9', 'fd12:3456::8']) expect({ ingress, trusted: trusts(setting, ingress) }).toEqual({ ingress, trusted: true });
    for (const client of ['203.0.113.7', '8.8.8.8', '100.64.1.1', '2001:db8::1']) expect({ client, trusted: trusts(setting, client) }).toEqual({ client, trusted: false });
  });
});
