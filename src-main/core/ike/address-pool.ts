/**
 * The virtual-IP pool a responder answers CP(CFG_REQUEST) INTERNAL_IP4_ADDRESS from (RFC 7296
 * 3.15.1, 2.19). Sans-IO and deterministic: the next free address after the last one leased is
 * handed out (wrapping round), so a full pool is not searched from the start each time. An
 * identity gets its previous address back while that is free (as charon's in-memory pools do),
 * and a lease is released when the IKE SA that holds it goes.
 */
import { cidrRange, type Cidr } from '../net/ipv4.ts';

export class AddressPool {
  private readonly start: number;
  private readonly size: number;
  private readonly leased = new Map<number, string>();
  private readonly lastOf = new Map<string, number>();
  /** Where the search for a free address starts: just after the last one handed out. */
  private cursor = 0;

  constructor(cidr: Cidr) {
    const { start, end } = cidrRange(cidr);
    // A /31 or /32 pool hands out every address; larger ones skip the network and broadcast address.
    const skip = cidr.prefix <= 30 ? 1 : 0;
    this.start = start + skip;
    this.size = end - start + 1 - 2 * skip;
  }

  get capacity(): number {
    return this.size;
  }

  get inUse(): number {
    return this.leased.size;
  }

  /** Leases an address to `owner` (an IKE identity); null when the pool is exhausted. */
  lease(owner: string): number | null {
    const previous = this.lastOf.get(owner);
    if (previous !== undefined && !this.leased.has(previous)) return this.take(previous, owner);
    for (let i = 0; i < this.size; i++) {
      const at = (this.cursor + i) % this.size;
      const a = (this.start + at) >>> 0;
      if (!this.leased.has(a)) {
        this.cursor = (at + 1) % this.size;
        return this.take(a, owner);
      }
    }
    return null;
  }

  /** Takes `address` for `owner` (an SA restored from a snapshot); false if it is outside the pool or taken. */
  claim(address: number, owner: string): boolean {
    const at = (address - this.start) >>> 0;
    if (at >= this.size || this.leased.has(address)) return false;
    this.take(address, owner);
    return true;
  }

  release(address: number): void {
    this.leased.delete(address);
  }

  private take(a: number, owner: string): number {
    this.leased.set(a, owner);
    this.lastOf.set(owner, a);
    return a;
  }
}
