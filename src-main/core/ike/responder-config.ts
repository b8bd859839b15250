/**
 * The responder's configuration file (`wakelab responder --config lab.json`; README, "Responder
 * configuration"): where it listens, who it is, whom it lets in (pre-shared keys, RFC 7296 2.15),
 * what it negotiates (strongSwan proposal syntax), the virtual-IP pool and local networks, and its
 * DPD and rekey policy with strongSwan's meanings and defaults. Unknown fields are refused; every
 * error names the field. Times are seconds (`S` suffix), as in policy files.
 */
import { z } from 'zod';
import { WakeLabError } from '../errors.ts';
import { parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { parseProposal, type ProposalProtocol } from './proposal-syntax.ts';
import { retransmitSchema } from '../policy/schema.ts';
import { labelled, parseWith } from '../validate.ts';

const port = z.number().int('must be a whole number').min(1, 'must be at least 1').max(65535, 'must be at most 65535');
const ipv4 = z.string().refine((s) => parseIpv4(s) !== null, 'must be an IPv4 address such as 198.18.2.2');
const cidr = z.string().refine((s) => parseCidr(s) !== null, 'must be an IPv4 prefix such as 198.18.100.0/24 (host bits zero)');
const seconds = (max: number) => z.number().finite().min(0, 'must be at least 0').max(max, `must be at most ${max} s`);

/**
 * An IKE identity as written in swanctl.conf: an IPv4 address (ID_IPV4_ADDR), `user@host`
 * (ID_RFC822_ADDR) or a host name (ID_FQDN) (RFC 7296 3.5).
 */
export const identity = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((s) => !/\s/.test(s), 'must not contain spaces');

export const responderConfigSchema = z
  .object({
    listen: z
      .object({
        address: ipv4.default('0.0.0.0'),
        /** RFC 7296 2: IKE on UDP 500. */
        ikePort: port.default(500),
        /** RFC 3948: UDP encapsulation and IKE after NAT detection on 4500. */
        nattPort: port.default(4500),
        /**
         * How datagrams are read: `batched` (recvmmsg, many per call into JavaScript, by the
         * optional addon in native/esp-crypto; node:dgram where it cannot be loaded) or `dgram`
         * (node:dgram, one call per datagram).
         */
        receive: z.enum(['batched', 'dgram']).default('batched'),
      })
      .strict()
      .default({ address: '0.0.0.0', ikePort: 500, nattPort: 4500, receive: 'batched' }),
    localId: identity,
    /** Pre-shared keys by peer identity (swanctl `secrets { ike-x { id = ..., secret = ... } }`). */
    secrets: z
      .array(z.object({ id: identity, psk: z.string().min(1, 'must not be empty') }).strict())
      .min(1, 'needs at least one { id, psk }'),
    ike: z
      .object({
        /** strongSwan syntax, e.g. "aes128-sha256-prfsha256-curve25519"; the first one the peer also offers wins. */
        proposals: z.array(z.string().min(1)).min(1, 'needs at least one proposal').default(['aes128-sha256-prfsha256-curve25519', 'aes256gcm16-prfsha256-curve25519', 'aes256-sha256-modp2048', 'chacha20poly1305-prfsha256-curve25519']),
        /** swanctl rekey_time for the IKE SA (default 4 h); 0 = never. */
        rekeyS: seconds(7 * 86400).default(14400),
        /** swanctl rand_time: each rekey time is reduced by a random part of up to this, s (default 0). */
        rekeyJitterS: seconds(7 * 86400).default(0),
      })
      .strict()
      .default({ proposals: ['aes128-sha256-prfsha256-curve25519', 'aes256gcm16-prfsha256-curve25519', 'aes256-sha256-modp2048', 'chacha20poly1305-prfsha256-curve25519'], rekeyS: 14400, rekeyJitterS: 0 }),
    esp: z
      .object({
        /** By default ESN (RFC 4304) is taken when the client offers it, and not otherwise. */
        proposals: z.array(z.string().min(1)).min(1, 'needs at least one proposal').default(['aes128-sha256-esn-noesn', 'aes256gcm16-esn-noesn', 'chacha20poly1305-esn-noesn']),
        /** swanctl children.<name>.rekey_time (default 1 h); 0 = never. */
        rekeyS: seconds(7 * 86400).default(3600),
        /** swanctl children.<name>.rand_time, s (default 0). */
        rekeyJitterS: seconds(7 * 86400).default(0),
        /** Anti-replay window in packets (RFC 4303 3.4.3), 0 = off; libipsec's default is 128. */
        replayWindow: z.number().int('must be a whole number').min(0, 'must be at least 0').max(4096, 'must be at most 4096').default(128),
        /**
         * ESP crypto, all giving the same bytes: `native` (OpenSSL contexts kept per SA by the
         * optional addon in native/esp-crypto, the fastest; node:crypto where it is not built),
         * `node` (node:crypto, OpenSSL set up per packet) or `noble` (@noble/ciphers, the core's reference).
         */
        backend: z.enum(['native', 'node', 'noble']).default('native'),
        /**
         * Rekey a CHILD_SA without ESN once this outbound sequence number is used (RFC 4303 3.3.3:
         * the counter never wraps); default 2^32 - 2^24 (esp/seq-limits.ts).
         */
        seqRekeyThreshold: z.number().int('must be a whole number').min(1, 'must be at least 1').max(0xffffffff, 'must be at most 4294967295').optional(),
      })
      .strict()
      .default({ proposals: ['aes128-sha256-esn-noesn', 'aes256gcm16-esn-noesn', 'chacha20poly1305-esn-noesn'], rekeyS: 3600, rekeyJitterS: 0, replayWindow: 128, backend: 'native' }),
    /**
     * The virtual host behind the responder (core/inner): it answers ping and UDP echo (port 7),
     * swallows UDP discard (9), and can push UDP to every client's virtual IP.
     */
    virtualHost: z
      .object({
        /** Default: the first host address of the first localTs network. */
        address: ipv4.optional(),
        echoPort: port.default(7),
        discardPort: port.default(9),
        /** Downlink traffic to each client once its CHILD_SA is up: `bytes` of UDP data to `port` every `everyS`. */
        push: z
          .array(z.object({ port, bytes: z.number().int('must be a whole number').min(0).max(65507, 'must be at most 65507'), everyS: z.number().finite().gt(0, 'must be above 0').max(86400, 'must be at most 86400 s') }).strict())
          .default([]),
      })
      .strict()
      .default({ echoPort: 7, discardPort: 9, push: [] }),
    /** Virtual IPs handed out in CP(CFG_REPLY) INTERNAL_IP4_ADDRESS (RFC 7296 3.15). */
    pool: cidr,
    /** Local networks; the client's TSr is narrowed to these (RFC 7296 2.9). */
    localTs: z.array(cidr).min(1, 'needs at least one network'),
    dpd: z
      .object({
        /** swanctl dpd_delay: a liveness check after this long without inbound IKE or ESP; 0 = off. */
        delayS: seconds(86400).default(30),
        retransmit: retransmitSchema.default({ timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 }),
        /** On failure: "clear" deletes the SAs; "keep" leaves them for the client to come back. */
        action: z.enum(['clear', 'keep']).default('clear'),
      })
      .strict()
      .default({ delayS: 30, retransmit: { timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 }, action: 'clear' }),
    /** Send COOKIE (RFC 7296 2.6) once this many IKE SAs are half-open; 0 = always. */
    cookieThreshold: z.number().int().min(0).max(1_000_000).default(30),
    /**
     * The gateway's own NAT-T keepalives (RFC 3948 4): one to each client behind a NAT after this
     * long without sending it anything, keeping a carrier's mapping open at the cost of the phone's
     * radio; 0 = off (charon sends them only when it is itself behind a NAT).
     */
    keepaliveS: seconds(3600).default(0),
    /** swanctl `mobike` (default yes): answer MOBIKE_SUPPORTED and take UPDATE_SA_ADDRESSES (RFC 4555). */
    mobike: z.boolean().default(true),
  })
  .strict();

export type ResponderConfig = z.output<typeof responderConfigSchema>;

/** Validates a responder configuration; throws INVALID_ARGUMENT naming the field. */
export function parseResponderConfig(input: unknown, label = 'responder configuration'): ResponderConfig {
  const cfg = parseWith(responderConfigSchema, input, 'INVALID_ARGUMENT', labelled(input, label));
  const ids = new Set<string>();
  for (const [i, s] of cfg.secrets.entries()) {
    if (ids.has(s.id)) throw new WakeLabError('INVALID_ARGUMENT', `${label}: secrets.${i}.id: "${s.id}" has a secret already`);
    ids.add(s.id);
  }
  const checkProposals = (list: readonly string[], protocol: ProposalProtocol, field: string): void => {
    for (const [i, text] of list.entries()) {
      try {
        parseProposal(text, protocol);
      } catch (e) {
        throw new WakeLabError('INVALID_ARGUMENT', `${label}: ${field}.${i}: ${(e as Error).message}`);
      }
    }
  };
  checkProposals(cfg.ike.proposals, 'ike', 'ike.proposals');
  checkProposals(cfg.esp.proposals, 'esp', 'esp.proposals');
  if (cfg.listen.ikePort === cfg.listen.nattPort) throw new WakeLabError('INVALID_ARGUMENT', `${label}: listen.nattPort must differ from listen.ikePort`);
  return cfg;
}
