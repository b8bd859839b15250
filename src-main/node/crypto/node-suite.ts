/**
 * The CryptoSuite the live responder and client use: node:crypto (OpenSSL) for X25519, HMAC
 * (prf, prf+, ICVs), AES-CBC and the plain hashes, the noble suite (core/crypto) for the rest.
 * Pure-JavaScript X25519 took about half of the responder's CPU per handshake (BENCHMARKS.md, "IKE
 * handshakes"); OpenSSL does it natively. The noble suite stays the reference: `checkAgainstNoble`
 * (run at start by the CLI, and by test/node/crypto/node-suite.test.ts) requires the same bytes.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { encrKeySizes, integInfo, prfInfo, type HashName } from '../../core/crypto/algorithms.ts';
import { createNobleSuite } from '../../core/crypto/noble-suite.ts';
import type { CryptoSuite, DhExchange, SkCipher, SkKeys } from '../../core/crypto/suite.ts';
import { DhGroup } from '../../core/ike/constants.ts';

/** DER SubjectPublicKeyInfo prefix of an X25519 key (RFC 8410): the 32 key octets follow. */
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

function hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return u8(createHmac(hash, key).update(data).digest());
}

function x25519(): DhExchange {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const publicValue = u8(publicKey.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI.length));
  return {
    group: DhGroup.CURVE25519,
    publicValue,
    computeShared(peer: Uint8Array): Uint8Array | null {
      if (!(peer instanceof Uint8Array) || peer.length !== 32) return null;
      try {
        const pk = createPublicKey({ key: Buffer.concat([X25519_SPKI, peer]), format: 'der', type: 'spki' });
        const shared = u8(diffieHellman({ privateKey, publicKey: pk }));
        return shared.some((b) => b !== 0) ? shared : null;
      } catch {
        return null;
      }
    },
  };
}

export function createNodeSuite(): CryptoSuite {
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
    randomBytes: (n) => u8(randomBytes(n)),
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
}
