/**
 * A live lab in memory, on a virtual clock: the Gateway (IKE responder, ESP, virtual host) and
 * emulated clients (core/fleet) exchanging datagrams with a fixed one-way delay, the Gateway's
 * events fed to a LiveEstimator as `wakelab lab` feeds it. Deterministic for given seeds.
 */
import { createNobleSuite } from '../../../../src-main/core/crypto/noble-suite.ts';
import { EmulatedClient, type FleetTraffic } from '../../../../src-main/core/fleet/emulated-client.ts';
import { responderPatchOf } from '../../../../src-main/core/fleet/policy-map.ts';
import { Gateway } from '../../../../src-main/core/gateway/gateway.ts';
import { gatewayOptionsOf } from '../../../../src-main/core/gateway/options.ts';
import type { IkeEvent, Send } from '../../../../src-main/core/ike/io.ts';
import { parseProposals } from '../../../../src-main/core/ike/proposal-syntax.ts';
import { parseResponderConfig } from '../../../../src-main/core/ike/responder-config.ts';
import { LiveEstimator } from '../../../../src-main/core/live/estimator.ts';
import type { Policy } from '../../../../src-main/core/policy/schema.ts';
import type { RadioProfile } from '../../../../src-main/core/radio/profile.ts';
import { seededRandom } from '../../crypto/fixtures.ts';

export const GW = '198.18.2.2';
const CLIENT_ADDRESS = '198.18.1.2';
const PSK = 'fleet-psk-not-secret';

export interface FleetMember {
  readonly policy: Policy;
  readonly traffic?: FleetTraffic;
}

export class FleetNet {
  now = 0;
  readonly gateway: Gateway;
  readonly clients: EmulatedClient[] = [];
  readonly estimator: LiveEstimator;
  readonly gatewayEvents: { t: number; event: IkeEvent }[] = [];
  private readonly inFlight: { at: number; to: number; send: Send }[] = [];
  /** While true, every datagram to the gateway is lost (it has vanished). */
  gatewayGone = false;

  /**
   * `gatewayPolicy`: the responder is configured from this policy's gateway half (policy-map.ts);
   * `oneWayS`: the delay of every datagram (the simulator's scenario rttS / 2).
   */
  constructor(o: { gatewayPolicy: Policy; members: readonly FleetMember[]; radio: RadioProfile; oneWayS: number; seed?: number }) {
    const seed = o.seed ?? 1;
    const { patch } = responderPatchOf(o.gatewayPolicy.gateway);
    const cfg = parseResponderConfig({
      localId: 'gw.wakelab',
      secrets: [{ id: '*@fleet.wakelab', psk: PSK }],
      pool: '198.18.192.0/18',
      localTs: ['198.18.100.0/24'],
      ...patch,
      esp: { ...patch.esp, proposals: ['aes128gcm16'], backend: 'noble' },
      keepaliveS: 0,
    });
    this.gateway = new Gateway({ ...gatewayOptionsOf(cfg, { ike: createNobleSuite(seededRandom(seed)), esp: createNobleSuite(seededRandom(seed + 1)) }), traffic: true });
    this.estimator = new LiveEstimator({ profileFor: () => o.radio });
    o.members.forEach((m, i) => {
      this.clients.push(
        new EmulatedClient({
          suite: createNobleSuite(seededRandom(seed + 100 + i)),
          id: `c${i}@fleet.wakelab`,
          psk: new TextEncoder().encode(PSK),
          remoteId: 'gw.wakelab',
          server: { address: GW, ikePort: 500, nattPort: 4500 },
          local: { address: CLIENT_ADDRESS, port: 10000 + i },
          policy: m.policy.client,
          ikeProposals: parseProposals(['aes128-sha256-prfsha256-curve25519'], 'ike'),
          espProposals: parseProposals(['aes128gcm16'], 'esp'),
          remoteTs: '198.18.100.0/24',
          traffic: m.traffic ?? { kind: 'idle' },
          virtualHost: { address: '198.18.100.1', echoPort: 7, discardPort: 9 },
        }),
      );
    });
    this.oneWayS = o.oneWayS;
  }

  private readonly oneWayS: number;

  /** Starts client i at `now`. */
  start(i: number): void {
    this.clients[i]!.start(this.now);
    this.collect();
  }

  /** Runs until `untilS`: deliveries in time order, deadlines as they come. */
  run(untilS: number, maxSteps = 5_000_000): void {
    for (let step = 0; step < maxSteps; step++) {
      const delivery = this.inFlight[0]?.at ?? Infinity;
      let due = this.gateway.nextDeadline();
      for (const c of this.clients) due = Math.min(due, c.nextDeadline());
      const next = Math.min(delivery, due);
      if (!(next <= untilS)) {
        this.now = untilS;
        return;
      }
      this.now = Math.max(this.now, next);
      if (delivery <= due) {
        const f = this.inFlight.shift()!;
        const s = f.send;
        if (f.to < 0) this.gateway.receive(this.now, s.bytes, s.from, s.to);
        else this.clients[f.to]!.receive(this.now, s.bytes, s.from, s.to);
      } else {
        if (this.gateway.nextDeadline() <= this.now) this.gateway.tick(this.now);
        for (const c of this.clients) if (c.nextDeadline() <= this.now) c.tick(this.now);
      }
      this.collect();
    }
    throw new Error(`FleetNet: no quiet after ${maxSteps} steps`);
  }

  private collect(): void {
    for (const o of this.gateway.drain()) {
      if (o.kind === 'event') {
        this.gatewayEvents.push({ t: this.now, event: o.event });
        this.estimator.onEvent(this.now, o.event);
      } else this.inFlight.push({ at: this.now + this.oneWayS, to: o.to.port - 10000, send: o });
    }
    this.clients.forEach((c) => {
      for (const o of c.drain()) if (o.kind === 'send' && !this.gatewayGone) this.inFlight.push({ at: this.now + this.oneWayS, to: -1, send: o });
    });
  }
}
