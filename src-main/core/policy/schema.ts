/**
 * Policy file format: `{ id, name, sources, client: {...}, gateway: {...} }` (README, "Policy
 * files"). Omitted fields take charon's defaults (strongswan-behaviour.md, "charon defaults");
 * unknown fields are rejected so a typo never silently does nothing. Times are seconds (`S`).
 */
import { z } from 'zod';
import { labelled, parseWith } from '../validate.ts';

const seconds = (max: number) =>
  z.number().finite().min(0, 'must be at least 0').max(max, `must be at most ${max} s`);

/** A timer that is off at 0; tiny positive values are refused (they would flood the simulator). */
const offOrAtLeast = (min: number, max: number) =>
  seconds(max).refine((v) => v === 0 || v >= min, `must be 0 (off) or at least ${min} s`);

/**
 * Retransmission schedule as charon has it: attempt n (0 = the first send) waits
 * timeoutS x base^n; after `tries` retransmissions and the last wait the exchange fails.
 * charon: retransmit_timeout 4.0, retransmit_base 1.8, retransmit_tries 5, jitter 0, no limit.
 */
export const retransmitSchema = z
  .object({
    timeoutS: z.number().finite().min(0.01, 'must be at least 0.01 s').max(600, 'must be at most 600 s').default(4),
    base: z.number().finite().min(1, 'must be at least 1').max(10, 'must be at most 10').default(1.8),
    tries: z.number().int('must be a whole number').min(0, 'must be at least 0').max(20, 'must be at most 20').default(5),
    /** Each wait is reduced by a random 0..jitterPct percent (charon's retransmit_jitter). */
    jitterPct: z.number().finite().min(0, 'must be at least 0').max(100, 'must be at most 100').default(0),
    /** Upper bound on one wait, 0 = none (charon's retransmit_limit). */
    limitS: seconds(86400).default(0),
  })
  .strict();
export type Retransmit = z.output<typeof retransmitSchema>;

export const reconnectSchema = z
  .object({
    /** 'retry': after a failure the client starts a new IKE_SA; 'never': it stays down. */
    mode: z.enum(['retry', 'never']).default('retry'),
    /** Wait before the first new attempt. */
    delayS: seconds(86400).default(0),
    /** Wait after a failed attempt; doubles each time up to maxRetryS. */
    retryS: z.number().finite().min(1, 'must be at least 1 s').max(86400, 'must be at most 86400 s').default(30),
    maxRetryS: z.number().finite().min(1, 'must be at least 1 s').max(86400, 'must be at most 86400 s').default(600),
  })
  .strict();

