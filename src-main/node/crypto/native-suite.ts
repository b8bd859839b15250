/**
 * The `native` ESP backend: the node suite (node-suite.ts) with ESP's per-packet calls
 * (encryptDetached / decryptDetached) done by the optional addon in native/esp-crypto, which keeps
 * OpenSSL contexts per SA so a packet only sets its IV. node:crypto builds a context, expands the
 * key and parses the cipher's name for every createCipheriv (about 3 us here, more than the AES of
 * a small packet; BENCHMARKS.md "ESP per packet"); the addon needs under 1 us for a 64-octet packet.
 *
 * Same checks, same bytes: arguments go through core/crypto/detached.ts first, exactly as in the
 * node and noble suites, and test/node/crypto/esp-backends.test.ts compares all three.
 *
 * The addon is an optional npm dependency built by node-gyp at install; it uses the OpenSSL that
 * Node itself exports. Where it is missing (no compiler, or Electron, whose BoringSSL lacks those
 * symbols), `loadEspAddon` says why and callers fall back to the node backend.
 */
import { createRequire } from 'node:module';
import { checkDetachedArgs, checkDetachedOpenArgs } from '../../core/crypto/detached.ts';
import { icvLength, type Resolved } from '../../core/crypto/encr.ts';
import { slabAllocator } from '../../core/bytes/slab.ts';
import type { CryptoSuite } from '../../core/crypto/suite.ts';
import { createNodeSuite } from './node-suite.ts';

/** An OpenSSL context pair for one SA's keys, owned by the addon (freed when collected). */
type Handle = { readonly __espHandle: unique symbol };

/** A batched receiver on a socket, owned by the addon. */
type ReceiverHandle = { readonly __udpReceiver: unique symbol };

/** native/esp-crypto/src/esp_crypto.c */
export interface EspAddon {
  aeadNew(kind: 'aes-gcm' | 'chacha20-poly1305', key: Uint8Array, salt: Uint8Array, icvBytes: number): Handle;
  aeadSeal(h: Handle, iv: Uint8Array, aad: Uint8Array, text: Uint8Array, icv: Uint8Array): void;
  aeadOpen(h: Handle, iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, icv: Uint8Array, out: Uint8Array): boolean;
  cbcNew(key: Uint8Array, digest: string, integKey: Uint8Array, icvBytes: number): Handle;
  cbcSeal(h: Handle, iv: Uint8Array, aad: Uint8Array, text: Uint8Array, tail: Uint8Array, icv: Uint8Array): void;
  cbcOpen(h: Handle, iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, tail: Uint8Array, icv: Uint8Array, out: Uint8Array): boolean;
  /** Batched UDP receive (native/esp-crypto/src/udp_batch.c; node/ike/udp-batch.ts). */
  udpRecvOpen?(fd: number, data: Uint8Array, meta: Int32Array, slots: number, onBatch: (count: number) => void): ReceiverHandle;
  udpRecvClose?(h: ReceiverHandle): void;
  /** OpenSSL_version(): the library the addon's symbols resolved to. */
  readonly openssl: string;
}

export type AddonLoad = { readonly ok: true; readonly addon: EspAddon } | { readonly ok: false; readonly reason: string };

let loaded: AddonLoad | undefined;

/** The addon, loaded once; or why it cannot be (one line). */
export function loadEspAddon(): AddonLoad {
  loaded ??= tryLoadAddon('@wakelab/esp-crypto');
  return loaded;
}

