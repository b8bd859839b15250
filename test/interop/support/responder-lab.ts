// WakeLab's responder (`wakelab responder`) in the gateway namespace with a charon client behind
// the NAT (docs/interop.md): the setup the responder interop tests share.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Capture } from './capture.ts';
import { Charon, CLIENT_ID, clientConfig, GATEWAY_ID, TEST_PSK } from './charon.ts';
import { IFACE, NET, Topology } from './netns.ts';
import { pollFor, signalPid, type Tracked } from './proc.ts';
import { Workdir } from './workdir.ts';

const BIN = fileURLToPath(new URL('../../../bin/wakelab.js', import.meta.url));

export interface Setup {
  work: Workdir;
  topo: Topology;
  wakelab: Tracked;
  log: string;
  keysDir: string;
  /** The responder's configuration file. */
  config: string;
  cli: Charon;
  captures: Capture[];
}

/** JSON log lines WakeLab's responder wrote so far. */
export function events(s: Setup): Record<string, unknown>[] {
  return readFileSync(s.log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface StartOptions {
  dpdDelayS: number;
  retransmit?: object;
  clientDpd?: string;
  natTimeoutS?: number;
  /** Masquerade flags of the NAT (netns.ts), e.g. 'fully-random' for a new port per mapping. */
  masquerade?: string;
  keepAlive?: string;
  ike?: string;
  esp?: string;
  /** The responder's own rekey times (ike.rekeyS, esp.rekeyS); default: never within a test. */
  rekeyS?: { ike: number; esp: number };
  /** More `wakelab responder` arguments, e.g. ['--snapshot', file]. */
  args?: string[];
}

export async function start(label: string, o: StartOptions): Promise<Setup> {
  const work = new Workdir(label);
  const topo = await Topology.create({ natUdpTimeoutS: o.natTimeoutS ?? 30, ...(o.masquerade ? { masquerade: o.masquerade } : {}) });
  const captures = [await Capture.start(topo, 'cli', IFACE.cli, work.file('cli0.pcapng')), await Capture.start(topo, 'gw', IFACE.gw, work.file('gw0.pcapng'))];
  // tshark reads the tables from its configuration folder; WakeLab keeps them there.
  const keysDir = work.file('.wireshark-config');
  const cfg = work.file('lab.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      listen: { address: NET.gw, ikePort: 500, nattPort: 4500 },
      localId: GATEWAY_ID,
      secrets: [{ id: CLIENT_ID, psk: TEST_PSK }],
      ike: { proposals: ['aes128-sha256-prfsha256-curve25519', 'aes256gcm16-prfsha256-curve25519'], ...(o.rekeyS ? { rekeyS: o.rekeyS.ike } : {}) },
      esp: { proposals: ['aes128-sha256', 'aes256gcm16'], ...(o.rekeyS ? { rekeyS: o.rekeyS.esp } : {}) },
      pool: NET.vipPool,
      localTs: [NET.protectedNet],
      dpd: { delayS: o.dpdDelayS, ...(o.retransmit ? { retransmit: o.retransmit } : {}) },
    }),
  );
  const log = work.file('wakelab.log');
  const wakelab = await spawnWakelab(topo, cfg, keysDir, log, o.args ?? []);
  const c = clientConfig({ keepAlive: o.keepAlive ?? '20s', proposals: o.ike ?? 'aes128-sha256-x25519', espProposals: o.esp ?? 'aes128-sha256', dpdDelay: o.clientDpd ?? '0s' });
  const cli = await Charon.start(topo, { name: 'cli', role: 'cli', parentDir: work.path, settings: c.settings });
  await cli.load(c.swanctl);
  return { work, topo, wakelab, log, keysDir, cli, captures, config: cfg };
}

/** `wakelab responder` in the gateway namespace, once it listens. */
async function spawnWakelab(topo: Topology, cfg: string, keysDir: string, log: string, args: string[]): Promise<Tracked> {
  const wakelab = topo.spawn('gw', 'wakelab', [process.execPath, BIN, 'responder', '--config', cfg, '--json-log', '--wireshark-keys', keysDir, '--verbose', ...args], log);
  await pollFor('wakelab responder listening', 15_000, () => (readFileSync(log, 'utf8').includes('"listening"') ? true : undefined));
  return wakelab;
}

/**
 * Stops WakeLab's responder (SIGTERM: a clean stop; 'kill': SIGKILL, a crash that writes nothing) and
 * starts a new one with `args`, logging to `logName`.
 */
export async function restartWakelab(s: Setup, args: string[], logName: string, how: 'stop' | 'kill' = 'stop'): Promise<void> {
  if (how === 'kill') {
    signalPid(s.wakelab.pid, 'SIGKILL');
    await s.wakelab.exited;
  } else {
    const stopped = await s.wakelab.stop(5000, 2000);
    if (!stopped.stopped || stopped.killed) throw new Error(`wakelab responder did not stop cleanly: ${JSON.stringify(stopped)}`);
  }
  s.log = s.work.file(logName);
  s.wakelab = await spawnWakelab(s.topo, s.config, s.keysDir, s.log, args);
}

/**
 * A Setup per test, torn down after it (its logs and captures kept when the test failed). Call in
 * a describe block; tests set `lab.s`.
 */
export function setupPerTest(): { s: Setup | undefined } {
  const lab: { s: Setup | undefined } = { s: undefined };
  afterEach(async (ctx) => {
    await stop(lab.s, ctx.task.result?.state === 'fail');
    lab.s = undefined;
  });
  return lab;
}

export async function stop(s: Setup | undefined, failed: boolean): Promise<void> {
  if (!s) return;
  if (failed) s.work.markFailed('test');
  await s.topo.teardown();
  s.work.finish();
}

