/**
 * Stateless cookies against IKE_SA_INIT floods, RFC 7296 section 2.6:
 *
 *   Cookie = <VersionIDofSecret> | Hash(Ni | <IPi> | <SPIi> | <secret>)
 *
 * Ni is the initiator's nonce data, IPi its address (4 or 16 octets, as the datagram carried it),
 * SPIi its SPI. Here VersionIDofSecret is a 4-octet counter and Hash is SHA-256 (suite.hash), so
 * a cookie is 36 octets (2.6 allows 1 to 64). The jar keeps the current secret and the one before
 * it: 2.6 asks for the secret to change often, and a cookie handed out just before a change must
 * still pass when the initiator comes back with it. Secrets are drawn from the CryptoSuite and the
 * caller rotates them with `now`, so the jar stays sans-IO.
 */
import { concatBytes, constantTimeEqual } from '../bytes/hex.ts';
import { expectBytes } from '../crypto/args.ts';
import type { CryptoSuite } from '../crypto/suite.ts';

export const COOKIE_VERSION_BYTES = 4;
/** VersionIDofSecret and a SHA-256 digest. */
export const COOKIE_BYTES = COOKIE_VERSION_BYTES + 32;
const SECRET_BYTES = 32;

interface Secret {
  readonly version: number;
  readonly secret: Uint8Array;
}

export class CookieJar {
  private current: Secret;
  private previous: Secret | null = null;
  private rotatedAt: number | undefined;

  /** `periodS`: how long a secret is the current one (and then, for as long again, the previous). */
  constructor(
    private readonly suite: CryptoSuite,
    readonly periodS = 60,
  ) {
    if (!(typeof periodS === 'number' && Number.isFinite(periodS) && periodS > 0)) {
      throw new RangeError(`"periodS" expected a positive number of seconds, got ${String(periodS)}`);
    }
    this.current = { version: 0, secret: suite.randomBytes(SECRET_BYTES) };
  }

  /** When `rotate` will next change the secret (Infinity until it has first seen the time). */
  get nextRotation(): number {
    return this.rotatedAt === undefined ? Infinity : this.rotatedAt + this.periodS;
  }

  /**
   * Changes the secret once the current one is `periodS` old (the first call only starts the
   * clock). After two periods without a call the old secret is dropped too: its cookies are stale.
   */
  rotate(now: number): void {
    if (this.rotatedAt === undefined || now < this.rotatedAt) {
      this.rotatedAt = now;
      return;
    }
    // Compared as nextRotation computes it: `now - rotatedAt` can round below periodS at the very
    // deadline, and the engine would then be woken at that same time forever.
    if (now < this.rotatedAt + this.periodS) return;
    const age = now - this.rotatedAt;
    this.previous = age < 2 * this.periodS ? this.current : null;
    this.current = { version: (this.current.version + 1) >>> 0, secret: this.suite.randomBytes(SECRET_BYTES) };
    this.rotatedAt = now;
  }

  /** The COOKIE notify's data for this initiator (2.6). */
  make(Ni: Uint8Array, ipi: Uint8Array, spiI: Uint8Array): Uint8Array {
    expectBytes('Ni', Ni);
    expectBytes('ipi', ipi);
    expectBytes('spiI', spiI, 8, 'an IKE SA (RFC 7296 3.1)');
    return this.cookie(this.current, Ni, ipi, spiI);
  }

  /** Whether `cookie` (from the network: any bytes) is one this jar made for this initiator. */
  check(cookie: Uint8Array, Ni: Uint8Array, ipi: Uint8Array, spiI: Uint8Array): boolean {
    if (!(cookie instanceof Uint8Array) || cookie.length !== COOKIE_BYTES) return false;
    const version = ((cookie[0]! << 24) | (cookie[1]! << 16) | (cookie[2]! << 8) | cookie[3]!) >>> 0;
    const s = [this.current, this.previous].find((x): x is Secret => x !== null && x.version === version);
    return s !== undefined && constantTimeEqual(cookie, this.cookie(s, Ni, ipi, spiI));
  }

  private cookie(s: Secret, Ni: Uint8Array, ipi: Uint8Array, spiI: Uint8Array): Uint8Array {
    const v = s.version;
    const version = Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return concatBytes(version, this.suite.hash('sha256', concatBytes(Ni, ipi, spiI, s.secret)));
  }
}
