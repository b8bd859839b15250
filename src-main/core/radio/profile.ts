/**
 * Radio profiles: the data that drives the radio state machine (energy-models.md). A profile is
 * a promotion out of idle, an ordered list of tail stages the radio passes through after its last
 * packet, and an idle state. Every number in a shipped profile carries its source in `sources`
 * (keyed by the field's dotted path).
 */
import { z } from 'zod';
import { labelled, parseWith } from '../validate.ts';

const nonNeg = z.number().finite().min(0, 'must be at least 0');
const positive = z.number().finite().gt(0, 'must be greater than 0');
const power = nonNeg.max(20000, 'must be at most 20000 mW');
const duration = nonNeg.max(3600, 'must be at most 3600 s');

/** A DRX cycle: on for onDurationS of every cycleS (3GPP TS 36.321 section 5.7). */
const drxSchema = z
  .object({
    cycleS: positive.max(10.24, 'must be at most 10.24 s'),
    onDurationS: positive,
    onPowerMw: power,
    offPowerMw: power,
  })
  .strict()
  .refine((d) => d.onDurationS <= d.cycleS, { message: 'onDurationS must not exceed cycleS', path: ['onDurationS'] });

/** Idle paging: awake durationS every periodS (LTE DRX in RRC_IDLE, TS 36.304). */
const pagingSchema = z
  .object({ periodS: positive, durationS: nonNeg, powerMw: power })
  .strict()
  .refine((p) => p.durationS <= p.periodS, { message: 'durationS must not exceed periodS', path: ['durationS'] });

const promotionSchema = z.object({ durationS: duration, powerMw: power }).strict();

const stageSchema = z
  .object({
    state: z.string().min(1),
    durationS: duration,
    powerMw: power.optional(),
    drx: drxSchema.optional(),
    paging: pagingSchema.optional(),
    /** A packet in this stage is a radio wakeup (NR RRC_INACTIVE): energy here is baseline. */
    idleState: z.boolean().default(false),
    /** Cost of leaving this stage for the first tail stage (UMTS FACH -> DCH, NR resume). */
    promotion: promotionSchema.optional(),
    /** Packets up to these sizes stay in this stage (UMTS FACH RLC buffer thresholds). */
    promoteAboveBytes: z.object({ uplink: nonNeg, downlink: nonNeg }).strict().optional(),
  })
  .strict()
  .refine((s) => [s.powerMw, s.drx, s.paging].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of powerMw, drx or paging',
    path: ['powerMw'],
  })
  .refine((s) => !s.promoteAboveBytes || s.promotion, {
    message: 'promoteAboveBytes needs a promotion',
    path: ['promoteAboveBytes'],
  });

export const radioProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    name: z.string().min(1),
    technology: z.enum(['lte', 'nr-nsa', 'nr-sa', 'umts', 'wifi']),
    description: z.string().default(''),
    promotion: promotionSchema,
    tail: z.array(stageSchema).min(1, 'needs at least one stage'),
    idle: z
      .object({ state: z.string().min(1), powerMw: power.optional(), paging: pagingSchema.optional() })
      .strict()
      .refine((i) => (i.powerMw === undefined) !== (i.paging === undefined), {
        message: 'give exactly one of powerMw or paging',
        path: ['powerMw'],
      }),
    transfer: z.object({ uplinkMwPerMbps: power, downlinkMwPerMbps: power }).strict(),
    /** Delay before a secondary leg (NR in NSA mmWave) carries data; adds to data-burst delay. */
    secondaryLegDelayS: duration.default(0),
    /** Multiplies every power (NR profiles reuse LTE powers, energy-models.md). */
    powerMultiplier: positive.max(10, 'must be at most 10').default(1),
    sources: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type RadioProfile = z.output<typeof radioProfileSchema>;
export type RadioProfileInput = z.input<typeof radioProfileSchema>;
export type TailStage = RadioProfile['tail'][number];

export function parseRadioProfile(input: unknown, label = 'radio profile'): RadioProfile {
  return parseWith(radioProfileSchema, input, 'INVALID_PROFILE', labelled(input, label));
}

/** Average power of a DRX or paging cycle, or a plain power, in mW. */
export function averagePowerMw(s: {
  powerMw?: number | undefined;
  drx?: { cycleS: number; onDurationS: number; onPowerMw: number; offPowerMw: number } | undefined;
  paging?: { periodS: number; durationS: number; powerMw: number } | undefined;
}): number {
  if (s.powerMw !== undefined) return s.powerMw;
  if (s.drx) {
    const on = s.drx.onDurationS / s.drx.cycleS;
    return on * s.drx.onPowerMw + (1 - on) * s.drx.offPowerMw;
  }
  if (s.paging) return (s.paging.durationS / s.paging.periodS) * s.paging.powerMw;
  return 0;
}

/** The numeric leaves of a profile, as dotted paths (for checking that each has a source). */
export function numericPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'number') return [prefix];
  if (Array.isArray(value)) return value.flatMap((v, i) => numericPaths(v, `${prefix}.${i}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k === 'sources' ? [] : numericPaths(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [];
}
