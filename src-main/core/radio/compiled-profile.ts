/**
 * A radio profile compiled for the state machine (radio-model.ts): per tail stage, its length,
 * power, kind and promotion figures in typed arrays (seconds, watts, joules, joules per bit). A
 * profile is compiled once and the result shared, read only, by every radio that uses it: a live
 * lab of a thousand clients on one profile then reads one copy that stays in the cache, not a
 * thousand copies that each miss it (BENCHMARKS.md, "The live lab").
 */
import { averagePowerMw, type RadioProfile } from './profile.ts';

/** What a packet does to the tail stage it lands in. */
export const enum StageKind {
  /** The tail restarts from its first stage (LTE continuous reception / DRX). */
  Reset = 0,
  /** Small packets restart this stage; larger ones pay a promotion (UMTS FACH). */
  Threshold = 1,
  /** Every packet pays a promotion, then the tail restarts. */
  Promote = 2,
  /** An idle-like state: a packet is a wakeup (NR RRC_INACTIVE resume). */
  Resume = 3,
}

export interface CompiledProfile {
  readonly n: number;
  readonly dur: Float64Array;
  readonly pw: Float64Array;
  readonly kind: Uint8Array;
  readonly stageIdle: Uint8Array;
  readonly stPromoS: Float64Array;
  readonly stPromoJ: Float64Array;
  readonly thrUp: Float64Array;
  readonly thrDown: Float64Array;
  readonly stateNames: readonly string[];
  readonly idleName: string;
  readonly idleW: number;
  readonly promoS: number;
  readonly promoJ: number;
  readonly jPerBitUp: number;
  readonly jPerBitDown: number;
  /** The first tail stage simply restarts on a packet, so its charging can be deferred. */
  readonly lazy0: boolean;
}

const compiled = new WeakMap<RadioProfile, CompiledProfile>();

/** The profile compiled (once per profile object; profiles are not changed after validation). */
export function compileProfile(profile: RadioProfile): CompiledProfile {
  let c = compiled.get(profile);
  if (!c) compiled.set(profile, (c = compile(profile)));
  return c;
}

function compile(profile: RadioProfile): CompiledProfile {
  const m = profile.powerMultiplier / 1000; // mW -> W, times the profile's multiplier
  const tail = profile.tail;
  const kind = Uint8Array.from(tail, (s) => (s.idleState ? StageKind.Resume : s.promoteAboveBytes ? StageKind.Threshold : s.promotion ? StageKind.Promote : StageKind.Reset));
  const stageIdle = Uint8Array.from(tail, (s) => (s.idleState ? 1 : 0));
  return {
    n: tail.length,
    dur: Float64Array.from(tail, (s) => s.durationS),
    pw: Float64Array.from(tail, (s) => averagePowerMw(s) * m),
    kind,
    stageIdle,
    stPromoS: Float64Array.from(tail, (s) => s.promotion?.durationS ?? 0),
    stPromoJ: Float64Array.from(tail, (s) => (s.promotion ? s.promotion.durationS * s.promotion.powerMw * m : 0)),
    thrUp: Float64Array.from(tail, (s) => s.promoteAboveBytes?.uplink ?? Infinity),
    thrDown: Float64Array.from(tail, (s) => s.promoteAboveBytes?.downlink ?? Infinity),
    stateNames: tail.map((s) => s.state),
    idleName: profile.idle.state,
    idleW: averagePowerMw(profile.idle) * m,
    promoS: profile.promotion.durationS,
    promoJ: profile.promotion.durationS * profile.promotion.powerMw * m,
    // Transfer power is alpha mW per Mbps (energy-models.md): alpha mW * bits / 1e6 bit/s = alpha * bits * 1e-9 J.
    jPerBitUp: profile.transfer.uplinkMwPerMbps * profile.powerMultiplier * 1e-9,
    jPerBitDown: profile.transfer.downlinkMwPerMbps * profile.powerMultiplier * 1e-9,
    lazy0: kind[0] === StageKind.Reset && stageIdle[0] === 0,
  };
}
