/**
 * The responder configuration turned into what the exchanges use: parsed proposals, identities,
 * secrets as bytes, the address pool and local networks.
 */
import { parseCidr, parseIpv4, type Cidr } from '../net/ipv4.ts';
import type { Retransmit } from '../policy/schema.ts';
import { AddressPool } from './address-pool.ts';
import { parseProposals, type Proposal } from './proposal-syntax.ts';
import type { ClientConfig } from './client-config.ts';
import type { ResponderConfig } from './responder-config.ts';
import type { Identification } from './wire/id.ts';

export interface IkePolicy {
  readonly localId: Identification;
  readonly secrets: ReadonlyMap<string, Uint8Array>;
  readonly ikeProposals: readonly Proposal[];
  readonly espProposals: readonly Proposal[];
  readonly pool: AddressPool | null;
  readonly localTs: readonly Cidr[];
  readonly dpd: { readonly delayS: number; readonly retransmit: Retransmit; readonly action: 'clear' | 'keep' };
  /** Retransmission of our own requests other than DPD (rekeys, deletes): charon's defaults. */
  readonly retransmit: Retransmit;
  readonly ikeRekeyS: number;
  readonly espRekeyS: number;
  /**
   * Random reduction of each rekey time, up to this many seconds (swanctl rand_time; strongSwan's
   * Android app: 600 s for the IKE SA, 300 s for CHILD_SAs). Absent = 0.
   */
  readonly ikeRekeyJitterS?: number;
  readonly espRekeyJitterS?: number;
  readonly cookieThreshold: number;
  readonly keepaliveS: number;
  /** MOBIKE (RFC 4555): offered (initiator) or accepted (responder). */
  readonly mobike: boolean;
}

/**
 * The pre-shared key for a peer identity: its own entry, else the longest wildcard entry whose
 * suffix matches (`*@fleet.wakelab` for every `...@fleet.wakelab`, as strongSwan matches
 * identities with wildcards in its secrets). Undefined when none matches.
 */
export function pskFor(secrets: ReadonlyMap<string, Uint8Array>, peerId: string): Uint8Array | undefined {
  const exact = secrets.get(peerId);
  if (exact) return exact;
  let best: [number, Uint8Array] | undefined;
  for (const [id, psk] of secrets) {
    if (!id.startsWith('*')) continue;
    const suffix = id.slice(1);
    if (peerId.endsWith(suffix) && (!best || suffix.length > best[0])) best = [suffix.length, psk];
  }
  return best?.[1];
}

/** An identity as swanctl.conf writes it (RFC 7296 3.5): IPv4 address, user@host, or a host name. */
export function identityOf(text: string): Identification {
  if (parseIpv4(text) !== null) return { kind: 'ipv4', address: text };
  if (text.includes('@')) return { kind: 'rfc822', name: text };
  return { kind: 'fqdn', name: text };
}

/** The text a received identity is looked up by (the secrets' ids are written this way). */
export function identityText(id: Identification): string {
  switch (id.kind) {
    case 'ipv4':
    case 'ipv6':
      return id.address;
    case 'fqdn':
    case 'rfc822':
      return id.name;
    case 'key-id':
      return `keyid:${[...id.keyId].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    default:
      return `id-type-${id.idType}`;
  }
}

export function ikePolicyOf(c: ResponderConfig): IkePolicy {
  const enc = new TextEncoder();
  return {
    localId: identityOf(c.localId),
    secrets: new Map(c.secrets.map((s) => [s.id, enc.encode(s.psk)])),
    ikeProposals: parseProposals(c.ike.proposals, 'ike'),
    espProposals: parseProposals(c.esp.proposals, 'esp'),
    pool: new AddressPool(parseCidr(c.pool)!),
    localTs: c.localTs.map((t) => parseCidr(t)!),
    dpd: c.dpd,
    retransmit: { timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 },
    ikeRekeyS: c.ike.rekeyS,
    espRekeyS: c.esp.rekeyS,
    ikeRekeyJitterS: c.ike.rekeyJitterS,
    espRekeyJitterS: c.esp.rekeyJitterS,
    cookieThreshold: c.cookieThreshold,
    keepaliveS: c.keepaliveS,
    mobike: c.mobike,
  };
}

/** The initiator's policy from its configuration: what it offers and how it keeps the SA alive. */
export function clientPolicyOf(c: ClientConfig): IkePolicy {
  return {
    localId: identityOf(c.localId),
    secrets: new Map(),
    ikeProposals: parseProposals(c.ike.proposals, 'ike'),
    espProposals: parseProposals(c.esp.proposals, 'esp'),
    pool: null,
    localTs: [],
    dpd: { delayS: c.dpd.delayS, retransmit: c.dpd.retransmit, action: 'clear' },
    retransmit: c.retransmit,
    ikeRekeyS: c.ike.rekeyS,
    espRekeyS: c.esp.rekeyS,
    cookieThreshold: 0,
    keepaliveS: c.keepaliveS,
    // Our client does not roam (yet): it does not offer MOBIKE.
    mobike: false,
  };
}
