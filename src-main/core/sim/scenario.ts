/**
 * Scenario file format (README, "Scenario files"): the network, the phone, the traffic and the
 * events a run plays out. Times are seconds of simulated time from the start of the run, at
 * which the client holds an established IKE_SA and CHILD_SA and its radio is idle.
 */
import { z } from 'zod';
import { deviceSchema } from '../device/device.ts';
import { labelled, parseWith } from '../validate.ts';

const seconds = (max: number) =>
  z.number().finite().min(0, 'must be at least 0').max(max, `must be at most ${max} s`);
const bytes = z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000_000, 'must be at most 100000000');

export const trafficSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('idle') }).strict(),
  z
    .object({
      kind: z.literal('periodic-push'),
      /** A downlink push of `bytes` every `periodS`, answered by one small uplink acknowledgement. */
      periodS: z.number().finite().min(1, 'must be at least 1 s').max(86400, 'must be at most 86400 s'),
      bytes,
    })
    .strict(),
  z
    .object({
      kind: z.literal('interactive'),
      /** Poisson arrivals of interactive sessions. */
      sessionsPerHour: z.number().finite().gt(0, 'must be greater than 0').max(3600, 'must be at most 3600'),
      /** Session length is exponential with this mean. */
      meanSessionS: z.number().finite().min(1, 'must be at least 1 s').max(86400, 'must be at most 86400 s'),
      /** During a session one uplink and one downlink packet every this many seconds. */
      packetIntervalS: z.number().finite().min(0.01, 'must be at least 0.01 s').max(3600, 'must be at most 3600 s'),
      upBytes: bytes,
      downBytes: bytes,
    })
    .strict(),
  z
    .object({
      kind: z.literal('trace'),
      /** A packet trace in columns: time (s), direction ("up" = from the client), bytes of inner payload. */
      time: z.array(z.number().finite().min(0, 'must be at least 0')),
      direction: z.array(z.enum(['up', 'down'])),
      bytes: z.array(bytes),
    })
    .strict()
    .refine((t) => t.time.length === t.direction.length && t.time.length === t.bytes.length, {
      message: 'time, direction and bytes must have the same length',
      path: ['time'],
    })
    .refine((t) => t.time.every((v, i) => i === 0 || v >= t.time[i - 1]!), {
      message: 'times must not decrease',
      path: ['time'],
    }),
]);
export type Traffic = z.output<typeof trafficSchema>;

export const eventSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('client-vanishes'),
      atS: seconds(366 * 86400),
      /** Out of coverage for this long, then back; omitted = for the rest of the run. */
      durationS: seconds(366 * 86400).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('gateway-vanishes'), atS: seconds(366 * 86400) }).strict(),
  /** The gateway loses all its SAs at atS and is back at once (a restart without state). */
  z.object({ kind: z.literal('gateway-restarts'), atS: seconds(366 * 86400) }).strict(),
  z.object({ kind: z.literal('nat-rebinds'), atS: seconds(366 * 86400) }).strict(),
]);
export type ScenarioEvent = z.output<typeof eventSchema>;

export const scenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    name: z.string().min(1, 'must not be empty'),
    description: z.string().default(''),
    sources: z.record(z.string(), z.string()).default({}),
    /** Simulated time, s (24 h unless set; `--hours` overrides). */
    durationS: z.number().finite().gt(0, 'must be greater than 0').max(366 * 86400, 'must be at most 366 days').default(86400),
    /** UDP mapping timeout of the client's NAT, s; 0 = no NAT (default 120: RFC 4787 REQ-5 minimum). */
    natTimeoutS: seconds(86400).default(120),
    natRefreshOnInbound: z.boolean().default(false),
    /** Round-trip time between client and gateway, s, not counting radio promotions (assumption: 0.1 s). */
    rttS: seconds(10).default(0.1),
    traffic: trafficSchema.default({ kind: 'idle' }),
    events: z.array(eventSchema).default([]),
    device: deviceSchema.default(() => deviceSchema.parse({})),
  })
  .strict();
export type Scenario = z.output<typeof scenarioSchema>;

/** Validates a scenario; throws INVALID_SCENARIO naming the field. */
export function parseScenario(input: unknown, label = 'scenario'): Scenario {
  return parseWith(scenarioSchema, input, 'INVALID_SCENARIO', labelled(input, label));
}
