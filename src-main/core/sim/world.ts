/**
 * Everything the simulated client and gateway share: the virtual clock, the client's radio and
 * processor, the NAT and the path between them, and the observations metrics are made from.
 * Uplink: client -> radio (may add a promotion) -> NAT -> rtt/2 -> gateway.
 * Downlink: gateway -> rtt/2 -> NAT (may drop) -> radio (may add a promotion) -> client.
 */
import type { CauseCode } from '../causes.ts';
import { ApModel, type Device } from '../device/device.ts';
import { NatBinding } from '../nat/nat.ts';
import type { RadioProfile } from '../radio/profile.ts';
import { RadioModel } from '../radio/radio-model.ts';
import type { TimelineRecorder } from '../radio/timeline.ts';
import { EventQueue } from './event-queue.ts';
import type { Packet } from './packet.ts';

/** Data packets further apart than this start a new burst (for promotion delay). */
export const BURST_GAP_S = 1;

export interface Observations {
  /** Radio delay added to the first packet of each data burst, s. */
  burstDelays: number[];
  lostUplink: number;
  lostDownlink: number;
  reconnects: number;
  reconnectAttempts: number;
  /** Detection latency, s, per side; undefined until that side declared its peer dead. */
  gatewayDetectedAt?: number;
  clientDetectedAt?: number;
  clientVanishedAt?: number;
  gatewayVanishedAt?: number;
  unreachableS: number;
  connectedS: number;
}

export interface Endpoint {
  receive(p: Packet): void;
}

export class World {
  readonly q: EventQueue;
  readonly radio: RadioModel;
  readonly ap: ApModel;
  readonly nat: NatBinding;
  readonly obs: Observations = {
    burstDelays: [],
    lostUplink: 0,
    lostDownlink: 0,
    reconnects: 0,
    reconnectAttempts: 0,
    unreachableS: 0,
    connectedS: 0,
  };
  clientOutOfCoverage = false;
  gatewayGone = false;
  client!: Endpoint;
  gateway!: Endpoint;
  /** Packets the radio sees early in the run, for the radio-state timeline (when asked for). */
  timeline: TimelineRecorder | null = null;
  private lastDataT = -Infinity;
  private readonly halfRtt: number;

  constructor(radio: RadioProfile, device: Device, nat: { timeoutS: number; refreshOnInbound: boolean; rttS: number }, record: boolean) {
    this.q = new EventQueue(0);
    this.radio = new RadioModel(radio, { record });
    this.ap = new ApModel(device);
    this.nat = new NatBinding(nat.timeoutS, nat.refreshOnInbound);
    this.halfRtt = nat.rttS / 2;
  }

  get now(): number {
    return this.q.now;
  }

  /** The client's processor must run code now. */
  apWake(cause: CauseCode): void {
    this.ap.wake(this.q.now, cause);
  }

  /** The client puts a packet on its radio now (or, for offloaded keepalives, the modem does). */
  clientSend(p: Packet): void {
    const t = this.q.now;
    if (this.clientOutOfCoverage) {
      this.obs.lostUplink++;
      return;
    }
    const before = this.radio.totalWakeups;
    this.timeline?.packet(t, true, p.bytes, p.cause);
    const delay = this.radio.packet(t, true, p.bytes, p.cause);
    if (this.radio.totalWakeups !== before && this.ap.awake(t)) this.radio.markApWoken();
    this.noteData(p, t, delay);
    this.q.at(t + delay, () => {
      p.port = this.nat.outbound(this.q.now);
      this.q.at(this.q.now + this.halfRtt, () => {
        if (this.gatewayGone) return;
        this.gateway.receive(p);
      });
    });
  }

  /** The gateway sends a packet to the client's address as it knows it (port). */
  gatewaySend(p: Packet): void {
    if (this.gatewayGone) return;
    this.q.at(this.q.now + this.halfRtt, () => {
      const t = this.q.now;
      if (this.clientOutOfCoverage || !this.nat.inbound(t, p.port ?? -1)) {
        this.obs.lostDownlink++;
        return;
      }
      const before = this.radio.totalWakeups;
      this.timeline?.packet(t, false, p.bytes, p.cause);
      const delay = this.radio.packet(t, false, p.bytes, p.cause);
      const woke = this.radio.totalWakeups !== before;
      this.noteData(p, t, delay);
      this.q.at(t + delay, () => {
        this.client.receive(p);
        if (woke && this.ap.awake(this.q.now)) this.radio.markApWoken();
      });
    });
  }

  private noteData(p: Packet, t: number, delay: number): void {
    if (p.purpose !== 'data') return;
    if (t - this.lastDataT > BURST_GAP_S) this.obs.burstDelays.push(delay + (delay > 0 ? this.radio.profile.secondaryLegDelayS : 0));
    this.lastDataT = t;
  }
}
