/**
 * A CHILD_SA negotiated by IKE_AUTH or CREATE_CHILD_SA (RFC 7296 1.3, 2.17): the SPIs of both
 * directions (we pick the inbound one, the peer the outbound one), the ESP transforms, the keys
 * from KEYMAT, and the narrowed traffic selectors. ESP itself is the data plane's business.
 */
import type { SkKeys } from '../crypto/suite.ts';
import type { ChildSaInfo } from './io.ts';
import type { ChildSaKeys } from './keymat.ts';
import type { Role } from './ike-sa.ts';

export interface ChildTransforms {
  readonly encr: number;
  readonly keyLength?: number;
  readonly integ?: number;
  readonly esn: boolean;
  /** DH group of a CREATE_CHILD_SA with PFS, else undefined. */
  readonly dh?: number;
}

export class ChildSa {
  /** When the CHILD_SA is to be rekeyed (Infinity: never). */
  rekeyAt = Infinity;
  /** Set once a rekey replaced it and only the Delete is missing. */
  rekeyed = false;
  /** Our Delete of it is queued or in flight (RFC 7296 2.25: a rekey of it is then refused). */
  closing = false;
  /** Our own rekey of it in flight: the nonce we sent (2.8.1 compares it). */
  rekeying: { readonly Ni: Uint8Array } | null = null;
  /**
   * A rekey the peer started while ours was in flight, already answered (2.8.1): the CHILD_SA it
   * made and the two nonces of that exchange. Our response decides which new SA is redundant.
   */
  collision: { readonly child: ChildSa; readonly nonces: readonly Uint8Array[] } | null = null;

  constructor(
    readonly spiIn: number,
    readonly spiOut: number,
    readonly transforms: ChildTransforms,
    private readonly keys: ChildSaKeys,
    /** Our part in the exchange that made it: which half of KEYMAT is ours (2.17). */
    readonly role: Role,
    readonly localTs: readonly string[],
    readonly remoteTs: readonly string[],
    readonly createdAt: number,
  ) {}

  /** Keys of the SA we receive on: the initiator-to-responder half when we are the responder (2.17). */
  get keysIn(): SkKeys {
    return this.role === 'responder' ? this.keys.i : this.keys.r;
  }

  get keysOut(): SkKeys {
    return this.role === 'responder' ? this.keys.r : this.keys.i;
  }

  info(): ChildSaInfo {
    const t = this.transforms;
    return {
      spiIn: this.spiIn,
      spiOut: this.spiOut,
      encr: t.encr,
      ...(t.keyLength !== undefined ? { keyLength: t.keyLength } : {}),
      ...(t.integ !== undefined ? { integ: t.integ } : {}),
      esn: t.esn,
      keysIn: this.keysIn,
      keysOut: this.keysOut,
      localTs: this.localTs,
      remoteTs: this.remoteTs,
    };
  }
}
