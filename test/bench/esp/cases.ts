/**
 * The ESP benchmark's cases (test/bench/esp-bench.ts): one CHILD_SA between two DataPlanes for a
 * backend, a cipher and an inner packet size, and the two things timed on it:
 *
 * - the full path: `send` on the client's plane, `receive` on the gateway's (seal + open with
 *   framing, IV draw, replay window, selectors, counters), the inner datagram back out;
 * - the bare cipher: the same backend's lowest-level calls, encrypt then decrypt of the same
 *   number of octets (the ESP text: inner packet, padding, trailer) with the same key and an
 *   8-octet AAD, nothing else. node: createCipheriv / createDecipheriv (+ createHmac for AES-CBC);
 *   native: the addon's seal and open on a context made once (native/esp-crypto), the text
 *   copied into a work buffer first (it encrypts in place); noble: @noble/ciphers gcm /
 *   chacha20poly1305 / cbc (+ @noble/hashes hmac).
 *
 * Both return a small checksum so the work cannot be optimized away, and throw when a packet does
 * not come back (the smoke test, test/bench/esp/esp-smoke.test.ts, also compares the bytes).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { CryptoSuite, SkKeys } from '../../../src-main/core/crypto/suite.ts';
import { DataPlane } from '../../../src-main/core/esp/data-plane.ts';
import { ESP_TRAILER_BYTES, padLengthFor } from '../../../src-main/core/esp/packet.ts';
import { espLayout, espPacketLength } from '../../../src-main/core/esp/transform.ts';
import type { ChildSaInfo } from '../../../src-main/core/ike/io.ts';
import { createNativeSuite, loadEspAddon, type EspAddon } from '../../../src-main/node/crypto/native-suite.ts';
import { createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';
import { childSaPair, CIPHERS, CLIENT_ADDR, GW_HOST, udp, type CipherSpec } from '../../core/esp/support/pair.ts';

export type Backend = 'node' | 'native' | 'noble';
/** `native` only where its addon is built (test/bench/esp-bench.ts says so when it is not). */
export const BACKENDS: readonly Backend[] = loadEspAddon().ok ? ['node', 'native', 'noble'] : ['node', 'noble'];

/** AES-GCM-16-128 is the headline; the other two are secondary rows. */
export const BENCH_CIPHERS: readonly CipherSpec[] = ['AES-GCM-16-128', 'AES-CBC-128 + HMAC-SHA2-256-128', 'ChaCha20-Poly1305'].map((name) => {
  const c = CIPHERS.find((x) => x.name === name);
  if (!c) throw new Error(`no cipher ${name} in test/core/esp/support/pair.ts`);
  return c;
});

/** Inner IPv4/UDP datagram sizes (Total Length), octets. */
export const INNER_SIZES: readonly number[] = [64, 1400];

const IPV4_UDP_HEADERS = 28;
const NOW = 1000;

/**
 * The suite a backend ships with: node as createNodeSuite (OpenSSL, pooled IVs); native as
 * createNativeSuite (the node suite with the addon's per-SA contexts); noble as
 * src-main/node/ike/run-responder.ts builds it for `esp.backend: noble`, crypto.randomBytes per draw.
 */
export function suiteOf(backend: Backend): CryptoSuite {
  if (backend === 'node') return createNodeSuite();
  if (backend === 'native') return createNativeSuite(addon());
  return createNobleSuite((n) => new Uint8Array(randomBytes(n)));
}

function addon(): EspAddon {
  const load = loadEspAddon();
  if (!load.ok) throw new Error(load.reason);
  return load.addon;
}

export interface EspCase {
  readonly backend: Backend;
  readonly cipher: CipherSpec;
  readonly innerBytes: number;
  /** The ESP text the cipher processes: inner, padding, Pad Length, Next Header. */
  readonly textBytes: number;
  /** SPI through ICV. */
  readonly espBytes: number;
  readonly inner: Uint8Array;
  /** n packets through send + receive; returns the octets delivered. */
  full(n: number): number;
  /** n bare encrypt + decrypt of textBytes; returns a checksum of the plaintexts. */
  bare(n: number): number;
  /** native cases: node:crypto's bare calls on the same text and key (the goal's yardstick). */
  nodeBare?(n: number): number;
  /** The last inner datagram the full path delivered, and the last plaintext the bare path decrypted. */
  lastFull(): Uint8Array | null;
  lastBare(): Uint8Array | null;
  /** The plaintext the bare path encrypts. */
  readonly bareText: Uint8Array;
}

