/**
 * The discrete-event simulator: one libipsec-style client and its gateway, over hours of virtual
 * time, packet by packet. The same seed gives the same result, to the byte.
 */
import { WakeLabError } from '../errors.ts';
import { batteryJ } from '../device/device.ts';
import type { Policy } from '../policy/schema.ts';
import type { RadioProfile } from '../radio/profile.ts';
import type { WakeupLog } from '../radio/radio-model.ts';
import { radioTimeline, TimelineRecorder, type RadioTimeline } from '../radio/timeline.ts';
import { Rng } from '../rng.ts';
import type { PacketTrace } from '../trace/trace.ts';
import { Client } from './client.ts';
import { Gateway } from './gateway.ts';
import { causeRecord, sumArrays, tidy, type Metrics } from './metrics.ts';
import type { Scenario } from './scenario.ts';
import { scheduleTrace, scheduleTraffic } from './traffic.ts';
import { World } from './world.ts';

export interface SimOptions {
  seed?: number;
  /** Keep one row per radio wakeup (for the store and timelines). */
  record?: boolean;
  /** Replay this trace instead of the scenario's traffic model. */
  trace?: PacketTrace;
  /** Called now and then with the share of simulated time done, 0..1. */
  onProgress?: (done: number) => void;
  /** Also return the radio-state timeline of the first this-many seconds (0 or absent: none). */
  timelineS?: number;
}

export interface SimResult {
  metrics: Metrics;
  wakeups: WakeupLog | null;
  timeline: RadioTimeline | null;
}

export function simulate(policy: Policy, radio: RadioProfile, scenario: Scenario, opts: SimOptions = {}): SimResult {
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new WakeLabError('INVALID_ARGUMENT', `seed must be a whole number from 0 to 4294967295 (got ${seed})`);
  }
  const endS = scenario.durationS;
  const rng = new Rng(seed);
  const w = new World(
    radio,
    scenario.device,
    { timeoutS: scenario.natTimeoutS, refreshOnInbound: scenario.natRefreshOnInbound, rttS: scenario.rttS },
    opts.record ?? false,
  );
  const client = new Client(w, policy.client, rng.fork());
  const gateway = new Gateway(w, policy.gateway, rng.fork());
  w.client = client;
  w.gateway = gateway;
  const untilS = Math.min(opts.timelineS ?? 0, endS);
  if (untilS > 0) w.timeline = new TimelineRecorder(untilS);
  const trafficRng = rng.fork();
  client.start();
  gateway.start();
  if (opts.trace) scheduleTrace(w, opts.trace, client, gateway, endS);
  else scheduleTraffic(w, scenario.traffic, client, gateway, trafficRng, endS);
  scheduleEvents(w, scenario, gateway);

  // Reachability is piecewise constant between events and NAT expiries.
  const reach = new ReachTracker(w, client, gateway);
  const step = Math.max(endS / 100, 1);
  for (let t = step; ; t += step) {
    const until = Math.min(t, endS);
    w.q.runUntil(until, () => reach.update());
    opts.onProgress?.(until / endS);
    if (until >= endS) break;
  }
  reach.update();
  reach.close(endS);
  w.radio.finish(endS);
  w.nat.reachable(endS, gateway.port); // ages the mapping, so a loss at the very end counts

  return {
    metrics: metricsOf(w, client, scenario, endS),
    wakeups: w.radio.log,
    timeline: w.timeline ? radioTimeline(radio, w.timeline.packets, untilS) : null,
  };
}

function scheduleEvents(w: World, scenario: Scenario, gateway: Gateway): void {
  for (const ev of scenario.events) {
    if (ev.atS > scenario.durationS) continue;
    w.q.at(ev.atS, () => {
      switch (ev.kind) {
        case 'client-vanishes':
          w.clientOutOfCoverage = true;
          // Latency is measured from the vanishing during which the gateway first notices.
          if (w.obs.gatewayDetectedAt === undefined) w.obs.clientVanishedAt = w.now;
          if (ev.durationS !== undefined) w.q.at(w.now + ev.durationS, () => (w.clientOutOfCoverage = false));
          return;
        case 'gateway-vanishes':
          if (w.obs.clientDetectedAt === undefined) w.obs.gatewayVanishedAt = w.now;
          gateway.vanish();
          return;
        case 'gateway-restarts':
          if (w.obs.clientDetectedAt === undefined) w.obs.gatewayVanishedAt = w.now;
          gateway.restart();
          return;
        case 'nat-rebinds':
          w.nat.rebind(w.now);
          return;
      }
    });
  }
}

