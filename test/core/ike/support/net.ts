/**
 * An in-memory network for ladder tests: the responder and the initiator exchange datagrams through
 * it, on a virtual clock that jumps to the next deadline when nothing is in flight. A filter can
 * drop, duplicate or rewrite datagrams (lost packets, a NAT that changes the client's port).
 */
import { createNobleSuite } from '../../../../src-main/core/crypto/noble-suite.ts';
import { Initiator } from '../../../../src-main/core/ike/initiator.ts';
import type { Endpoint, IkeEvent, Output, Send } from '../../../../src-main/core/ike/io.ts';
import { ikePolicyOf, identityOf, type IkePolicy } from '../../../../src-main/core/ike/policy.ts';
import { parseProposals } from '../../../../src-main/core/ike/proposal-syntax.ts';
import { parseResponderConfig } from '../../../../src-main/core/ike/responder-config.ts';
import { Responder } from '../../../../src-main/core/ike/responder.ts';
import { seededRandom } from '../../crypto/fixtures.ts';

export const GW = '198.18.2.2';
export const CLI = '198.18.1.2';
export const PSK = 'ladder-psk-not-secret';

export type Filter = (s: Send, n: number) => Send[];

export function responderConfig(patch: Record<string, unknown> = {}) {
  return parseResponderConfig({
    localId: 'gw.wakelab',
    secrets: [{ id: 'cli.wakelab', psk: PSK }],
    pool: '198.18.200.0/28',
    localTs: ['198.18.100.0/24'],
    ...patch,
  });
}

export interface LadderOptions {
  responder?: Record<string, unknown>;
  initiatorIke?: string[];
  initiatorEsp?: string[];
  initiatorPsk?: string;
  initiatorPolicy?: Partial<IkePolicy>;
  /** Seeds of the responder's and the initiator's randomness (nonces, SPIs, keys). */
  seeds?: readonly [number, number];
}

export class Ladder {
  readonly responder: Responder;
  readonly initiator: Initiator;
  now = 0;
  /** Everything sent, in order, with who sent it. */
  readonly wire: { by: 'i' | 'r'; send: Send; t: number }[] = [];
  readonly events: { by: 'i' | 'r'; event: IkeEvent; t: number }[] = [];
  filter: Filter = (s) => [s];
  private count = 0;
  private inFlight: { to: 'i' | 'r'; send: Send }[] = [];

  constructor(o: LadderOptions = {}) {
    const rPolicy = ikePolicyOf(responderConfig(o.responder));
    this.responder = new Responder(createNobleSuite(seededRandom(o.seeds?.[0] ?? 1)), rPolicy, { ike: 500, natt: 4500 });
    const base = ikePolicyOf(responderConfig());
    const iPolicy: IkePolicy = {
      ...base,
      ikeProposals: parseProposals(o.initiatorIke ?? ['aes128-sha256-prfsha256-curve25519'], 'ike'),
      espProposals: parseProposals(o.initiatorEsp ?? ['aes128-sha256'], 'esp'),
      dpd: { ...base.dpd, delayS: 0 },
      ikeRekeyS: 0,
      espRekeyS: 0,
      mobike: false,
      ...o.initiatorPolicy,
    };
    this.initiator = new Initiator({
      suite: createNobleSuite(seededRandom(o.seeds?.[1] ?? 2)),
      policy: iPolicy,
      nattPort: 4500,
      auth: {
        localId: identityOf('cli.wakelab'),
        remoteId: identityOf('gw.wakelab'),
        psk: new TextEncoder().encode(o.initiatorPsk ?? PSK),
        espProposals: iPolicy.espProposals,
        requestVip: true,
        remoteTs: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '198.18.100.0', endAddress: '198.18.100.255' }],
      },
    });
  }

  connect(): void {
    this.initiator.connect(this.now, { address: CLI, port: 500 }, { address: GW, port: 500 });
    this.collect();
  }

  /** Runs an action on one side now (a DPD, a delete) and puts what it sent on the wire. */
  act(fn: (now: number) => void): void {
    fn(this.now);
    this.collect();
  }

  private collect(): void {
    for (const [by, outs] of [['i', this.initiator.drain()], ['r', this.responder.drain()]] as const) {
      for (const o of outs as Output[]) {
        if (o.kind === 'event') this.events.push({ by, event: o.event, t: this.now });
        else {
          this.wire.push({ by, send: o, t: this.now });
          for (const s of this.filter(o, this.count++)) this.inFlight.push({ to: by === 'i' ? 'r' : 'i', send: s });
        }
      }
    }
  }

  /** Delivers everything in flight until quiet, then ticks deadlines up to `untilS` of virtual time. */
  run(untilS: number, maxSteps = 10_000): void {
    runVirtual(
      {
        clock: this,
        deliverOne: () => {
          const next = this.inFlight.shift();
          if (!next) return false;
          const s = next.send;
          if (next.to === 'r') this.responder.receive(this.now, s.bytes, s.from, s.to);
          else this.initiator.receive(this.now, s.bytes, s.from, s.to);
          this.collect();
          return true;
        },
        due: () => Math.min(this.responder.nextDeadline(), this.initiator.nextDeadline()),
        tick: (now) => {
          this.responder.tick(now);
          this.initiator.tick(now);
          this.collect();
        },
      },
      untilS,
      maxSteps,
      'ladder',
    );
  }

  kinds(by: 'i' | 'r'): string[] {
    return this.events.filter((e) => e.by === by).map((e) => e.event.kind);
  }
}

export const at = (address: string, port: number): Endpoint => ({ address, port });

/**
 * The virtual clock of an in-memory network: delivers datagrams one at a time while any are in
 * flight; when none are, jumps to the earliest deadline (up to `untilS`) and ticks.
 */
export function runVirtual(
  net: { clock: { now: number }; deliverOne(): boolean; due(): number; tick(now: number): void },
  untilS: number,
  maxSteps: number,
  name: string,
): void {
  for (let step = 0; step < maxSteps; step++) {
    if (net.deliverOne()) continue;
    const due = net.due();
    if (!(due <= untilS)) {
      net.clock.now = untilS;
      return;
    }
    net.clock.now = Math.max(net.clock.now, due);
    net.tick(net.clock.now);
  }
  throw new Error(`${name}: no quiet after ${maxSteps} steps`);
}