export function caseName(c: Pick<EspCase, 'backend' | 'cipher' | 'innerBytes'>): string {
  return `${c.backend} ${c.cipher.name} ${c.innerBytes} B`;
}

export function makeCase(backend: Backend, cipher: CipherSpec, innerBytes: number, seed = 4303): EspCase {
  if (innerBytes < IPV4_UDP_HEADERS) throw new RangeError(`inner packet of ${innerBytes} octets cannot hold IPv4 + UDP headers`);
  const pair = childSaPair({ cipher, seed });
  const client = new DataPlane({ suite: suiteOf(backend) });
  const gw = new DataPlane({ suite: suiteOf(backend) });
  // Each end gets its own copy of the keys, as two hosts have: childSaPair shares one keys object
  // between the ends, and the suites cache per keys object (core/crypto/encr.ts resolve), which
  // would then miss on every packet here.
  client.add(NOW, 'client', { ...pair.client, keysIn: copyKeys(pair.client.keysIn), keysOut: copyKeys(pair.client.keysOut) });
  gw.add(NOW, 'gw', pair.gw);
  const inner = udp(CLIENT_ADDR, GW_HOST, innerBytes - IPV4_UDP_HEADERS, 0x5a17);
  if (inner.length !== innerBytes) throw new Error(`built a ${inner.length}-octet datagram, wanted ${innerBytes}`);
  const cipherOf = { encr: cipher.encr, ...(cipher.keyLength !== undefined ? { keyLength: cipher.keyLength } : {}), ...(cipher.integ !== undefined ? { integ: cipher.integ } : {}) };
  const layout = espLayout(cipherOf);
  const textBytes = innerBytes + padLengthFor(innerBytes, layout.align) + ESP_TRAILER_BYTES;
  const bareText = new Uint8Array(textBytes);
  bareText.set(inner);

  let lastInner: Uint8Array | null = null;
  const full = (n: number): number => {
    let delivered = 0;
    for (let i = 0; i < n; i++) {
      const sent = client.send(NOW, inner);
      if (!sent.ok) throw new Error(`${backend} ${cipher.name}: send dropped the packet: ${sent.reason}`);
      const got = gw.receive(NOW, sent.packet);
      if (!got.ok) throw new Error(`${backend} ${cipher.name}: receive dropped the packet: ${got.reason}`);
      delivered += got.inner.length;
      lastInner = got.inner;
    }
    return delivered;
  };
  const bareOps = bareOf(backend, cipher, pair.client, bareText);
  const nodeBare = backend === 'native' ? bareOf('node', cipher, pair.client, bareText) : null;
  return {
    backend,
    cipher,
    innerBytes,
    textBytes,
    espBytes: espPacketLength(cipherOf, innerBytes),
    inner,
    full,
    bare: bareOps.run,
    ...(nodeBare ? { nodeBare: nodeBare.run } : {}),
    lastFull: () => lastInner,
    lastBare: bareOps.last,
    bareText,
  };
}

function copyKeys(k: SkKeys): SkKeys {
  return k.integ !== undefined ? { encr: k.encr.slice(), integ: k.integ.slice() } : { encr: k.encr.slice() };
}

interface BareOps {
  run(n: number): number;
  last(): Uint8Array | null;
}

/**
 * The bare cipher calls for one backend and cipher, with the keys the client sends with. Each
 * (backend, cipher) has its own function literal, so V8's feedback for one does not blur another.
 */
