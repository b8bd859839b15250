/**
 * The CryptoSuite the live responder and client use: node:crypto (OpenSSL) for X25519, HMAC
 * (prf, prf+, ICVs), AES-CBC and the plain hashes, the noble suite (core/crypto) for the rest.
 * Pure-JavaScript X25519 took about half of the responder's CPU per handshake (BENCHMARKS.md, "IKE
 * handshakes"); OpenSSL does it natively. The noble suite stays the reference: `checkAgainstNoble`
 * (run at start by the CLI, and by test/node/crypto/node-suite.test.ts) requires the same bytes.
 *
 * ESP's per-packet path (encryptDetached / decryptDetached, core/esp) is all OpenSSL: AES-GCM
 * ('aes-128-gcm', 'aes-256-gcm', RFC 4106) and ChaCha20-Poly1305 (RFC 7634) with the ICV length
 * as authTagLength, AES-CBC without OpenSSL's padding plus HMAC (RFC 3602, RFC 4868). Arguments
 * are checked by the same code as the noble suite's (core/crypto/detached.ts), so both refuse the
 * same misuse; OpenSSL needs the key on every createCipheriv, which is fine.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import { encrKeySizes, integInfo, prfInfo, type HashName } from '../../core/crypto/algorithms.ts';
import { checkDetachedArgs, checkDetachedOpenArgs } from '../../core/crypto/detached.ts';
import type { Resolved } from '../../core/crypto/encr.ts';
import { createNobleSuite } from '../../core/crypto/noble-suite.ts';
import type { CryptoSuite, DhExchange, SkCipher, SkKeys } from '../../core/crypto/suite.ts';
import { openEsp } from '../../core/esp/open.ts';
import { sealEsp } from '../../core/esp/seal.ts';
import type { EspSa } from '../../core/esp/transform.ts';
import { DhGroup, EncrId, IntegId } from '../../core/ike/constants.ts';


const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

function hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return u8(createHmac(hash, key).update(data).digest());
}

/**
 * X25519 key pairs from OpenSSL. Public keys go in and out as JWK (RFC 8037 2: "x" is the 32-octet
 * public key, base64url): in Node 20 that is about 10 times cheaper than DER SubjectPublicKeyInfo,
 * whose import and export took a fifth of the responder's CPU per handshake (BENCHMARKS.md).
 */
function x25519(): DhExchange {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const publicValue = u8(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
  return {
    group: DhGroup.CURVE25519,
    publicValue,
    computeShared(peer: Uint8Array): Uint8Array | null {
      if (!(peer instanceof Uint8Array) || peer.length !== 32) return null;
      try {
        const pk = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer.buffer, peer.byteOffset, 32).toString('base64url') }, format: 'jwk' });
        const shared = u8(diffieHellman({ privateKey, publicKey: pk }));
        return shared.some((b) => b !== 0) ? shared : null;
      } catch {
        return null;
      }
    },
  };
}

/** OpenSSL's name for a resolved cipher: 'aes-128-cbc', 'aes-256-gcm', 'chacha20-poly1305'. */
/** OpenSSL's cipher names by key length (per packet: no string is built). */
const AES_CBC: Readonly<Record<number, string>> = { 16: 'aes-128-cbc', 24: 'aes-192-cbc', 32: 'aes-256-cbc' };
const AES_GCM: Readonly<Record<number, string>> = { 16: 'aes-128-gcm', 24: 'aes-192-gcm', 32: 'aes-256-gcm' };

function opensslName(r: Resolved): string {
  switch (r.info.cipher) {
    case 'aes-cbc':
      return AES_CBC[r.key.length]!;
    case 'aes-gcm':
      return AES_GCM[r.key.length]!;
    case 'chacha20-poly1305':
      return 'chacha20-poly1305';
  }
}

/** INTEG(aad | iv | ciphertext | tail), untruncated (RFC 4303 3.3.2.1). */
function espHmac(r: Resolved, aad: Uint8Array, iv: Uint8Array, ct: Uint8Array, tail: Uint8Array): Buffer {
  const mac = createHmac(r.integ!.hash, r.integKey).update(aad).update(iv).update(ct);
  if (tail.length > 0) mac.update(tail);
  return mac.digest();
}

/** salt | IV, in a buffer reused across calls (OpenSSL copies the nonce at createCipheriv). */
function nonceOf(scratch: Buffer, r: Resolved, iv: Uint8Array): Buffer {
  scratch.set(r.salt, 0);
  scratch.set(iv, r.salt.length);
  return scratch;
}

function encryptDetached(nonce: Buffer, alg: SkCipher, keys: SkKeys, iv: Uint8Array, text: Uint8Array, aad: Uint8Array, icv: Uint8Array, icvTail?: Uint8Array): void {
  const { r, tail } = checkDetachedArgs(alg, keys, iv, text, aad, icv, icvTail);
  if (r.info.cipher === 'aes-cbc') {
    const c = createCipheriv(opensslName(r), r.key, iv).setAutoPadding(false);
    text.set(c.update(text)); // whole blocks: update returns them all, final() nothing
    c.final();
    icv.set(espHmac(r, aad, iv, text, tail).subarray(0, icv.length));
    return;
  }
  const c = createCipheriv(opensslName(r) as 'aes-128-gcm', r.key, nonceOf(nonce, r, iv), { authTagLength: icv.length });
  c.setAAD(aad);
  text.set(c.update(text));
  c.final();
  icv.set(c.getAuthTag());
}

