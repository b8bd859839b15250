/**
 * The initiator's configuration file (`wakelab client --config client.json`; README, "Client
 * configuration"): which responder to reach, who we are, the pre-shared key, what we offer
 * (strongSwan proposal syntax), the networks we want, and the client policy that keeps the SA
 * alive (NAT-T keepalive, DPD, rekeys) with strongSwan's meanings and defaults.
 */
import { z } from 'zod';
import { WakeLabError } from '../errors.ts';
import { parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { retransmitSchema } from '../policy/schema.ts';
import { labelled, parseWith } from '../validate.ts';
import { parseProposal, type ProposalProtocol } from './proposal-syntax.ts';
import { identity } from './responder-config.ts';

const port = z.number().int('must be a whole number').min(1, 'must be at least 1').max(65535, 'must be at most 65535');
const ipv4 = z.string().refine((s) => parseIpv4(s) !== null, 'must be an IPv4 address such as 198.18.2.2');
const cidr = z.string().refine((s) => parseCidr(s) !== null, 'must be an IPv4 prefix such as 198.18.100.0/24 (host bits zero)');
const seconds = (max: number) => z.number().finite().min(0, 'must be at least 0').max(max, `must be at most ${max} s`);
const RETRANSMIT = { timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 };

export const clientConfigSchema = z
  .object({
    server: z.object({ address: ipv4, ikePort: port.default(500), nattPort: port.default(4500) }).strict(),
    /** Where we send from; set address to the one the responder sees us by for exact NAT detection. */
    local: z
      .object({ address: ipv4.default('0.0.0.0'), ikePort: port.default(500), nattPort: port.default(4500) })
      .strict()
      .default({ address: '0.0.0.0', ikePort: 500, nattPort: 4500 }),
    localId: identity,
    /** The responder's identity we expect (sent as IDr); omit to accept any. */
    remoteId: identity.optional(),
    psk: z.string().min(1, 'must not be empty'),
    ike: z
      .object({ proposals: z.array(z.string().min(1)).min(1).default(['aes128-sha256-prfsha256-curve25519']), rekeyS: seconds(7 * 86400).default(14400) })
      .strict()
      .default({ proposals: ['aes128-sha256-prfsha256-curve25519'], rekeyS: 14400 }),
    esp: z
      .object({ proposals: z.array(z.string().min(1)).min(1).default(['aes128-sha256']), rekeyS: seconds(7 * 86400).default(3600) })
      .strict()
      .default({ proposals: ['aes128-sha256'], rekeyS: 3600 }),
    /** What we want to reach through the tunnel (TSr). */
    remoteTs: z.array(cidr).min(1).default(['0.0.0.0/0']),
    /** Ask for a virtual IP (CP CFG_REQUEST INTERNAL_IP4_ADDRESS, RFC 7296 3.15). */
    virtualIp: z.boolean().default(true),
    /** charon.keep_alive: a NAT-T keepalive after this long without outbound packets, behind a NAT; 0 = off. */
    keepaliveS: seconds(3600).default(20),
    dpd: z
      .object({ delayS: seconds(86400).default(0), retransmit: retransmitSchema.default(RETRANSMIT) })
      .strict()
      .default({ delayS: 0, retransmit: RETRANSMIT }),
    /** Retransmission of our other requests (charon's defaults). */
    retransmit: retransmitSchema.default(RETRANSMIT),
    /** Delete the SA and exit after this long; 0 = run until interrupted. */
    durationS: seconds(366 * 86400).default(0),
  })
  .strict();

export type ClientConfig = z.output<typeof clientConfigSchema>;

export function parseClientConfig(input: unknown, label = 'client configuration'): ClientConfig {
  const cfg = parseWith(clientConfigSchema, input, 'INVALID_ARGUMENT', labelled(input, label));
  for (const [protocol, list] of [['ike', cfg.ike.proposals], ['esp', cfg.esp.proposals]] as const) {
    for (const [i, text] of list.entries()) {
      try {
        parseProposal(text, protocol as ProposalProtocol);
      } catch (e) {
        throw new WakeLabError('INVALID_ARGUMENT', `${label}: ${protocol}.proposals.${i}: ${(e as Error).message}`);
      }
    }
  }
  if (cfg.local.ikePort === cfg.local.nattPort) throw new WakeLabError('INVALID_ARGUMENT', `${label}: local.nattPort must differ from local.ikePort`);
  return cfg;
}
