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

/**
 * The last model used, kept only so that a RadioModel stays alive between calls. V8 gives each
 * object shape (hidden class) its own map; when no instance with that map is left, a garbage
 * collection frees the map and throws away the optimized code that depended on it, so the next
 * call would start over in the interpreter (and allocate as it goes). Holding one small model
 * (never recording, so no wakeup log) keeps the map and the optimized code. It never affects
 * results.
 */
let shapeKeeper: RadioModel | null = null;

export function estimateTrace(trace: PacketTrace, profile: RadioProfile, endS?: number): TraceEnergy {
  const radio = new RadioModel(profile);
  shapeKeeper = radio;
  const { time, up, bytes, cause } = trace;
  const n = time.length;
  radio.packets(time, up, bytes, cause, CAUSE.data);
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