function bareOf(backend: Backend, cipher: CipherSpec, info: ChildSaInfo, text: Uint8Array): BareOps {
  const keymat = info.keysOut.encr;
  const aad = new Uint8Array(8).fill(0xa5); // SPI | Sequence Number
  let last: Uint8Array | null = null;
  const lastOf = (): Uint8Array | null => last;
  const fail = (): never => {
    throw new Error(`${backend} ${cipher.name}: the bare decryption did not give the plaintext back`);
  };
  if (cipher.integ === undefined) {
    const keyBytes = keymat.length - 4;
    const key = keymat.subarray(0, keyBytes);
    const nonce = new Uint8Array(12);
    nonce.set(keymat.subarray(keyBytes), 0); // salt | 8-octet IV
    const gcmCipher = cipher.name.startsWith('AES-GCM');
    if (backend === 'native') {
      const a = addon();
      const h = a.aeadNew(gcmCipher ? 'aes-gcm' : 'chacha20-poly1305', key, keymat.subarray(keyBytes), 16);
      const iv = nonce.subarray(4);
      const work = new Uint8Array(text.length);
      const icv = new Uint8Array(16);
      return {
        last: lastOf,
        run(n: number): number {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            iv[7] = i;
            work.set(text);
            a.aeadSeal(h, iv, aad, work, icv);
            const pt = new Uint8Array(text.length);
            if (!a.aeadOpen(h, iv, aad, work, icv, pt)) fail();
            sum += pt[0]!;
            last = pt;
          }
          return sum;
        },
      };
    }
    if (backend === 'node') {
      // Typed as GCM for the overloads (as node-suite.ts does); ChaCha20-Poly1305 takes the same calls.
      const name = (gcmCipher ? `aes-${keyBytes * 8}-gcm` : 'chacha20-poly1305') as 'aes-128-gcm';
      return {
        last: lastOf,
        run(n: number): number {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            nonce[11] = i; // a different IV each packet, as ESP's
            const e = createCipheriv(name, key, nonce, { authTagLength: 16 });
            e.setAAD(aad);
            const ct = e.update(text);
            e.final();
            const tag = e.getAuthTag();
            const d = createDecipheriv(name, key, nonce, { authTagLength: 16 });
            d.setAuthTag(tag);
            d.setAAD(aad);
            const pt = d.update(ct);
            d.final(); // throws when the tag does not verify
            if (pt.length !== text.length) fail();
            sum += pt[0]!;
            last = pt;
          }
          return sum;
        },
      };
    }
    if (gcmCipher) {
      return {
        last: lastOf,
        run(n: number): number {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            nonce[11] = i;
            const sealed = gcm(key, nonce, aad).encrypt(text); // ciphertext | tag
            const pt = gcm(key, nonce, aad).decrypt(sealed); // throws when the tag does not verify
            if (pt.length !== text.length) fail();
            sum += pt[0]!;
            last = pt;
          }
          return sum;
        },
      };
    }
    return {
      last: lastOf,
      run(n: number): number {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          nonce[11] = i;
          const sealed = chacha20poly1305(key, nonce, aad).encrypt(text);
          const pt = chacha20poly1305(key, nonce, aad).decrypt(sealed);
          if (pt.length !== text.length) fail();
          sum += pt[0]!;
          last = pt;
        }
        return sum;
      },
    };
  }
  // AES-CBC + HMAC-SHA2-256-128: encrypt, ICV over aad | IV | ciphertext; on receipt the ICV
  // first, then decrypt (RFC 4303 3.3.2.1, 3.4.4.1).
  const key = keymat;
  const integKey = info.keysOut.integ!;
  const iv = new Uint8Array(16).fill(0x3c);
  const icvBytes = 16;
  if (backend === 'native') {
    const a = addon();
    const h = a.cbcNew(key, 'sha256', integKey, icvBytes);
    const work = new Uint8Array(text.length);
    const icv = new Uint8Array(icvBytes);
    const noTail = new Uint8Array(0);
    return {
      last: lastOf,
      run(n: number): number {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          iv[15] = i;
          work.set(text);
          a.cbcSeal(h, iv, aad, work, noTail, icv);
          const pt = new Uint8Array(text.length);
          if (!a.cbcOpen(h, iv, aad, work, noTail, icv, pt)) fail(); // the ICV first, then decrypt
          sum += pt[0]!;
          last = pt;
        }
        return sum;
      },
    };
  }
  if (backend === 'node') {
    const name = `aes-${key.length * 8}-cbc`;
    return {
      last: lastOf,
      run(n: number): number {
        let sum = 0;
        for (let i = 0; i < n; i++) {
          iv[15] = i;
          const e = createCipheriv(name, key, iv).setAutoPadding(false);
          const ct = e.update(text);
          e.final();
          const icv = createHmac('sha256', integKey).update(aad).update(iv).update(ct).digest().subarray(0, icvBytes);
          const check = createHmac('sha256', integKey).update(aad).update(iv).update(ct).digest().subarray(0, icvBytes);
          if (!timingSafeEqual(check, icv)) fail();
          const d = createDecipheriv(name, key, iv).setAutoPadding(false);
          const pt = d.update(ct);
          d.final();
          if (pt.length !== text.length) fail();
          sum += pt[0]!;
          last = pt;
        }
        return sum;
      },
    };
  }
  return {
    last: lastOf,
    run(n: number): number {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        iv[15] = i;
        const ct = cbc(key, iv, { disablePadding: true }).encrypt(text);
        const icv = hmac.create(sha256, integKey).update(aad).update(iv).update(ct).digest().subarray(0, icvBytes);
        const check = hmac.create(sha256, integKey).update(aad).update(iv).update(ct).digest();
        let diff = 0;
        for (let j = 0; j < icvBytes; j++) diff |= check[j]! ^ icv[j]!;
        if (diff !== 0) fail();
        const pt = cbc(key, iv, { disablePadding: true }).decrypt(ct);
        if (pt.length !== text.length) fail();
        sum += pt[0]!;
        last = pt;
      }
      return sum;
    },
  };
}

