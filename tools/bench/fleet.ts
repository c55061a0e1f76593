import { DEVICE_TYPES } from '@signoff/contracts';
import type { CreateAccountReply, TokenPair } from '@signoff/contracts';
import { randomBytes } from 'node:crypto';
import { BenchConfig } from './config';
import { callJson } from './http';
import { forEachBounded } from './pool';
import { ProbeSocket } from './probe';

/** One benchmark account and the devices signed in to it. */
export interface BenchAccount {
  index: number;
  email: string;
  password: string;
  accountId?: string;
  devices: BenchDevice[];
}

export interface BenchDevice {
  accountIndex: number;
  id: string;
  /** Which of the two gateways (and, later, which floor server) holds this device. */
  target: number;
  accessToken?: string;
}

/**
 * The population: `accounts` accounts of `devicesPerAccount` devices. Devices alternate over
 * the targets by global index, so with an odd number per account every account spans both
 * gateways (the fan-out is real) and the gateways hold the same number of devices.
 */
export function planFleet(config: BenchConfig, namespace: string, targets: number): BenchAccount[] {
  const accounts: BenchAccount[] = [];
  for (let i = 0; i < config.devices; i++) {
    const index = Math.floor(i / config.devicesPerAccount);
    const account = (accounts[index] ??= {
      index,
      email: `bench-${namespace}-${index}@signoff.test`,
      password: `pw-${randomBytes(9).toString('hex')}`,
      devices: [],
    });
    account.devices.push({ accountIndex: index, id: `bench-${index}-${account.devices.length}`, target: i % targets });
  }
  return accounts;
}

/** Signs up every account (premium), spread over the gateways. */
export async function signUpAll(accounts: BenchAccount[], gateways: string[], config: BenchConfig, deadline: number): Promise<void> {
  await forEachBounded(accounts, config.loginConcurrency, deadline, 'sign-up', async (account) => {
    const reply = await callJson<CreateAccountReply>(gateways[account.index % gateways.length], 'POST', '/v1/accounts', {
      body: { email: account.email, password: account.password, plan: 'premium' },
      expect: 201,
    });
    account.accountId = reply.accountId;
  });
}

/** Signs in every device on its own gateway (one argon2 verification each). */
export async function signInAll(accounts: BenchAccount[], gateways: string[], config: BenchConfig, deadline: number): Promise<void> {
  const devices = accounts.flatMap((a) => a.devices);
  await forEachBounded(devices, config.loginConcurrency, deadline, 'sign-in', async (device) => {
    device.accessToken = (await signIn(gateways[device.target], accounts[device.accountIndex], device.id, device.accountIndex + device.target)).accessToken;
  });
}

export function signIn(gateway: string, account: BenchAccount, deviceId: string, kind = 0): Promise<TokenPair> {
  const type = DEVICE_TYPES[kind % DEVICE_TYPES.length];
  return callJson<TokenPair>(gateway, 'POST', '/v1/auth/login', {
    body: { email: account.email, password: account.password, device: { id: deviceId, type, name: `Bench ${type} ${deviceId}`, appVersion: 'bench' } },
    expect: 200,
  });
}

/**
 * Opens one probe per device with bounded concurrency. `address` says where and how a device
 * connects (the gateway with its bearer token, or a floor server with plain query ids).
 */
export async function connectAll(
  accounts: BenchAccount[],
  config: BenchConfig,
  deadline: number,
  what: string,
  address: (device: BenchDevice) => { url: string; headers: Record<string, string> },
): Promise<ProbeSocket[]> {
  const devices = accounts.flatMap((a) => a.devices);
  const probes = devices.map((d) => new ProbeSocket(d.accountIndex, d.id, d.target));
  try {
    await forEachBounded(devices, config.connectConcurrency, deadline, what, async (device, i) => {
      const { url, headers } = address(device);
      await probes[i].open(url, headers, 10_000);
    });
  } catch (error) {
    for (const p of probes) p.terminate();
    throw error;
  }
  return probes;
}
