/**
 * Energy of a columnar packet trace on one radio profile: every packet goes through the same
 * RadioModel the simulator uses, in one pass. This is the hot path for replaying long recordings.
 */
import { CAUSE } from '../causes.ts';
import type { RadioProfile } from '../radio/profile.ts';
import { RadioModel } from '../radio/radio-model.ts';
import type { PacketTrace } from './trace.ts';

export interface TraceEnergy {
  packets: number;
  durationS: number;
  energyJ: number;
  energyByCause: Float64Array;
  radioWakeups: number;
  wakeupsByCause: Float64Array;
}

export function estimateTrace(trace: PacketTrace, profile: RadioProfile, endS?: number): TraceEnergy {
  const radio = new RadioModel(profile);
  const { time, up, bytes, cause } = trace;
  const n = time.length;
  if (cause) {
    for (let i = 0; i < n; i++) radio.packet(time[i]!, up[i] === 1, bytes[i]!, cause[i] as 0);
  } else {
    const data = CAUSE.data;
    for (let i = 0; i < n; i++) radio.packet(time[i]!, up[i] === 1, bytes[i]!, data);
  }
  const end = endS ?? (n > 0 ? time[n - 1]! : 0);
  radio.finish(end);
  return {
    packets: n,
    durationS: end,
    energyJ: radio.totalJ,
    energyByCause: radio.energyJ,
    radioWakeups: radio.totalWakeups,
    wakeupsByCause: radio.wakeups,
  };
}
