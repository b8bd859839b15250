/**
 * The fleet configuration (`wakelab fleet --config fleet.json`; docs/fleet.md): groups of emulated
 * libipsec-style clients (emulated-client.ts), each group with a client policy (a preset id or a
 * policy file) and a background data pattern, all against one responder over loopback, in real
 * time or accelerated. Optionally the lab itself (a lab configuration, lab-config.ts) runs in the
 * same process, sharing the time scale. Unknown fields are refused; every error names its field.
 */
import { z } from 'zod';
import { WakeLabError } from '../errors.ts';
import { parseProposal } from '../ike/proposal-syntax.ts';
import { parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { labelled, parseWith } from '../validate.ts';

const port = z.number().int('must be a whole number').min(1, 'must be at least 1').max(65535, 'must be at most 65535');
const ipv4 = z.string().refine((s) => parseIpv4(s) !== null, 'must be an IPv4 address such as 127.0.0.1');
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"').max(32, 'must be at most 32 characters');

const trafficSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('idle') }).strict(),
  z
    .object({
      kind: z.literal('periodic'),
      /** Seconds between datagrams (lab time). */
      everyS: z.number().finite().min(0.1, 'must be at least 0.1 s').max(86400, 'must be at most 86400 s'),
      /** Inner IPv4 packet size, octets (IPv4 + UDP headers included). */
      bytes: z.number().int('must be a whole number').min(28, 'must be at least 28 (IPv4 and UDP headers)').max(1400, 'must be at most 1400'),
      /** To the virtual host's echo port (a reply comes back) rather than discard. */
      echo: z.boolean().default(false),
    })
    .strict(),
]);

export const fleetConfigSchema = z
  .object({
    /** For lists (the Live view's fleet templates). */
    name: z.string().max(200, 'must be at most 200 characters').optional(),
    description: z.string().max(2000, 'must be at most 2000 characters').optional(),
    /** A lab configuration file to run in this process (the responder is then found by itself). */
    lab: z.string().min(1, 'must not be empty').optional(),
    /** The responder to connect to (default: the lab's listen address and ports, else 127.0.0.1:500/4500). */
    server: z.object({ address: ipv4, ikePort: port.default(500), nattPort: port.default(4500) }).strict().optional(),
    remoteId: z.string().min(1).default('gw.wakelab'),
    /** The pre-shared key of every client (the responder needs it for `*` + idSuffix). */
    psk: z.string().min(1, 'must not be empty'),
    /** Client i of group g is `g-i` + idSuffix, e.g. android-3@fleet.wakelab. */
    idSuffix: z.string().regex(/^[@.][a-z0-9.-]+$/, 'must start with "@" or "." and hold lower-case letters, digits, "." and "-"').default('@fleet.wakelab'),
    /** Where the clients' sockets are: one UDP port each, from firstPort up. */
    local: z.object({ address: ipv4.default('127.0.0.1'), firstPort: port.default(30000) }).strict().default({ address: '127.0.0.1', firstPort: 30000 }),
    /** Lab seconds per real second; must equal the lab's. */
    timeScale: z.number().finite().min(0.001, 'must be at least 0.001').max(10000, 'must be at most 10000').default(1),
    /** Stop after this many lab seconds (0: until interrupted). */
    durationS: z.number().finite().min(0, 'must be at least 0').max(366 * 86400, 'must be at most 366 days').default(0),
    /** Clients start spread evenly over this many lab seconds. */
    startWithinS: z.number().finite().min(0, 'must be at least 0').max(86400, 'must be at most 86400 s').default(10),
    ike: z.object({ proposals: z.array(z.string().min(1)).min(1, 'needs at least one proposal').default(['aes128-sha256-prfsha256-curve25519']) }).strict().default({ proposals: ['aes128-sha256-prfsha256-curve25519'] }),
    // Each also offered by the responder's defaults (responder-config.ts), so a CHILD_SA comes up.
    esp: z.object({ proposals: z.array(z.string().min(1)).min(1, 'needs at least one proposal').default(['aes128gcm16', 'aes256gcm16', 'aes128-sha256']) }).strict().default({ proposals: ['aes128gcm16', 'aes256gcm16', 'aes128-sha256'] }),
    remoteTs: z.string().refine((s) => parseCidr(s) !== null, 'must be an IPv4 prefix such as 198.18.100.0/24').default('198.18.100.0/24'),
    virtualHost: z
      .object({ address: ipv4.default('198.18.100.1'), echoPort: port.default(7), discardPort: port.default(9) })
      .strict()
      .default({ address: '198.18.100.1', echoPort: 7, discardPort: 9 }),
    /** Fake a NAT (strongSwan encap = yes) so that clients send keepalives on loopback (default true). */
    fakeNat: z.boolean().default(true),
    groups: z
      .array(
        z
          .object({
            name,
            /** A policy preset id (`wakelab presets`) or the path of a policy file. */
            policy: z.string().min(1, 'must not be empty'),
            count: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10000, 'must be at most 10000'),
            traffic: trafficSchema.default({ kind: 'idle' }),
          })
          .strict(),
      )
      .min(1, 'needs at least one group'),
  })
  .strict();

export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type FleetGroup = FleetConfig['groups'][number];

/** The most clients one fleet may start (ports and sockets are per client). */
export const MAX_FLEET = 10000;

export function parseFleetConfig(input: unknown, label = 'fleet configuration'): FleetConfig {
  const cfg = parseWith(fleetConfigSchema, input, 'INVALID_ARGUMENT', labelled(input, label));
  const names = new Set<string>();
  for (const [i, g] of cfg.groups.entries()) {
    if (names.has(g.name)) throw new WakeLabError('INVALID_ARGUMENT', `${label}: groups.${i}.name: "${g.name}" is used twice`);
    names.add(g.name);
  }
  const total = cfg.groups.reduce((n, g) => n + g.count, 0);
  if (total > MAX_FLEET) throw new WakeLabError('INVALID_ARGUMENT', `${label}: groups: ${total} clients, at most ${MAX_FLEET}`);
  if (cfg.local.firstPort + total - 1 > 65535) throw new WakeLabError('INVALID_ARGUMENT', `${label}: local.firstPort: ${total} clients need ports ${cfg.local.firstPort} to ${cfg.local.firstPort + total - 1}, past 65535`);
  for (const [field, list, protocol] of [['ike.proposals', cfg.ike.proposals, 'ike'], ['esp.proposals', cfg.esp.proposals, 'esp']] as const) {
    for (const [i, text] of list.entries()) {
      try {
        parseProposal(text, protocol);
      } catch (e) {
        throw new WakeLabError('INVALID_ARGUMENT', `${label}: ${field}.${i}: ${(e as Error).message}`);
      }
    }
  }
  return cfg;
}

/** The identity of client `i` (from 0) of a group. */
export function fleetIdentity(cfg: Pick<FleetConfig, 'idSuffix'>, group: string, i: number): string {
  return `${group}-${i + 1}${cfg.idSuffix}`;
}

/** The group of a fleet identity (fleetIdentity backwards), or null for any other identity. */
export function fleetGroupOf(idSuffix: string, identity: string): string | null {
  if (!identity.endsWith(idSuffix)) return null;
  const base = identity.slice(0, -idSuffix.length);
  const dash = base.lastIndexOf('-');
  return dash > 0 ? base.slice(0, dash) : null;
}