function decryptDetached(nonce: Buffer, alg: SkCipher, keys: SkKeys, iv: Uint8Array, ct: Uint8Array, icv: Uint8Array, aad: Uint8Array, icvTail?: Uint8Array): Uint8Array | null {
  const checked = checkDetachedOpenArgs(alg, keys, iv, ct, icv, aad, icvTail);
  if (!checked) return null;
  const { r, tail } = checked;
  if (r.info.cipher === 'aes-cbc') {
    // RFC 4303 3.4.4.1: the ICV first; nothing is decrypted for a forged packet.
    if (!timingSafeEqual(espHmac(r, aad, iv, ct, tail).subarray(0, icv.length), icv)) return null;
    const d = createDecipheriv(opensslName(r), r.key, iv).setAutoPadding(false);
    const pt = d.update(ct);
    d.final();
    return u8(pt);
  }
  const d = createDecipheriv(opensslName(r) as 'aes-128-gcm', r.key, nonceOf(nonce, r, iv), { authTagLength: icv.length });
  d.setAuthTag(icv);
  d.setAAD(aad);
  const pt = d.update(ct);
  try {
    d.final(); // throws when the tag does not verify; `pt` is dropped unread then
  } catch {
    return null;
  }
  return u8(pt);
}

/**
 * crypto.randomBytes costs a few microseconds a call, as much as sealing a small ESP packet, and
 * every packet draws an IV. Small draws come from a 4 KiB pool refilled with randomFillSync (the
 * same CSPRNG); each pool byte is handed out once, as a copy, so a refill never changes bytes a
 * caller already holds.
 */
function pooledRandom(): (n: number) => Uint8Array {
  const POOL = 4096;
  const SMALL = 256;
  const pool = new Uint8Array(POOL);
  let at = POOL;
  return (n: number): Uint8Array => {
    if (!Number.isSafeInteger(n) || n < 0 || n > SMALL) return u8(randomBytes(n));
    if (at + n > POOL) {
      randomFillSync(pool);
      at = 0;
    }
    const out = pool.slice(at, at + n);
    at += n;
    return out;
  };
}

export function createNodeSuite(): CryptoSuite {
  const nonce = Buffer.alloc(12);
  const random = pooledRandom();
  const noble = createNobleSuite((n) => u8(randomBytes(n)));
  const sign = (alg: number, key: Uint8Array, data: Uint8Array): Uint8Array => {
    const info = integInfo(alg, 'alg');
    return hmac(info.hash, key, data).subarray(0, info.icvBytes);
  };
  const cbc = (alg: SkCipher, keys: SkKeys): { name: string; key: Uint8Array; integ: number; integKey: Uint8Array } | null => {
    const sizes = encrKeySizes(alg.encr, alg.keyLength, 'alg.encr');
    if (sizes.info.cipher !== 'aes-cbc' || !alg.integ || !keys.integ) return null;
    return { name: `aes-${sizes.keyBytes * 8}-cbc`, key: keys.encr.subarray(0, sizes.keyBytes), integ: alg.integ, integKey: keys.integ };
  };
  return {
    randomBytes: random,
    prf: (alg, key, data) => hmac(prfInfo(alg, 'alg').hash, key, data),
    prfPlus(alg, key, seed, length) {
      const info = prfInfo(alg, 'alg');
      const out = new Uint8Array(length);
      let t: Uint8Array = new Uint8Array(0);
      for (let n = 1, at = 0; at < length; n++) {
        t = u8(createHmac(info.hash, key).update(t).update(seed).update(Uint8Array.of(n)).digest());
        out.set(t.subarray(0, Math.min(t.length, length - at)), at);
        at += t.length;
      }
      return out;
    },
    sign,
    verify(alg, key, data, icv) {
      const expected = sign(alg, key, data);
      return expected.length === icv.length && timingSafeEqual(expected, icv);
    },
    encrypt(alg, keys, iv, plaintext, aad) {
      const c = cbc(alg, keys);
      if (!c) return noble.encrypt(alg, keys, iv, plaintext, aad);
      const e = createCipheriv(c.name, c.key, iv).setAutoPadding(false);
      const ct = Buffer.concat([e.update(plaintext), e.final()]);
      const icv = sign(c.integ, c.integKey, Buffer.concat([aad, iv, ct]));
      return u8(Buffer.concat([ct, icv]));
    },
    decrypt(alg, keys, iv, ctAndIcv, aad) {
      const c = cbc(alg, keys);
      if (!c) return noble.decrypt(alg, keys, iv, ctAndIcv, aad);
      const icvBytes = integInfo(c.integ).icvBytes;
      if (iv.length !== 16 || ctAndIcv.length < icvBytes) return null;
      const ct = ctAndIcv.subarray(0, ctAndIcv.length - icvBytes);
      if (ct.length % 16 !== 0) return null;
      const expected = sign(c.integ, c.integKey, Buffer.concat([aad, iv, ct]));
      if (!timingSafeEqual(expected, ctAndIcv.subarray(ct.length))) return null;
      const d = createDecipheriv(c.name, c.key, iv).setAutoPadding(false);
      return u8(Buffer.concat([d.update(ct), d.final()]));
    },
    encryptDetached: (alg, keys, iv, text, aad, icv, icvTail) => encryptDetached(nonce, alg, keys, iv, text, aad, icv, icvTail),
    decryptDetached: (alg, keys, iv, ct, icv, aad, icvTail) => decryptDetached(nonce, alg, keys, iv, ct, icv, aad, icvTail),
    dh: (group) => (group === DhGroup.CURVE25519 ? x25519() : noble.dh(group)),
    hash: (alg, data) => u8(createHash(alg).update(data).digest()),
  };
}