/** Accumulates the time during which a gateway packet could not reach the client. */
class ReachTracker {
  private since = 0;
  private reachable = true;
  private expiryCheck = -1;

  constructor(
    private readonly w: World,
    private readonly client: Client,
    private readonly gateway: Gateway,
  ) {}

  update(): void {
    const w = this.w;
    const now = w.now;
    const ok =
      !w.gatewayGone &&
      !w.clientOutOfCoverage &&
      this.client.state === 'up' &&
      this.gateway.sa !== 0 &&
      this.gateway.sa === this.client.sa &&
      w.nat.reachable(now, this.gateway.port);
    if (ok !== this.reachable) {
      if (!this.reachable) w.obs.unreachableS += now - this.since;
      this.reachable = ok;
      this.since = now;
    }
    const exp = w.nat.expiresAt;
    if (ok && exp !== this.expiryCheck && Number.isFinite(exp)) {
      this.expiryCheck = exp;
      w.q.at(exp, () => undefined); // wake the loop when the mapping would expire
    }
  }

  close(end: number): void {
    if (!this.reachable) this.w.obs.unreachableS += end - this.since;
    this.reachable = true;
  }
}

function metricsOf(w: World, client: Client, scenario: Scenario, endS: number): Metrics {
  const hours = endS / 3600;
  const energy = sumArrays(w.radio.energyJ, w.ap.energyJ);
  const total = energy.reduce((a, b) => a + b, 0);
  const obs = w.obs;
  const gwApplies = obs.clientVanishedAt !== undefined;
  const clApplies = obs.gatewayVanishedAt !== undefined;
  const bursts = obs.burstDelays;
  const avgW = total / endS;
  return {
    durationS: endS,
    energyJ: tidy(total),
    energyJPerHour: tidy(total / hours),
    avgPowerMw: tidy(avgW * 1000),
    batteryPctPerDay: tidy(((avgW * 86400) / batteryJ(scenario.device)) * 100),
    energyByCause: causeRecord(energy),
    radioEnergyJ: tidy(w.radio.totalJ),
    apEnergyJ: tidy(total - w.radio.totalJ),
    radioWakeups: w.radio.totalWakeups,
    radioWakeupsPerHour: tidy(w.radio.totalWakeups / hours),
    radioWakeupsByCause: causeRecord(w.radio.wakeups),
    apWakeups: w.ap.total,
    apWakeupsPerHour: tidy(w.ap.total / hours),
    apWakeupsByCause: causeRecord(w.ap.wakeups),
    connectedFraction: tidy(client.connectedS(endS) / endS),
    natMappingLosses: w.nat.losses,
    reconnects: obs.reconnects,
    reconnectAttempts: obs.reconnectAttempts,
    detectionLatencyS: {
      gateway: gwApplies && obs.gatewayDetectedAt !== undefined ? tidy(obs.gatewayDetectedAt - obs.clientVanishedAt!) : null,
      client: clApplies && obs.clientDetectedAt !== undefined ? tidy(obs.clientDetectedAt - obs.gatewayVanishedAt!) : null,
    },
    detected: {
      gateway: gwApplies ? obs.gatewayDetectedAt !== undefined : null,
      client: clApplies ? obs.clientDetectedAt !== undefined : null,
    },
    unreachableS: tidy(obs.unreachableS),
    promotionDelay: {
      bursts: bursts.length,
      meanS: tidy(bursts.length ? bursts.reduce((a, b) => a + b, 0) / bursts.length : 0),
      maxS: tidy(bursts.reduce((a, b) => Math.max(a, b), 0)),
    },
    lostPackets: { uplink: obs.lostUplink, downlink: obs.lostDownlink },
    events: w.q.processed,
  };
}
