// The SK payload end to end (RFC 7296 3.14, RFC 5282, RFC 7634): protect / unprotect round trips,
// tampering anywhere in the message, keys of the wrong direction, and the AOSP traced IKE_AUTH
// request (test/vectors/standard-vectors.json) unprotected and re-protected byte for byte.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { SkCipher } from '../../../src-main/core/crypto/suite.ts';
import { EncrId, ExchangeType, IntegId, nameOf, NotifyStatus, PayloadType as T, PrfId } from '../../../src-main/core/ike/constants.ts';
import { deriveIkeSaKeys, type IkeSaKeys } from '../../../src-main/core/ike/keymat.ts';
import { protect, skSizes, unprotect, type IkeDatagram, type ProtectContext } from '../../../src-main/core/ike/protect.ts';
import type { HeaderFields } from '../../../src-main/core/ike/wire/header.ts';
import { decodeMessage, encodeInnerPayloads, encodeMessage } from '../../../src-main/core/ike/wire/message.ts';
import type { Payload } from '../../../src-main/core/ike/wire/payloads.ts';
import { h, seededRandom, vectors } from '../crypto/fixtures.ts';

const suite = createNobleSuite(seededRandom(11));

function ike(bytes: Uint8Array, natt = false): IkeDatagram {
  const d = decodeMessage(bytes, { natt });
  if (d.kind !== 'ike') throw new Error(`expected an IKE message, got ${d.kind}`);
  return d;
}

const header: HeaderFields = {
  spiI: h('0102030405060708'),
  spiR: h('1112131415161718'),
  exchangeType: ExchangeType.IKE_AUTH,
  initiator: true,
  response: false,
  messageId: 1,
};

// IKE_AUTH { IDi, AUTH, N(INITIAL_CONTACT), TSi } as a client would send it.
const inner: Payload[] = [
  { type: T.IDi, kind: 'rfc822', name: 'carol@strongswan.org' },
  { type: T.AUTH, method: 2, data: suite.randomBytes(32) },
  { type: T.N, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyStatus.INITIAL_CONTACT, data: new Uint8Array(0) },
  { type: T.TSi, selectors: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '0.0.0.0', endAddress: '255.255.255.255' }] },
];

const CIPHERS: ReadonlyArray<[string, SkCipher]> = [
  ['AES-CBC-128 + HMAC-SHA2-256-128', { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 }],
  ['AES-GCM-16-256', { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 }],
  ['ChaCha20-Poly1305', { encr: EncrId.ENCR_CHACHA20_POLY1305 }],
];

