/**
 * The NAT in front of the client: one UDP mapping (RFC 4787). Outbound packets create or refresh
 * it; inbound ones refresh it only if `refreshOnInbound` (RFC 4787 REQ-6 lets a NAT choose). A
 * mapping idle for `timeoutS` expires; the client's next packet then gets a new external port,
 * which the gateway only learns from an authenticated packet (RFC 7296 section 2.23). A timeout
 * of 0 means there is no NAT: nothing expires and keepalives are not sent.
 */
export class NatBinding {
  /** The external port the current mapping uses; bumps on every new mapping. */
  port = 1;
  losses = 0;
  private lastRefresh: number;
  private live = true;

  constructor(
    readonly timeoutS: number,
    readonly refreshOnInbound: boolean,
    startS = 0,
  ) {
    this.lastRefresh = startS;
  }

  get present(): boolean {
    return this.timeoutS > 0;
  }

  /** When the current mapping expires (Infinity without a NAT or with no live mapping). */
  get expiresAt(): number {
    return this.present && this.live ? this.lastRefresh + this.timeoutS : Infinity;
  }

  /** Brings the mapping's state up to time t (expiry is noticed lazily). */
  private age(t: number): void {
    if (this.present && this.live && t >= this.lastRefresh + this.timeoutS) {
      this.live = false;
      this.losses += 1;
    }
  }

  /** The client sends at t: returns the external source port the gateway sees. */
  outbound(t: number): number {
    this.age(t);
    if (!this.live) {
      this.live = true;
      this.port += 1;
    }
    this.lastRefresh = t;
    return this.port;
  }

  /** A packet from the gateway to external port `port` arrives at t: whether the NAT lets it in. */
  inbound(t: number, port: number): boolean {
    if (!this.present) return true;
    this.age(t);
    if (!this.live || port !== this.port) return false;
    if (this.refreshOnInbound) this.lastRefresh = t;
    return true;
  }

  /** Whether a packet to `port` would get through at t (no side effects beyond aging). */
  reachable(t: number, port: number): boolean {
    if (!this.present) return true;
    this.age(t);
    return this.live && port === this.port;
  }

  /** The NAT drops its state (a rebind): the next outbound packet gets a new port. */
  rebind(t: number): void {
    if (!this.present) return;
    this.age(t);
    if (this.live) {
      this.live = false;
      this.losses += 1;
    }
  }
}