export const clientSchema = z
  .object({
    /** NAT-T keepalive interval (RFC 3948 section 4), sent only after this long without outbound traffic; 0 = off. */
    keepaliveS: offOrAtLeast(1, 3600).default(20),
    /** Keepalives are sent by the modem or WiFi firmware on a fixed period: the radio wakes, the processor does not. */
    keepaliveOffload: z.boolean().default(false),
    /** charon's keep_alive_dpd_margin: past interval + margin without sending, a DPD replaces the keepalive; 0 = off. */
    keepaliveDpdMarginS: seconds(3600).default(0),
    /** charon's dpd_delay on the client: a liveness check after this long without inbound IKE or ESP; 0 = off. */
    dpdDelayS: offOrAtLeast(1, 86400).default(0),
    /** Send a due DPD at the next keepalive instead of on its own, so it shares the keepalive's radio tail. */
    dpdWithKeepalive: z.boolean().default(false),
    retransmit: retransmitSchema.default({ timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 }),
    /** IKE_SA rekey time and its random reduction (swanctl rekey_time / rand_time); 0 = never. */
    ikeRekeyS: offOrAtLeast(60, 7 * 86400).default(14400),
    ikeRekeyJitterS: seconds(7 * 86400).default(1440),
    childRekeyS: offOrAtLeast(60, 7 * 86400).default(3600),
    childRekeyJitterS: seconds(7 * 86400).default(360),
    /** 'exact': each timer is a wake-up alarm that fires on time; 'inexact': deferred to the next maintenance window. */
    alarms: z.enum(['exact', 'inexact']).default('exact'),
    /** The sleep interval: maintenance windows every this many seconds (inexact alarms only). */
    sleepIntervalS: offOrAtLeast(1, 6 * 3600).default(0),
    /** Timers at most this long keep the processor awake (a wake lock) instead of setting an alarm. */
    wakelockMaxS: seconds(60).default(0),
    reconnect: reconnectSchema.default({ mode: 'retry', delayS: 0, retryS: 30, maxRetryS: 600 }),
  })
  .strict()
  .refine((c) => c.alarms === 'exact' || c.sleepIntervalS > 0, {
    message: 'inexact alarms need a sleepIntervalS greater than 0',
    path: ['sleepIntervalS'],
  })
  .refine((c) => !c.dpdWithKeepalive || (c.keepaliveS > 0 && c.dpdDelayS > 0), {
    message: 'dpdWithKeepalive needs both keepaliveS and dpdDelayS greater than 0',
    path: ['dpdWithKeepalive'],
  })
  .refine((c) => c.ikeRekeyJitterS < c.ikeRekeyS || c.ikeRekeyS === 0, {
    message: 'must be less than ikeRekeyS',
    path: ['ikeRekeyJitterS'],
  })
  .refine((c) => c.childRekeyJitterS < c.childRekeyS || c.childRekeyS === 0, {
    message: 'must be less than childRekeyS',
    path: ['childRekeyJitterS'],
  })
  .refine((c) => !c.keepaliveOffload || c.keepaliveS === 0 || c.keepaliveS >= 10, {
    message: 'offloaded keepalives run every 10 to 3600 s (Android SocketKeepalive)',
    path: ['keepaliveS'],
  });

export const gatewaySchema = z
  .object({
    /** dpd_delay: a liveness check after this long without inbound IKE or ESP (keepalives do not count); 0 = off (swanctl default). */
    dpdDelayS: offOrAtLeast(1, 86400).default(0),
    retransmit: retransmitSchema.default({ timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 }),
    /** On a failed liveness check: 'clear' deletes the SA (the client must reconnect when it notices); 'keep' leaves it. */
    dpdAction: z.enum(['clear', 'keep']).default('clear'),
    ikeRekeyS: offOrAtLeast(60, 7 * 86400).default(14400),
    ikeRekeyJitterS: seconds(7 * 86400).default(1440),
    childRekeyS: offOrAtLeast(60, 7 * 86400).default(3600),
    childRekeyJitterS: seconds(7 * 86400).default(360),
    /**
     * While the client seems asleep (it sent NAT-T keepalives within this window), hold a due DPD
     * until just after its next keepalive, so the DPD rides that keepalive's radio tail; 0 = off.
     */
    dpdDeferMaxS: offOrAtLeast(1, 3600).default(0),
  })
  .strict()
  .refine((g) => g.ikeRekeyJitterS < g.ikeRekeyS || g.ikeRekeyS === 0, {
    message: 'must be less than ikeRekeyS',
    path: ['ikeRekeyJitterS'],
  })
  .refine((g) => g.childRekeyJitterS < g.childRekeyS || g.childRekeyS === 0, {
    message: 'must be less than childRekeyS',
    path: ['childRekeyJitterS'],
  });

export const policySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
    name: z.string().min(1, 'must not be empty'),
    description: z.string().default(''),
    /** Where each value comes from, keyed by dotted path (e.g. "client.keepaliveS"). */
    sources: z.record(z.string(), z.string()).default({}),
    client: clientSchema.default(() => clientSchema.parse({})),
    gateway: gatewaySchema.default(() => gatewaySchema.parse({})),
  })
  .strict();

export type Policy = z.output<typeof policySchema>;
export type ClientPolicy = Policy['client'];
export type GatewayPolicy = Policy['gateway'];

/** Validates a policy (file contents or a built-in preset); throws INVALID_POLICY naming the field. */
export function parsePolicy(input: unknown, label = 'policy'): Policy {
  return parseWith(policySchema, input, 'INVALID_POLICY', labelled(input, label));
}