describe.each(CIPHERS)('%s', (_name, cipher) => {
  const keys = deriveIkeSaKeys(suite, { ...cipher, prf: PrfId.PRF_HMAC_SHA2_256 }, suite.randomBytes(32), suite.randomBytes(32), suite.randomBytes(32), header.spiI, header.spiR);
  const initiator: ProtectContext = { suite, cipher, keys, role: 'initiator' };
  const responder: ProtectContext = { ...initiator, role: 'responder' };
  const { iv, icv, block } = skSizes(cipher);
  const sent = protect(initiator, header, inner);

  it('HDR, SK { IDi, AUTH, N(INITIAL_CONTACT), TSi } --> decrypts to the same payloads', () => {
    const d = ike(sent);
    expect(d.payloads.map((p) => p.type)).toEqual([T.SK]);
    expect(d.header).toMatchObject({ nextPayload: T.SK, length: sent.length, messageId: 1, initiator: true });
    const got = unprotect(responder, d);
    if (!got.ok) throw new Error(`${got.reason}: ${got.detail}`);
    expect(got.firstInner).toBe(T.IDi);
    expect(got.payloads).toEqual(inner);
    // The bodies as received: RestOfInitIDPayload for MACedIDForI (RFC 7296 2.15).
    expect(toHex(got.bodies[0]!)).toBe(`03000000${toHex(new TextEncoder().encode('carol@strongswan.org'))}`);
  });

  it('lays out IV | ciphertext (whole blocks) | ICV after the SK header, with the fewest padding octets', () => {
    const body = sent.length - 28 - 4;
    const ciphertext = body - iv - icv;
    expect(ciphertext % block).toBe(0);
    const plain = encodeInnerPayloads(inner).length;
    expect(ciphertext).toBeGreaterThan(plain);
    expect(ciphertext).toBeLessThanOrEqual(plain + block);
    expect((sent[30]! << 8) | sent[31]!).toBe(4 + body); // SK Payload Length
  });

  it('draws a fresh IV for every message', () => {
    const again = protect(initiator, header, inner);
    expect(toHex(again.subarray(32, 32 + iv))).not.toBe(toHex(sent.subarray(32, 32 + iv)));
    expect(unprotect(responder, ike(again)).ok).toBe(true);
  });

  it('the responder\'s answer HDR, SK {} <-- (an empty INFORMATIONAL) also round trips', () => {
    const answer = protect(responder, { ...header, exchangeType: ExchangeType.INFORMATIONAL, initiator: false, response: true, messageId: 2 }, []);
    const got = unprotect(initiator, ike(answer));
    expect(got).toMatchObject({ ok: true, firstInner: T.NONE, payloads: [] });
  });

  it('with the non-ESP marker (port 4500): the AAD starts at the IKE header, not the marker', () => {
    const marked = protect(initiator, header, inner, { nonEspMarker: true });
    expect(toHex(marked.subarray(0, 4))).toBe('00000000');
    const d = ike(marked, true);
    expect(d.nonEspMarker).toBe(true);
    expect(unprotect(responder, d)).toMatchObject({ ok: true, payloads: inner });
  });

  it('a flipped bit anywhere (header, SK header, IV, ciphertext, ICV) is refused, never thrown', () => {
    const reasons = new Map<string, number>();
    for (let bit = 0; bit < sent.length * 8; bit++) {
      const bad = sent.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      const d = decodeMessage(bad, { natt: false });
      // Length, version or payload-length bits break the framing first: dropped before any crypto.
      const outcome = d.kind === 'ike' ? unprotect(responder, d) : undefined;
      expect(outcome?.ok ?? false, `bit ${bit} (byte ${bit >> 3}) was accepted`).toBe(false);
      const reason = outcome === undefined ? `decode:${d.kind === 'drop' ? d.reason : d.kind}` : outcome.ok ? 'accepted' : outcome.reason;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      // Every bit of the SPIs, Message ID, flags, SK header's Next Payload and C bit, IV, ciphertext and ICV is authenticated.
      const byte = bit >> 3;
      if (byte < 16 || (byte >= 18 && byte < 24) || byte === 28 || byte === 29 || byte >= 32) expect(reason, `bit ${bit}`).toBe('bad-icv');
    }
    expect(reasons.get('bad-icv')).toBeGreaterThan((sent.length - 32) * 8);
  });

  it('is refused with the wrong direction\'s keys: our own keys cannot open our own message', () => {
    expect(unprotect(initiator, ike(sent))).toMatchObject({ ok: false, reason: 'bad-icv' });
  });

  it('refuses a cleartext message (no-sk) and a truncated SK body (bad-length)', () => {
    const clear = ike(encodeMessage({ header, payloads: [inner[2]!] }));
    expect(unprotect(responder, clear)).toMatchObject({ ok: false, reason: 'no-sk' });
    const short = sent.slice(0, 32 + iv + icv);
    short.set([0, 0, 0, short.length], 24);
    short.set([0, 4 + iv + icv], 30);
    expect(unprotect(responder, ike(short))).toMatchObject({ ok: false, reason: 'bad-length' });
  });
});

