// Stateless cookies (RFC 7296 2.6): Cookie = <VersionIDofSecret> | SHA-256(Ni | IPi | SPIi | <secret>),
// bound to the initiator, accepted under the current and the previous secret, never after that.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { COOKIE_BYTES, CookieJar } from '../../../src-main/core/ike/cookie.ts';
import { flipBit, h, seededRandom } from '../crypto/fixtures.ts';

const Ni = Uint8Array.from({ length: 32 }, (_, i) => i);
const ipi = h('cb007105'); // 203.0.113.5
const spiI = h('0102030405060708');

describe('CookieJar', () => {
  it('known answer: version 0 | SHA-256(Ni | IPi | SPIi | secret), the secret drawn from the suite', () => {
    const jar = new CookieJar(createNobleSuite((n) => new Uint8Array(n).fill(0x42)));
    const cookie = jar.make(Ni, ipi, spiI);
    expect(cookie).toHaveLength(COOKIE_BYTES);
    // SHA-256 computed independently (Python hashlib) over 000102..1f | cb007105 | 0102030405060708 | 42 x 32.
    expect(toHex(cookie)).toBe('00000000' + '44bf738cedadb7e191b32fdadbc4340dab8410417dd765e91acd8d531302f300');
  });

  // IKE_SA_INIT { SA, KE, Ni } -->  <-- N(COOKIE)  then  IKE_SA_INIT { N(COOKIE), SA, KE, Ni } -->
  it('a cookie passes for the initiator it was made for, and for no other', () => {
    const jar = new CookieJar(createNobleSuite(seededRandom(1)));
    const cookie = jar.make(Ni, ipi, spiI);
    expect(jar.check(cookie, Ni, ipi, spiI)).toBe(true);
    expect(jar.check(cookie, flipBit(Ni, 0), ipi, spiI)).toBe(false);
    expect(jar.check(cookie, Ni, h('cb007106'), spiI)).toBe(false);
    expect(jar.check(cookie, Ni, ipi, flipBit(spiI, 7))).toBe(false);
    expect(jar.check(cookie, Ni, h('20010db8000000000000000000000001'), spiI)).toBe(false);
  });

  it('refuses forged, damaged, cut and foreign cookies without throwing', () => {
    const jar = new CookieJar(createNobleSuite(seededRandom(2)));
    const cookie = jar.make(Ni, ipi, spiI);
    for (let i = 0; i < cookie.length; i++) expect(jar.check(flipBit(cookie, i), Ni, ipi, spiI)).toBe(false);
    expect(jar.check(cookie.subarray(0, 35), Ni, ipi, spiI)).toBe(false);
    expect(jar.check(new Uint8Array(0), Ni, ipi, spiI)).toBe(false);
    expect(jar.check(new Uint8Array(64), Ni, ipi, spiI)).toBe(false);
    expect(jar.check(undefined as unknown as Uint8Array, Ni, ipi, spiI)).toBe(false);
    const other = new CookieJar(createNobleSuite(seededRandom(3)));
    expect(other.check(cookie, Ni, ipi, spiI)).toBe(false);
  });

  it('rotation: a cookie outlives one change of secret, not two; new cookies carry the new version', () => {
    const jar = new CookieJar(createNobleSuite(seededRandom(4)), 60);
    expect(jar.nextRotation).toBe(Infinity);
    jar.rotate(1000); // starts the clock
    expect(jar.nextRotation).toBe(1060);
    const v0 = jar.make(Ni, ipi, spiI);
    jar.rotate(1059.9);
    expect(toHex(jar.make(Ni, ipi, spiI))).toBe(toHex(v0));
    jar.rotate(1060);
    const v1 = jar.make(Ni, ipi, spiI);
    expect(toHex(v1.subarray(0, 4))).toBe('00000001');
    expect(jar.check(v0, Ni, ipi, spiI)).toBe(true);
    expect(jar.check(v1, Ni, ipi, spiI)).toBe(true);
    jar.rotate(1120);
    expect(jar.check(v0, Ni, ipi, spiI)).toBe(false);
    expect(jar.check(v1, Ni, ipi, spiI)).toBe(true);
    // Asleep for two periods: the previous secret is as stale as the one before it.
    jar.rotate(1300);
    expect(jar.check(v1, Ni, ipi, spiI)).toBe(false);
    expect(toHex(jar.make(Ni, ipi, spiI).subarray(0, 4))).toBe('00000003');
  });

  it('rotates at exactly nextRotation even where now - rotatedAt rounds below the period', () => {
    const jar = new CookieJar(createNobleSuite(seededRandom(6)), 60);
    const start = 4036.0213999999255; // (start + 60) - start is 59.999... in doubles
    expect(start + 60 - start).toBeLessThan(60);
    jar.rotate(start);
    const due = jar.nextRotation;
    jar.rotate(due);
    // Moved on: an engine woken at `due` is not asked to wake at `due` again.
    expect(jar.nextRotation).toBeGreaterThan(due);
  });

  it('refuses a bad period and bad local arguments, naming them', () => {
    const suite = createNobleSuite(seededRandom(5));
    expect(() => new CookieJar(suite, 0)).toThrow(/"periodS"/);
    expect(() => new CookieJar(suite, Number.NaN)).toThrow(/"periodS"/);
    expect(() => new CookieJar(suite).make(Ni, ipi, spiI.subarray(1))).toThrow(/"spiI" expected 8 bytes/);
  });
});
