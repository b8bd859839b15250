/**
 * A client's radio states over the last minutes, for the Live view: the meter's recent datagrams
 * (client-meter.ts) replayed through a fresh model of its profile (radio/timeline.ts). The replay
 * starts `LEAD_S` before the window so that a tail begun just before it is drawn right; times are
 * seconds from the window's start, so `untilS` is now.
 */
import { radioTimeline, type RadioTimeline } from '../radio/timeline.ts';
import type { ClientMeter } from './client-meter.ts';

/** Longer than any profile's tail (energy-models.md: LTE about 11.6 s, UMTS about 17 s). */
const LEAD_S = 60;

export function liveTimeline(meter: ClientMeter, now: number, windowS: number): RadioTimeline {
  const start = now - windowS - LEAD_S;
  const packets = meter.recent.between(start, now).map((p) => ({ ...p, tS: p.tS - start }));
  const full = radioTimeline(meter.profile, packets, now - start);
  const cut = (t: number) => t - LEAD_S;
  return {
    untilS: windowS,
    segments: full.segments.filter((s) => s.endS > LEAD_S).map((s) => ({ startS: Math.max(0, cut(s.startS)), endS: cut(s.endS), state: s.state })),
    packets: full.packets.filter((p) => p.tS >= LEAD_S).map((p) => ({ ...p, tS: cut(p.tS) })),
    states: full.states,
  };
}