/** Loads the addon package `request` (exported for tests); never throws. */
export function tryLoadAddon(request: string): AddonLoad {
  if (process.versions.electron) {
    // Electron links BoringSSL, not OpenSSL 3: the addon's symbols would not be the ones it was built for.
    return { ok: false, reason: 'the native ESP addon needs Node\'s OpenSSL and is not used inside Electron' };
  }
  const major = Number(/^(\d+)\./.exec(process.versions.openssl ?? '')?.[1] ?? 0);
  if (major < 3) return { ok: false, reason: `the native ESP addon needs OpenSSL 3 in Node; this Node has OpenSSL ${process.versions.openssl ?? 'unknown'}` };
  try {
    const addon = createRequire(import.meta.url)(request) as EspAddon;
    if (typeof addon.aeadSeal !== 'function' || typeof addon.cbcOpen !== 'function') throw new Error('it does not export the expected functions');
    return { ok: true, addon };
  } catch (e) {
    const first = String((e as Error).message ?? e).split('\n')[0];
    return { ok: false, reason: `the native ESP addon (${request}, built from native/esp-crypto by npm install) could not be loaded: ${first}` };
  }
}

/**
 * Plaintexts are cut from slabs of this module's own (core/bytes/slab.ts): zeroed, never reused,
 * holding only plaintexts this suite decrypted, so a view's `.buffer` shows no memory of anything
 * else (Node's shared Buffer pool would). A refused packet's place is wiped by the addon.
 */
const plaintextBuffer = slabAllocator();

/**
 * The node suite with ESP's per-packet cryptography in the addon. The addon copies an SA's keys
 * into OpenSSL when it first meets them: key arrays must not change in place afterwards (nothing
 * in WakeLab does; a rekey brings new arrays, hence new handles).
 */
export function createNativeSuite(addon: EspAddon): CryptoSuite {
  const base = createNodeSuite();
  // One handle per resolved SA cipher: resolve() (core/crypto/encr.ts) returns the same object for
  // the same keys object and algorithm, so a packet finds its SA's contexts with one lookup.
  const handles = new WeakMap<Resolved, Handle>();
  const handleOf = (r: Resolved): Handle => {
    let h = handles.get(r);
    if (h === undefined) {
      h =
        r.info.cipher === 'aes-cbc'
          ? addon.cbcNew(r.key, r.integ!.hash, r.integKey, icvLength(r))
          : addon.aeadNew(r.info.cipher, r.key, r.salt, icvLength(r));
      handles.set(r, h);
    }
    return h;
  };
  return {
    ...base,
    encryptDetached(alg, keys, iv, text, aad, icv, icvTail) {
      const { r, tail } = checkDetachedArgs(alg, keys, iv, text, aad, icv, icvTail);
      if (r.info.aead) addon.aeadSeal(handleOf(r), iv, aad, text, icv);
      else addon.cbcSeal(handleOf(r), iv, aad, text, tail, icv);
    },
    decryptDetached(alg, keys, iv, ct, icv, aad, icvTail) {
      const checked = checkDetachedOpenArgs(alg, keys, iv, ct, icv, aad, icvTail);
      if (!checked) return null;
      const { r, tail } = checked;
      const out = plaintextBuffer(ct.length);
      const ok = r.info.aead ? addon.aeadOpen(handleOf(r), iv, aad, ct, icv, out) : addon.cbcOpen(handleOf(r), iv, aad, ct, tail, icv, out);
      return ok ? out : null;
    },
  };
}

export type EspBackendName = 'native' | 'node' | 'noble';

/**
 * The ESP suite for a configured backend: `native` when the addon loads, else the node suite
 * with the reason (the caller warns once); `node` and `noble` as asked.
 */
export function espBackend(
  wanted: EspBackendName,
  make: { node: () => CryptoSuite; noble: () => CryptoSuite },
): { readonly suite: CryptoSuite; readonly name: EspBackendName; readonly detail: string; readonly fallback?: string } {
  if (wanted === 'noble') return { suite: make.noble(), name: 'noble', detail: '@noble/ciphers' };
  if (wanted === 'node') return { suite: make.node(), name: 'node', detail: 'node:crypto' };
  const load = loadEspAddon();
  if (load.ok) return { suite: createNativeSuite(load.addon), name: 'native', detail: load.addon.openssl };
  return { suite: make.node(), name: 'node', detail: 'node:crypto', fallback: `esp.backend "native": ${load.reason}; using node:crypto` };
}
