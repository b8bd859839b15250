/** Choices the scenario form offers, and the defaults a traffic model starts with. */
import type { Scenario } from '../../../src-main/contract.ts';

export type Traffic = Scenario['traffic'];
export type ScenarioEvent = Scenario['events'][number];

export const TRAFFIC_KINDS: { kind: Traffic['kind']; label: string }[] = [
  { kind: 'idle', label: 'None (idle phone)' },
  { kind: 'periodic-push', label: 'Periodic downlink pushes' },
  { kind: 'interactive', label: 'Interactive sessions (Poisson)' },
  { kind: 'trace', label: 'Packet trace (scenario files only)' },
];

export const EVENT_KINDS: { kind: ScenarioEvent['kind']; label: string }[] = [
  { kind: 'client-vanishes', label: 'Client loses coverage' },
  { kind: 'gateway-vanishes', label: 'Gateway vanishes' },
  { kind: 'gateway-restarts', label: 'Gateway restarts' },
  { kind: 'nat-rebinds', label: 'NAT rebinds' },
];

/** Defaults as in the built-in scenarios (resources/scenarios/periodic-push.json, interactive.json). */
export function defaultTraffic(kind: string): Traffic {
  switch (kind) {
    case 'periodic-push':
      return { kind: 'periodic-push', periodS: 900, bytes: 1024 };
    case 'interactive':
      return { kind: 'interactive', sessionsPerHour: 4, meanSessionS: 120, packetIntervalS: 2, upBytes: 200, downBytes: 1200 };
    default:
      return { kind: 'idle' };
  }
}

/** The edited scenario as the service takes it: emptied optional inputs (null) are left out. */
export function cleanScenario(s: Scenario, durationS: number): Scenario {
  // Only a client's loss of coverage has a duration: a kind changed in the form drops it.
  const keep = (e: ScenarioEvent, k: string, v: unknown) => v !== null && v !== undefined && (k !== 'durationS' || e.kind === 'client-vanishes');
  const events = s.events.map((e) => Object.fromEntries(Object.entries(e).filter(([k, v]) => keep(e, k, v))) as ScenarioEvent);
  return { ...s, durationS, events };
}
