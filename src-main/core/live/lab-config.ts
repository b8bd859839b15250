/**
 * The lab configuration (`wakelab lab --config lab.json`; README "Lab configuration"): the
 * responder's configuration (ike/responder-config.ts), given inline or as the path of its file,
 * and what the live estimator assumes about the clients: the radio profile of each client (by IKE
 * identity, RFC 7296 3.5), with a default for the others, and how often the recording is committed
 * to the database. Unknown fields are refused; every error names the field.
 */
import { z } from 'zod';
import { identity, parseResponderConfig, type ResponderConfig } from '../ike/responder-config.ts';
import { retransmitSchema } from '../policy/schema.ts';
import { labelled, parseWith } from '../validate.ts';
import type { BackgroundTraffic } from './client-meter.ts';

const profileId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a radio profile id such as lte or nr-sa');
/** The phone's own traffic the gateway does not see (client-meter.ts BackgroundTraffic). */
const background = z
  .object({
    everyS: z.number().finite().min(1, 'must be at least 1 s').max(86400, 'must be at most 86400 s'),
    bytes: z.number().int('must be a whole number').min(29, 'must be at least 29 (an IPv4/UDP datagram)').max(65535, 'must be at most 65535'),
  })
  .strict();

export const labConfigSchema = z
  .object({
    /** For lists (the Live view's choice of labs). */
    name: z.string().max(200, 'must be at most 200 characters').optional(),
    description: z.string().max(2000, 'must be at most 2000 characters').optional(),
    /** The responder's configuration, or the path of its file (relative to the lab file). */
    responder: z.union([z.string().min(1, 'must not be empty'), z.record(z.string(), z.unknown())]),
    /** Radio profile of clients not listed in `clients`. */
    radio: profileId.default('lte'),
    clients: z.record(identity, z.object({ radio: profileId.optional(), background: background.nullable().optional() }).strict()).default({}),
    /** A background-traffic model for every client (null: none, the default); `clients` may override it. */
    background: background.nullable().default(null),
    /**
     * How often queued SA events are committed, real seconds (whatever the time scale); every commit is one transaction. Packets and
     * wakeups go a chunk row each within 5 s, totals every 5 s (node/live/session-writer.ts). What is not yet committed is what a crash
     * can lose.
     */
    commitEveryS: z.number().finite().min(0.01, 'must be at least 0.01 s').max(60, 'must be at most 60 s').default(0.25),
    /**
     * Lab seconds per real second (default 1): an accelerated lab, for emulated clients that run
     * at the same scale (`wakelab fleet`). Real clients need 1.
     */
    timeScale: z.number().finite().min(0.001, 'must be at least 0.001').max(10000, 'must be at most 10000').default(1),
  })
  .strict();

export type LabConfigInput = z.output<typeof labConfigSchema>;

export interface LabConfig {
  readonly responder: ResponderConfig;
  readonly radio: string;
  readonly clients: Readonly<Record<string, { readonly radio?: string; readonly background?: BackgroundTraffic | null }>>;
  readonly background: BackgroundTraffic | null;
  readonly commitEveryS: number;
  readonly timeScale: number;
}

/**
 * Validates a lab configuration. `readResponder` loads the responder file when `responder` is a
 * path (the node adapter resolves it against the lab file's folder).
 */
export function parseLabConfig(input: unknown, label: string, readResponder: (path: string) => { value: unknown; label: string }): LabConfig {
  const raw = parseWith(labConfigSchema, input, 'INVALID_ARGUMENT', labelled(input, label));
  let responder: ResponderConfig;
  if (typeof raw.responder === 'string') {
    const file = readResponder(raw.responder);
    responder = parseResponderConfig(file.value, file.label);
  } else {
    responder = parseResponderConfig(raw.responder, `${label}: responder`);
  }
  return { responder, radio: raw.radio, clients: raw.clients, background: raw.background, commitEveryS: raw.commitEveryS, timeScale: raw.timeScale };
}

/**
 * What can change while the lab runs (the Live view's controls, RunningLab.setPolicy): the DPD
 * delay and retransmissions, the gateway's keepalive interval, the default radio profile and each
 * client's. Existing SAs follow at their next timer; each change is logged in the sessions.
 */
export const labPolicyPatchSchema = z
  .object({
    dpd: z.object({ delayS: z.number().finite().min(0, 'must be at least 0').max(86400, 'must be at most 86400 s').optional(), retransmit: retransmitSchema.optional() }).strict().optional(),
    keepaliveS: z.number().finite().min(0, 'must be at least 0').max(3600, 'must be at most 3600 s').optional(),
    radio: profileId.optional(),
    clients: z.record(identity, profileId).optional(),
  })
  .strict();

export type LabPolicyPatch = z.output<typeof labPolicyPatchSchema>;

export function parseLabPolicyPatch(input: unknown, label = 'policy change'): LabPolicyPatch {
  return parseWith(labPolicyPatchSchema, input, 'INVALID_ARGUMENT', label);
}

/** The background-traffic model of a client (its own, else the lab's), null for none. */
export function backgroundOf(cfg: LabConfig, client: string): BackgroundTraffic | null {
  const own = cfg.clients[client]?.background;
  return own === undefined ? cfg.background : own;
}

/** The configuration without secrets, for the database and the UI. */
export function redactedLabConfig(cfg: LabConfig): object {
  return { ...cfg, responder: { ...cfg.responder, secrets: cfg.responder.secrets.map((s) => ({ id: s.id, psk: '(not stored)' })) } };
}
