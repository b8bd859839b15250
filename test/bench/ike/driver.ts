/**
 * The IKE load driver, a child process of the benchmark (so that it can run inside a network
 * namespace next to charon, and never shares a thread with the responder under test). It keeps
 * `concurrency` handshakes in flight, each a fresh WakeLab Initiator (IKE_SA_INIT, then IKE_AUTH
 * with a virtual IP and one CHILD_SA), all multiplexed over one UDP socket pair (mux-host.ts).
 * Every handshake uses its own identity `cli-<n>.bench.wakelab`, so INITIAL_CONTACT never
 * replaces an earlier SA.
 *
 *   node --import tsx test/bench/ike/driver.ts '<DriverConfig as JSON>'
 *
 * It talks JSON lines on stdout: `ready`, then `warm` after the warm-up handshakes (whose SAs it
 * deletes again, so the timed run starts on an empty table, with the responder's code warm), after which it
 * waits for a line `go` on stdin (the benchmark measures the responder at rest in between), then a
 * `checkpoint` every `checkpointEvery` handshakes and `done`. The responder's CPU time is read from
 * /proc/<watchPid>/stat at each checkpoint (all its threads).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { CryptoSuite } from '../../../src-main/core/crypto/suite.ts';
import { Initiator } from '../../../src-main/core/ike/initiator.ts';
import { identityOf, ikePolicyOf, type IkePolicy } from '../../../src-main/core/ike/policy.ts';
import { parseResponderConfig } from '../../../src-main/core/ike/responder-config.ts';
import { MuxHost, type Slot } from './mux-host.ts';
import { checkAgainstNoble, createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';

export interface DriverConfig {
  /** The responder: address, IKE port, NAT-T port. */
  peer: { address: string; ike: number; natt: number };
  /** Our address (the sockets bind here, ephemeral ports). */
  local: string;
  warmup: number;
  /**
   * Handshakes made and deleted again after `go`, before the timing starts: the benchmark's forced
   * GCs for the at-rest measurement let V8 drop optimized code whose hidden classes died with the
   * warm-up SAs, and this warms it up again without leaving SAs in the table.
   */
  rewarm?: number;
  total: number;
  concurrency: number;
  /** The responder's identity (sent as IDr) and the PSK every client uses. */
  remoteId: string;
  psk: string;
  ikeProposal: string;
  espProposal: string;
  /** The protected network the clients ask for (TSr). */
  remoteTs: { start: string; end: string };
  /** The responder process, for its CPU time. */
  watchPid: number;
  checkpointEvery: number;
  /** 'node' (default) or 'noble' crypto in the driver. */
  suite?: 'node' | 'noble';
}

export interface Checkpoint {
  /** Timed handshakes finished so far (after the warm-up). */
  n: number;
  /** Seconds since the timed phase started. */
  t: number;
  /** Responder CPU seconds (user + system, all threads) since the timed phase started. */
  responderCpuS: number;
  /** This driver's CPU seconds since the timed phase started. */
  driverCpuS: number;
}

export interface DriverDone {
  kind: 'done';
  n: number;
  failures: number;
  failureReasons: Record<string, number>;
  /** Datagrams sent beyond the 2 a handshake needs (retransmissions). */
  retransmits: number;
  strays: number;
  latencyMs: { median: number; p90: number; p99: number; max: number };
  checkpoints: Checkpoint[];
}

const TICKS = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** utime + stime of a process (all threads), in seconds. */
export function processCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

