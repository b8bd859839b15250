/**
 * Radio-state timelines: which state the radio was in over the first minutes of a run, and the
 * packets that put it there, so a user sees why one policy costs more than another. Built by
 * replaying the packets the radio saw through a fresh RadioModel of the same profile (the model
 * is deterministic, so the states are the ones the run went through).
 */
import type { Cause } from '../causes.ts';
import { CAUSES, type CauseCode } from '../causes.ts';
import type { RadioProfile } from './profile.ts';
import { PROMOTION_STATE, RadioModel } from './radio-model.ts';

export interface TimelinePacket {
  tS: number;
  up: boolean;
  bytes: number;
  cause: Cause;
}

export interface RadioTimeline {
  untilS: number;
  /** Back-to-back intervals covering [0, untilS]. */
  segments: { startS: number; endS: number; state: string }[];
  packets: TimelinePacket[];
  /** Every state name the profile has, idle first, then the promotion and the tail stages in order. */
  states: string[];
}

/** Collects the packets the radio sees before `untilS` (the simulator's hook). */
export class TimelineRecorder {
  readonly packets: TimelinePacket[] = [];
  constructor(readonly untilS: number) {}

  packet(t: number, up: boolean, bytes: number, cause: CauseCode): void {
    if (t < this.untilS) this.packets.push({ tS: t, up, bytes, cause: CAUSES[cause]! });
  }
}

export function radioTimeline(profile: RadioProfile, packets: readonly TimelinePacket[], untilS: number): RadioTimeline {
  const radio = new RadioModel(profile);
  const marks: [number, string][] = [];
  let from = 0;
  for (const p of packets) {
    if (p.tS >= untilS) break;
    marks.push(...radio.statesBetween(from, p.tS));
    radio.packet(p.tS, p.up, p.bytes, CAUSES.indexOf(p.cause) as CauseCode);
    from = p.tS;
  }
  marks.push(...radio.statesBetween(from, untilS));
  return { untilS, segments: toSegments(marks, untilS), packets: packets.filter((p) => p.tS < untilS), states: stateNames(profile) };
}

/** Change points to back-to-back segments, merging repeats (a restarted stage is one segment). */
function toSegments(marks: readonly [number, string][], untilS: number): RadioTimeline['segments'] {
  const segs: RadioTimeline['segments'] = [];
  for (const [t, state] of marks) {
    if (t >= untilS) break;
    const last = segs[segs.length - 1];
    if (last && last.state === state) continue;
    if (last) {
      last.endS = t;
      if (last.endS <= last.startS) segs.pop();
    }
    const prev = segs[segs.length - 1];
    if (prev && prev.state === state) continue;
    segs.push({ startS: t, endS: untilS, state });
  }
  return segs;
}

function stateNames(profile: RadioProfile): string[] {
  const names = [profile.idle.state, PROMOTION_STATE];
  for (const s of profile.tail) if (!names.includes(s.state)) names.push(s.state);
  return names;
}
