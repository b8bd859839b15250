/**
 * `wakelab fleet`: emulated libipsec-style clients (core/fleet/emulated-client.ts), one UDP socket
 * each on loopback, against a responder, on a clock that runs `timeScale` times real time (the lab
 * must run at the same scale). Clients start spread over `startWithinS` lab seconds.
 */
import { EmulatedClient } from '../../core/fleet/emulated-client.ts';
import { fleetIdentity, type FleetConfig } from '../../core/fleet/fleet-config.ts';
import type { IkeEvent } from '../../core/ike/io.ts';
import { parseProposals } from '../../core/ike/proposal-syntax.ts';
import type { Policy } from '../../core/policy/schema.ts';
import { WakeLabError } from '../../core/errors.ts';
import { checkAgainstNoble, createNodeSuite } from '../crypto/node-suite.ts';
import { UdpHost } from '../ike/udp-host.ts';

export interface FleetMember {
  readonly id: string;
  readonly group: string;
  readonly client: EmulatedClient;
  readonly host: UdpHost;
}

export interface GroupStatus {
  readonly group: string;
  readonly policy: string;
  readonly count: number;
  readonly up: number;
  readonly connecting: number;
  readonly down: number;
  readonly waiting: number;
  readonly reconnects: number;
  readonly keepalives: number;
  readonly dataSent: number;
  readonly dataReplies: number;
}

export interface RunningFleet {
  readonly members: readonly FleetMember[];
  status(): GroupStatus[];
  /** Every client deletes its IKE SA (waits for the answers, a few lab seconds at most) and closes. */
  stop(): Promise<void>;
}

export interface FleetRunOptions {
  /** The policy of each group, by group name. */
  readonly policies: ReadonlyMap<string, Policy>;
  readonly server: { readonly address: string; readonly ikePort: number; readonly nattPort: number };
  readonly onEvent?: (id: string, e: IkeEvent, t: number) => void;
}

const monotonic = (): number => performance.now() / 1000;

export async function runFleet(cfg: FleetConfig, o: FleetRunOptions): Promise<RunningFleet> {
  checkAgainstNoble();
  const suite = createNodeSuite();
  const scale = cfg.timeScale;
  const clock = (): number => monotonic() * scale;
  const ikeProposals = parseProposals(cfg.ike.proposals, 'ike');
  const espProposals = parseProposals(cfg.esp.proposals, 'esp');
  const psk = new TextEncoder().encode(cfg.psk);
  const members: FleetMember[] = [];
  let port = cfg.local.firstPort;
  for (const g of cfg.groups) {
    const policy = o.policies.get(g.name)!;
    for (let i = 0; i < g.count; i++) {
      const id = fleetIdentity(cfg, g.name, i);
      const client = new EmulatedClient({
        suite,
        id,
        psk,
        remoteId: cfg.remoteId,
        server: o.server,
        local: { address: cfg.local.address, port },
        policy: policy.client,
        ikeProposals,
        espProposals,
        remoteTs: cfg.remoteTs,
        traffic: g.traffic,
        virtualHost: cfg.virtualHost,
        fakeNat: cfg.fakeNat,
      });
      const host: UdpHost = new UdpHost(client, { address: cfg.local.address, localAddress: cfg.local.address, ports: [port], clock, timeScale: scale, onEvent: (e) => o.onEvent?.(id, e, host.engineTime) });
      members.push({ id, group: g.name, client, host });
      port++;
    }
  }
  const started: FleetMember[] = [];
  try {
    for (const m of members) {
      await m.host.start();
      started.push(m);
    }
  } catch (e) {
    await Promise.all(started.map((m) => m.host.close()));
    const code = (e as NodeJS.ErrnoException).code;
    const at = cfg.local.firstPort + started.length;
    if (code === 'EADDRINUSE') throw new WakeLabError('BUSY', `fleet: local port ${cfg.local.address}:${at} is in use; choose another local.firstPort`);
    if (code === 'EMFILE' || code === 'ENFILE') throw new WakeLabError('INVALID_ARGUMENT', `fleet: out of file descriptors after ${started.length} client sockets; raise the limit (ulimit -n) or start fewer clients`);
    throw e;
  }
  const timers: NodeJS.Timeout[] = [];
  members.forEach((m, i) => {
    const atS = members.length > 1 ? (cfg.startWithinS * i) / (members.length - 1) : 0;
    timers.push(setTimeout(() => m.host.act((t) => m.client.start(t)), (atS * 1000) / scale));
  });
  return {
    members,
    status: () =>
      cfg.groups.map((g) => {
        const mine = members.filter((m) => m.group === g.name);
        const count = (s: string) => mine.filter((m) => m.client.state === s).length;
        const sum = (k: 'reconnects' | 'keepalives' | 'dataSent' | 'dataReplies') => mine.reduce((n, m) => n + m.client.counters[k], 0);
        return { group: g.name, policy: o.policies.get(g.name)!.id, count: g.count, up: count('up'), connecting: count('connecting'), down: count('down'), waiting: count('idle'), reconnects: sum('reconnects'), keepalives: sum('keepalives'), dataSent: sum('dataSent'), dataReplies: sum('dataReplies') };
      }),
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      for (const m of members) m.host.act((t) => m.client.stop(t));
      // The Deletes' answers (at most the first retransmission's wait, in real time).
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && members.some((m) => m.client.initiator?.phase === 'up' && m.client.nextDeadline() < Infinity)) await new Promise((r) => setTimeout(r, 20));
      await Promise.all(members.map((m) => m.host.close()));
    },
  };
}