/** Throws unless the node suite gives the noble suite's bytes for the operations the driver uses. */
export function checkAgainstNoble(): void {
  const node = createNodeSuite();
  const noble = createNobleSuite((n) => u8(randomBytes(n)));
  const r = (n: number) => u8(randomBytes(n));
  const same = (what: string, a: Uint8Array | null, b: Uint8Array | null): void => {
    if (a === null || b === null || Buffer.compare(a, b) !== 0) throw new Error(`node suite differs from the noble suite: ${what}`);
  };
  const key = r(32);
  const data = r(77);
  same('prf', node.prf(5, key, data), noble.prf(5, key, data));
  same('prf+', node.prfPlus(5, key, data, 200), noble.prfPlus(5, key, data, 200));
  same('sign', node.sign(12, key, data), noble.sign(12, key, data));
  same('hash sha1', node.hash('sha1', data), noble.hash('sha1', data));
  const alg = { encr: 12, keyLength: 128, integ: 12 };
  const keys = { encr: r(16), integ: r(32) };
  const iv = r(16);
  const pt = r(64);
  const aad = r(32);
  const ct = node.encrypt(alg, keys, iv, pt, aad);
  same('AES-CBC encrypt', ct, noble.encrypt(alg, keys, iv, pt, aad));
  same('AES-CBC decrypt', node.decrypt(alg, keys, iv, ct, aad), pt);
  const bad = ct.slice();
  bad[bad.length - 1] ^= 1;
  if (node.decrypt(alg, keys, iv, bad, aad) !== null) throw new Error('node suite accepted a forged ICV');
  const a = node.dh(DhGroup.CURVE25519);
  const b = noble.dh(DhGroup.CURVE25519);
  same('X25519', a.computeShared(b.publicValue), b.computeShared(a.publicValue));
  checkEspAgainstNoble(node, 'node');
}

/**
 * ESP (core/esp) with `tested` and the noble reference: the same packets, each opens the other's,
 * forgeries refused; throws naming `label` otherwise. Also run for the native backend at start.
 */
export function checkEspAgainstNoble(tested: CryptoSuite, label: string): void {
  const r = (n: number) => u8(randomBytes(n));
  const noble = createNobleSuite(r);
  const sas: readonly [string, EspSa, number][] = [
    // name, SA, IV length
    ['AES-CBC-128 + HMAC-SHA2-256-128', { spi: 0x01020304, cipher: { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, keys: { encr: r(16), integ: r(32) } }, 16],
    ['AES-GCM-16-256', { spi: 0xc0ffee01, cipher: { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 }, keys: { encr: r(36) } }, 8],
    ['ChaCha20-Poly1305', { spi: 0x0000abcd, cipher: { encr: EncrId.ENCR_CHACHA20_POLY1305 }, keys: { encr: r(36) } }, 8],
  ];
  const inner = r(84);
  for (const [name, sa, ivBytes] of sas) {
    for (const [seq, esn] of [[7, false], [2 ** 32 + 9, true]] as const) {
      const iv = r(ivBytes);
      const packet = sealEsp(tested, sa, seq, esn, inner, 4, iv);
      const what = `ESP ${name}${esn ? ' with ESN' : ''}`;
      if (Buffer.compare(packet, sealEsp(noble, sa, seq, esn, inner, 4, iv)) !== 0) throw new Error(`${label} suite differs from the noble suite: ${what} seal`);
      for (const [opener, suite] of [[label, tested], ['noble', noble]] as const) {
        const opened = openEsp(suite, sa, packet, seq, esn);
        if (!opened.ok || Buffer.compare(opened.inner, inner) !== 0) throw new Error(`${opener} suite cannot open: ${what}`);
        const bad = packet.slice();
        bad[bad.length - 1]! ^= 1;
        if (openEsp(suite, sa, bad, seq, esn).ok) throw new Error(`${opener} suite accepted a forged ICV: ${what}`);
      }
    }
  }
}