/**
 * A suite without cryptography, for the framing-only row: the IV is zeros, encryption leaves the
 * text as it is and writes no ICV, decryption returns the text itself (a view of the packet, not
 * the fresh buffer the CryptoSuite contract asks for: a real suite's output buffer is the suite's
 * cost, not core/esp's). What is left of the full path is core/esp alone: the packet's layout and
 * allocation, padding, sequence numbers, replay window, selectors, counters, result objects.
 */
export function identitySuite(): CryptoSuite {
  const no = (): never => {
    throw new Error('the identity suite only does ESP');
  };
  return {
    randomBytes: (n) => new Uint8Array(n),
    encryptDetached: () => {},
    decryptDetached: (_alg, _keys, _iv, ct) => ct,
    prf: no,
    prfPlus: no,
    sign: no,
    verify: no,
    encrypt: no,
    decrypt: no,
    dh: no,
    hash: no,
  };
}

/** The full path of an AES-GCM-16-128 SA over the identity suite: core/esp without crypto. */
export function makeFramingCase(innerBytes: number): Pick<EspCase, 'innerBytes' | 'espBytes' | 'inner' | 'full' | 'lastFull'> {
  const pair = childSaPair({ cipher: BENCH_CIPHERS[0]! });
  const client = new DataPlane({ suite: identitySuite() });
  const gw = new DataPlane({ suite: identitySuite() });
  client.add(NOW, 'client', { ...pair.client, keysIn: copyKeys(pair.client.keysIn), keysOut: copyKeys(pair.client.keysOut) });
  gw.add(NOW, 'gw', pair.gw);
  const inner = udp(CLIENT_ADDR, GW_HOST, innerBytes - IPV4_UDP_HEADERS, 0x5a17);
  let lastInner: Uint8Array | null = null;
  return {
    innerBytes,
    espBytes: espPacketLength({ encr: BENCH_CIPHERS[0]!.encr, keyLength: BENCH_CIPHERS[0]!.keyLength! }, innerBytes),
    inner,
    full(n: number): number {
      let delivered = 0;
      for (let i = 0; i < n; i++) {
        const sent = client.send(NOW, inner);
        if (!sent.ok) throw new Error(`identity suite: send dropped the packet: ${sent.reason}`);
        const got = gw.receive(NOW, sent.packet);
        if (!got.ok) throw new Error(`identity suite: receive dropped the packet: ${got.reason}`);
        delivered += got.inner.length;
        lastInner = got.inner;
      }
      return delivered;
    },
    lastFull: () => lastInner,
  };
}

/** Every case, node first (the headline backend gets the JIT's undivided attention), GCM first. */
export function allCases(): EspCase[] {
  return BACKENDS.flatMap((b) => BENCH_CIPHERS.flatMap((c) => INNER_SIZES.map((s) => makeCase(b, c, s))));
}
