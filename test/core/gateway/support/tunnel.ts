/**
 * The Gateway (IKE responder, ESP data plane, virtual host) and a client in memory: WakeLab's
 * Initiator for IKE, and a DataPlane of its own, fed from the Initiator's child-up events, for
 * ESP. A virtual clock jumps to the next deadline when nothing is in flight; a filter can lose,
 * duplicate or rewrite datagrams.
 */
import { createNobleSuite } from '../../../../src-main/core/crypto/noble-suite.ts';
import { DataPlane } from '../../../../src-main/core/esp/data-plane.ts';
import { Gateway } from '../../../../src-main/core/gateway/gateway.ts';
import { gatewayOptionsOf } from '../../../../src-main/core/gateway/options.ts';
import { Initiator } from '../../../../src-main/core/ike/initiator.ts';
import type { IkeEvent, Output, Send } from '../../../../src-main/core/ike/io.ts';
import { identityOf, ikePolicyOf, type IkePolicy } from '../../../../src-main/core/ike/policy.ts';
import { parseResponderConfig } from '../../../../src-main/core/ike/responder-config.ts';
import { seededRandom } from '../../crypto/fixtures.ts';
import { runVirtual } from '../../ike/support/net.ts';

export const GW = '198.18.2.2';
export const CLI = '198.18.1.2';
const PSK = 'tunnel-psk-not-secret';

export function gatewayConfig(patch: Record<string, unknown> = {}) {
  return parseResponderConfig({
    localId: 'gw.wakelab',
    secrets: [{ id: 'cli.wakelab', psk: PSK }],
    pool: '198.18.200.0/28',
    localTs: ['198.18.100.0/24'],
    esp: { proposals: ['aes128gcm16'], rekeyS: 0, replayWindow: 128, backend: 'noble' },
    dpd: { delayS: 0 },
    ...patch,
  });
}

export class Tunnel {
  /** A Tunnel with its IKE SA and CHILD_SA up (after one virtual second). */
  static up(o: ConstructorParameters<typeof Tunnel>[0] = {}): Tunnel {
    const t = new Tunnel(o);
    t.connect();
    t.run(1);
    if (t.initiator.phase !== 'up') throw new Error(`the tunnel did not come up: ${t.initiator.failure ?? t.initiator.phase}`);
    return t;
  }

  gateway: Gateway;
  private readonly cfg: ReturnType<typeof gatewayConfig>;
  readonly initiator: Initiator;
  readonly client: DataPlane;
  now = 0;
  /** Inner packets the client received through the tunnel. */
  readonly delivered: Uint8Array[] = [];
  readonly clientDrops: string[] = [];
  readonly events: { by: 'i' | 'r'; event: IkeEvent; t: number }[] = [];
  readonly wire: { by: 'i' | 'r'; send: Send; t: number }[] = [];
  filter: (s: Send, by: 'i' | 'r') => Send[] = (s) => [s];
  private inFlight: { to: 'i' | 'r'; send: Send }[] = [];

  constructor(o: { gateway?: Record<string, unknown>; initiatorPolicy?: Partial<IkePolicy> } = {}) {
    const cfg = gatewayConfig(o.gateway);
    this.cfg = cfg;
    this.gateway = new Gateway(gatewayOptionsOf(cfg, { ike: createNobleSuite(seededRandom(11)), esp: createNobleSuite(seededRandom(12)) }));
    const base = ikePolicyOf(cfg);
    const policy: IkePolicy = { ...base, dpd: { ...base.dpd, delayS: 0 }, ikeRekeyS: 0, espRekeyS: 0, mobike: false, ...o.initiatorPolicy };
    const suite = createNobleSuite(seededRandom(13));
    this.initiator = new Initiator({
      suite,
      policy,
      nattPort: 4500,
      auth: {
        localId: identityOf('cli.wakelab'),
        remoteId: identityOf('gw.wakelab'),
        psk: new TextEncoder().encode(PSK),
        espProposals: policy.espProposals,
        requestVip: true,
        remoteTs: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '198.18.100.0', endAddress: '198.18.100.255' }],
      },
    });
    this.client = new DataPlane({ suite: createNobleSuite(seededRandom(14)) });
  }

  /** A new Gateway process in place of the old one (what was in flight to the old one is lost). */
  replaceGateway(seed: number): Gateway {
    this.inFlight = this.inFlight.filter((f) => f.to !== 'r');
    this.gateway = new Gateway(gatewayOptionsOf(this.cfg, { ike: createNobleSuite(seededRandom(seed)), esp: createNobleSuite(seededRandom(seed + 1)) }));
    return this.gateway;
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

  /** The client sends an inner IPv4 packet through its newest CHILD_SA. */
  clientSends(inner: Uint8Array): boolean {
    const r = this.client.send(this.now, inner);
    if (!r.ok) return false;
    const sa = this.initiator.ikeSa!;
    this.queue('i', { kind: 'send', from: sa.local, to: sa.peer, bytes: r.packet });
    return true;
  }

  private queue(by: 'i' | 'r', send: Send): void {
    this.wire.push({ by, send, t: this.now });
    for (const s of this.filter(send, by)) this.inFlight.push({ to: by === 'i' ? 'r' : 'i', send: s });
  }

  private collect(): void {
    for (const [by, outs] of [['i', this.initiator.drain()], ['r', this.gateway.drain()]] as const) {
      for (const o of outs as Output[]) {
        if (o.kind === 'event') {
          this.events.push({ by, event: o.event, t: this.now });
          if (by === 'i') this.onClientEvent(o.event);
        } else this.queue(by, o);
      }
    }
  }

  private onClientEvent(e: IkeEvent): void {
    if (e.kind === 'child-up') this.client.add(this.now, e.sa, e.child);
    else if (e.kind === 'child-down') this.client.remove(e.spiIn);
    else if (e.kind === 'ike-rekeyed') this.client.moveIkeSa(e.sa, e.newSa);
  }

  /** Delivers everything in flight until quiet, then ticks deadlines up to `untilS`. */
  run(untilS: number, maxSteps = 20_000): void {
    runVirtual(
      {
        clock: this,
        deliverOne: () => {
          const next = this.inFlight.shift();
          if (!next) return false;
          const s = next.send;
          if (next.to === 'r') this.gateway.receive(this.now, s.bytes, s.from, s.to);
          else if (s.to.port === 4500 && s.bytes.length >= 4 && (s.bytes[0]! | s.bytes[1]! | s.bytes[2]! | s.bytes[3]!) !== 0) {
            const r = this.client.receive(this.now, s.bytes);
            if (r.ok) this.delivered.push(r.inner);
            else this.clientDrops.push(r.reason);
          } else this.initiator.receive(this.now, s.bytes, s.from, s.to);
          this.collect();
          return true;
        },
        due: () => Math.min(this.gateway.nextDeadline(), this.initiator.nextDeadline()),
        tick: (now) => {
          this.gateway.tick(now);
          this.initiator.tick(now);
          this.collect();
        },
      },
      untilS,
      maxSteps,
      'tunnel',
    );
  }

  kinds(by: 'i' | 'r'): string[] {
    return this.events.filter((e) => e.by === by).map((e) => e.event.kind);
  }
}