describe('authenticated but broken inside', () => {
  const cipher: SkCipher = { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 };
  const keys = deriveIkeSaKeys(suite, { ...cipher, prf: PrfId.PRF_HMAC_SHA2_256 }, suite.randomBytes(32), suite.randomBytes(16), suite.randomBytes(16), header.spiI, header.spiR);
  const initiator: ProtectContext = { suite, cipher, keys, role: 'initiator' };
  const responder: ProtectContext = { ...initiator, role: 'responder' };

  // Seal an arbitrary plaintext the way protect does, to reach the checks after the ICV.
  function sealed(plaintext: Uint8Array, firstInner: number): IkeDatagram {
    const body = new Uint8Array(8 + plaintext.length + 16);
    const msg = encodeMessage({ header, payloads: [{ type: T.SK, firstInner, body }] });
    const iv = suite.randomBytes(8);
    msg.set(iv, 32);
    msg.set(suite.encrypt(cipher, { encr: keys.SK_ei }, iv, plaintext, msg.slice(0, 32)), 40);
    return ike(msg);
  }

  it('a Pad Length larger than the plaintext: bad-padding', () => {
    expect(unprotect(responder, sealed(h('0000000c'), T.N))).toMatchObject({ ok: false, reason: 'bad-padding' });
  });

  it('an inner chain that breaks its layout: malformed-inner, with the chain\'s reason and payload type', () => {
    // A Notify whose Payload Length (0x20) runs past the plaintext; then Pad Length 0.
    expect(unprotect(responder, sealed(h('000000200000400000'), T.N))).toMatchObject({ ok: false, reason: 'malformed-inner', inner: 'bad-payload-length', payloadType: T.N });
    // An unknown critical payload (type 200, C bit set) inside SK: answer UNSUPPORTED_CRITICAL_PAYLOAD.
    expect(unprotect(responder, sealed(h('0080000400'), 200))).toMatchObject({ ok: false, reason: 'malformed-inner', inner: 'unsupported-critical-payload', payloadType: 200 });
    // Nested SK.
    expect(unprotect(responder, sealed(h('0000000400'), T.SK))).toMatchObject({ ok: false, inner: 'sk-not-last' });
  });

  it('never takes an SK payload to protect', () => {
    expect(() => protect(initiator, header, [{ type: T.SK, firstInner: 0, body: new Uint8Array(0) }])).toThrow(/innerPayloads\[0\]/);
  });
});

describe('AOSP traced IKE_AUTH request (AES-CBC-128, HMAC-SHA1-96; SaRecordTest / IkeMessageTest)', () => {
  const v = vectors.android_ike_library_unit_tests.vectors.sha1_aescbc128_modp1024_chain;
  const keys = Object.fromEntries(Object.entries(v.keys).map(([k, x]) => [k, h(x)])) as unknown as IkeSaKeys;
  const cipher: SkCipher = { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA1_96 };
  const responder: ProtectContext = { suite, cipher, keys, role: 'responder' };
  const d = ike(h(v.ike_auth_request));

  it('unprotects to IDi, IDr, AUTH, SA, TSi, TSr, N(INITIAL_CONTACT), N(SET_WINDOW_SIZE)', () => {
    const got = unprotect(responder, d);
    if (!got.ok) throw new Error(`${got.reason}: ${got.detail}`);
    expect(got.payloads.map((p) => nameOf(T, p.type))).toEqual(['IDi', 'IDr', 'AUTH', 'SA', 'TSi', 'TSr', 'N', 'N']);
    expect(toHex(got.bodies[0]!)).toBe(v.IDi_payload_body);
    expect(got.payloads[2]).toMatchObject({ type: T.AUTH, method: 2 });
    expect(toHex((got.payloads[2] as Extract<Payload, { type: 39 }>).data)).toBe(v.AUTH_psk);
    const notifies = got.payloads.flatMap((p) => (p.type === T.N ? [p.notifyType] : []));
    expect(notifies).toEqual([NotifyStatus.INITIAL_CONTACT, NotifyStatus.SET_WINDOW_SIZE]);
  });

  it('is refused by the initiator\'s side (it would expect SK_er / SK_ar)', () => {
    expect(unprotect({ ...responder, role: 'initiator' }, d)).toMatchObject({ ok: false, reason: 'bad-icv' });
  });

  it('protect with the traced IV reproduces the traced message byte for byte (zero padding, fewest octets)', () => {
    const got = unprotect(responder, d);
    if (!got.ok) throw new Error(got.reason);
    const replay = createNobleSuite(() => h(v.ike_auth_request_sk_iv));
    const again = protect({ suite: replay, cipher, keys, role: 'initiator' }, d.header, got.payloads);
    expect(toHex(again)).toBe(v.ike_auth_request);
  });
});