function emit(o: object): void {
  process.stdout.write(JSON.stringify(o) + '\n');
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Makes client number n: a fresh Initiator with identity cli-<n>.bench.wakelab, DPD and rekeys off. */
export function initiatorFactory(cfg: DriverConfig, suite: CryptoSuite, localNattPort: number): (n: number) => Initiator {
  // Only the proposal, retransmission and (off) DPD/rekey fields of the policy matter to an Initiator.
  const base = ikePolicyOf(
    parseResponderConfig({ localId: 'driver', secrets: [{ id: 'x', psk: 'x' }], pool: '10.255.255.0/30', localTs: ['0.0.0.0/0'], ike: { proposals: [cfg.ikeProposal] }, esp: { proposals: [cfg.espProposal] } }),
  );
  const policy: IkePolicy = { ...base, pool: null, dpd: { ...base.dpd, delayS: 0 }, ikeRekeyS: 0, espRekeyS: 0 };
  const psk = new TextEncoder().encode(cfg.psk);
  const remoteId = identityOf(cfg.remoteId);
  const remoteTs = [{ kind: 'ipv4' as const, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: cfg.remoteTs.start, endAddress: cfg.remoteTs.end }];
  return (n) =>
    new Initiator({
      suite,
      policy,
      nattPort: cfg.peer.natt,
      localNattPort,
      auth: { localId: identityOf(`cli-${n}.bench.wakelab`), remoteId, psk, espProposals: policy.espProposals, requestVip: true, remoteTs },
    });
}

/** Deletes the IKE SAs of `slots`, `concurrency` at a time. */
function retireAll(host: MuxHost, slots: readonly Slot[], concurrency: number): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    let finished = 0;
    const one = (): void => {
      const slot = slots[next++];
      if (!slot) return;
      host.retire(slot, () => {
        if (++finished === slots.length) resolve();
        else one();
      });
    };
    if (slots.length === 0) resolve();
    for (let i = 0; i < Math.min(concurrency, slots.length); i++) one();
  });
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '') as DriverConfig;
  const suite: CryptoSuite = cfg.suite === 'noble' ? createNobleSuite((n) => new Uint8Array(randomBytes(n))) : createNodeSuite();
  if (cfg.suite !== 'noble') checkAgainstNoble();
  const host = new MuxHost(cfg.local);
  const ports = await host.start();
  const newInitiator = initiatorFactory(cfg, suite, ports.natt);
  emit({ kind: 'ready', ports });
  const peer = { address: cfg.peer.address, port: cfg.peer.ike };
  let nextId = 0;
  let failures = 0;
  const failureReasons: Record<string, number> = {};
  let retransmits = 0;

  /** Runs `count` handshakes with `concurrency` in flight; resolves when all have finished. */
  const runBatch = (count: number, onDone: (slot: Slot, finished: number) => void): Promise<void> =>
    new Promise((resolve) => {
      let started = 0;
      let finished = 0;
      const startOne = (): void => {
        started++;
        host.add(newInitiator(nextId++), peer, (slot) => {
          finished++;
          retransmits += Math.max(0, slot.sends - 2);
          // Up means IKE_AUTH succeeded; the handshake counts only with its CHILD_SA.
          const child = slot.initiator.ikeSa?.children.length ?? 0;
          if (slot.initiator.phase !== 'up' || child === 0) {
            failures++;
            const why = slot.initiator.phase === 'up' ? 'IKE_SA up without a CHILD_SA' : (slot.initiator.failure ?? slot.initiator.phase);
            failureReasons[why] = (failureReasons[why] ?? 0) + 1;
          }
          onDone(slot, finished);
          if (started < count) startOne();
          else if (finished === count) resolve();
        });
      };
      for (let i = 0; i < Math.min(cfg.concurrency, count); i++) startOne();
      if (count === 0) resolve();
    });

  // Warm-up: the responder's code paths get hot (V8 optimizes after some hundred handshakes), then
  // every warm-up SA is deleted again, so that the timed handshakes start on an empty table for
  // both responders.
  const warm: Slot[] = [];
  await runBatch(cfg.warmup, (slot) => warm.push(slot));
  await retireAll(host, warm, cfg.concurrency);
  emit({ kind: 'warm', n: cfg.warmup, failures, retransmits });
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((ok) => lines.on('line', (l) => l.trim() === 'go' && ok()));
  const rewarm: Slot[] = [];
  await runBatch(cfg.rewarm ?? 0, (slot) => rewarm.push(slot));
  await retireAll(host, rewarm, cfg.concurrency);

  const t0 = host.clock();
  const cpu0 = process.cpuUsage();
  const r0 = processCpuS(cfg.watchPid);
  const latencies: number[] = [];
  const checkpoints: Checkpoint[] = [];
  const checkpoint = (n: number): void => {
    const c = process.cpuUsage(cpu0);
    const cp = { n, t: host.clock() - t0, responderCpuS: processCpuS(cfg.watchPid) - r0, driverCpuS: (c.user + c.system) / 1e6 };
    checkpoints.push(cp);
    emit({ kind: 'checkpoint', ...cp });
  };
  await runBatch(cfg.total, (slot, finished) => {
    latencies.push((host.clock() - slot.startedAt) * 1000);
    if (finished % cfg.checkpointEvery === 0 || finished === cfg.total) checkpoint(finished);
  });
  latencies.sort((a, b) => a - b);
  const done: DriverDone = {
    kind: 'done',
    n: cfg.total,
    failures,
    failureReasons,
    retransmits,
    strays: host.strays,
    latencyMs: { median: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), p99: quantile(latencies, 0.99), max: latencies[latencies.length - 1] ?? NaN },
    checkpoints,
  };
  emit(done);
  lines.close();
  await host.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    emit({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exitCode = 1;
  });
}
