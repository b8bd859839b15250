// strongSwan proposal strings to IKEv2 transforms. Expected meanings follow strongSwan's keyword
// table (proposal_keywords_static.txt) and its proposal checks (proposal.c, check_proposal).
import { describe, expect, it } from 'vitest';
import { DhGroup, EncrId, EsnId, IntegId, PrfId, TransformType } from '../../../src-main/core/ike/constants.ts';
import { parseProposal, parseProposals, proposalKeywords, proposalTransforms } from '../../../src-main/core/ike/proposal-syntax.ts';

const { ENCR_AES_CBC, ENCR_AES_GCM_8, ENCR_AES_GCM_12, ENCR_AES_GCM_16, ENCR_CHACHA20_POLY1305 } = EncrId;

describe('IKE proposals', () => {
  it('aes128-sha256-prfsha256-curve25519', () => {
    expect(parseProposal('aes128-sha256-prfsha256-curve25519', 'ike')).toEqual({
      protocol: 'ike',
      encr: [{ id: ENCR_AES_CBC, keyLength: 128 }],
      prf: [PrfId.PRF_HMAC_SHA2_256],
      integ: [IntegId.AUTH_HMAC_SHA2_256_128],
      dh: [DhGroup.CURVE25519],
      esn: [],
    });
  });

  it('aes256gcm16-prfsha256-curve25519: AEAD, no INTEG (RFC 5282 8)', () => {
    expect(parseProposal('aes256gcm16-prfsha256-curve25519', 'ike')).toMatchObject({
      encr: [{ id: ENCR_AES_GCM_16, keyLength: 256 }],
      prf: [PrfId.PRF_HMAC_SHA2_256],
      integ: [],
      dh: [DhGroup.CURVE25519],
    });
  });

  it('aes256-sha256-modp2048: without a prf keyword, sha256 also proposes PRF_HMAC_SHA2_256', () => {
    expect(parseProposal('aes256-sha256-modp2048', 'ike')).toMatchObject({
      encr: [{ id: ENCR_AES_CBC, keyLength: 256 }],
      prf: [PrfId.PRF_HMAC_SHA2_256],
      integ: [IntegId.AUTH_HMAC_SHA2_256_128],
      dh: [DhGroup.MODP_2048],
    });
  });

  it('chacha20poly1305-prfsha256-curve25519: no Key Length attribute', () => {
    const p = parseProposal('chacha20poly1305-prfsha256-curve25519', 'ike');
    expect(p.encr).toEqual([{ id: ENCR_CHACHA20_POLY1305 }]);
    expect(p.integ).toEqual([]);
  });

  it('aes128gcm16-sha384-ecp384: with AEAD in IKE, sha384 only means the PRF', () => {
    expect(parseProposal('aes128gcm16-sha384-ecp384', 'ike')).toMatchObject({ prf: [PrfId.PRF_HMAC_SHA2_384], integ: [], dh: [DhGroup.ECP_384] });
  });

  it('keeps preference order per type, whatever the order of types, and drops repeats', () => {
    const a = parseProposal('aes256gcm16-aes128gcm12-prfsha384-prfsha256-ecp384-modp3072', 'ike');
    const b = parseProposal('aes256gcm16-prfsha384-ecp384-aes128gcm12-prfsha256-modp3072-ecp384', 'ike');
    expect(b).toEqual(a);
    expect(a.encr).toEqual([{ id: ENCR_AES_GCM_16, keyLength: 256 }, { id: ENCR_AES_GCM_12, keyLength: 128 }]);
    expect(a.dh).toEqual([DhGroup.ECP_384, DhGroup.MODP_3072]);
  });

  it('strongSwan aliases: aes = aes128, sha = sha1, x25519 = curve25519, gcm64/96/128 = gcm8/12/16', () => {
    expect(parseProposal('aes-sha-x25519', 'ike')).toEqual(parseProposal('aes128-sha1-curve25519', 'ike'));
    expect(parseProposal('aes128gcm64-aes192gcm96-aes256gcm128-aes256gcm-prfsha1-modp1024', 'ike').encr).toEqual([
      { id: ENCR_AES_GCM_8, keyLength: 128 },
      { id: ENCR_AES_GCM_12, keyLength: 192 },
      { id: ENCR_AES_GCM_16, keyLength: 256 },
    ]);
  });

  it.each([
    ['aes128-sha256-foo-curve25519', /IKE proposal "aes128-sha256-foo-curve25519": unknown or unsupported algorithm keyword "foo"/],
    ['aes128ctr-sha256-curve25519', /unknown or unsupported algorithm keyword "aes128ctr"/],
    ['AES128-sha256-curve25519', /keyword "AES128"/],
    ['aes128--sha256-curve25519', /empty algorithm keyword/],
    ['', /is empty/],
    ['aes128-curve25519', /needs a PRF/],
    ['aes128-prfsha256-curve25519', /needs an integrity algorithm/],
    ['aes128-sha256', /needs a Diffie-Hellman group/],
    ['aes128-sha256-none', /needs a Diffie-Hellman group/],
    ['sha256-prfsha256-curve25519', /needs an encryption algorithm/],
    ['aes128-aes128gcm16-sha256-curve25519', /mixes AEAD and classic/],
    ['aes128-sha256-curve25519-esn', /"esn" \(extended sequence numbers\) applies to ESP only/],
  ])('refuses %j', (text, message) => {
    expect(() => parseProposal(text, 'ike')).toThrow(message);
  });

  it('errors are INVALID_ARGUMENT WakeLabErrors', () => {
    expect(() => parseProposal('bogus', 'ike')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('ESP proposals', () => {
  it('aes128gcm16-x25519: AEAD with PFS, no PRF, NO_ESN by default', () => {
    expect(parseProposal('aes128gcm16-x25519', 'esp')).toEqual({
      protocol: 'esp',
      encr: [{ id: ENCR_AES_GCM_16, keyLength: 128 }],
      prf: [],
      integ: [],
      dh: [DhGroup.CURVE25519],
      esn: [EsnId.NO_ESN],
    });
  });

  it('the configuration defaults aes128-sha256, aes256gcm16, chacha20poly1305', () => {
    const [cbc, gcm, chacha] = parseProposals(['aes128-sha256', 'aes256gcm16', 'chacha20poly1305'], 'esp');
    expect(cbc).toMatchObject({ encr: [{ id: ENCR_AES_CBC, keyLength: 128 }], integ: [IntegId.AUTH_HMAC_SHA2_256_128], dh: [], esn: [EsnId.NO_ESN] });
    expect(gcm).toMatchObject({ encr: [{ id: ENCR_AES_GCM_16, keyLength: 256 }], integ: [] });
    expect(chacha).toMatchObject({ encr: [{ id: ENCR_CHACHA20_POLY1305 }], integ: [], prf: [] });
  });

  it('esn-noesn, modpnone for optional PFS, and prf keywords dropped as strongSwan does', () => {
    expect(parseProposal('aes256-sha512-prfsha512-modp3072-modpnone-esn-noesn', 'esp')).toMatchObject({
      prf: [],
      integ: [IntegId.AUTH_HMAC_SHA2_512_256],
      dh: [DhGroup.MODP_3072, DhGroup.NONE],
      esn: [EsnId.ESN, EsnId.NO_ESN],
    });
  });

  it('a comma-separated list, as swanctl writes it', () => {
    expect(parseProposals('aes128-sha256, aes256gcm16-ecp256', 'esp').map((p) => p.encr[0]!.id)).toEqual([ENCR_AES_CBC, ENCR_AES_GCM_16]);
  });

  it('refuses a classic cipher without integrity (no encryption-only ESP in WakeLab)', () => {
    expect(() => parseProposal('aes128-modp2048', 'esp')).toThrow(/ESP proposal "aes128-modp2048": needs an integrity algorithm/);
  });
});

describe('proposalTransforms', () => {
  it('lists transforms in RFC 7296 3.3 type order with Key Length attributes', () => {
    expect(proposalTransforms(parseProposal('prfsha256-curve25519-sha256-aes128', 'ike'))).toEqual([
      { type: TransformType.ENCR, id: ENCR_AES_CBC, keyLength: 128 },
      { type: TransformType.PRF, id: PrfId.PRF_HMAC_SHA2_256 },
      { type: TransformType.INTEG, id: IntegId.AUTH_HMAC_SHA2_256_128 },
      { type: TransformType.DH, id: DhGroup.CURVE25519 },
    ]);
    expect(proposalTransforms(parseProposal('chacha20poly1305', 'esp'))).toEqual([
      { type: TransformType.ENCR, id: ENCR_CHACHA20_POLY1305 },
      { type: TransformType.ESN, id: EsnId.NO_ESN },
    ]);
  });

  it('every keyword parses in a minimal proposal', () => {
    for (const k of proposalKeywords()) {
      const [text, protocol] = /^(aes|chacha)/.test(k)
        ? [`${k}-sha256`, 'esp' as const]
        : /^sha/.test(k)
          ? [`aes128-${k}`, 'esp' as const]
          : /^prf/.test(k)
            ? [`aes128gcm16-${k}-ecp256`, 'ike' as const]
            : [`aes128gcm16-${k}`, 'esp' as const];
      expect(() => parseProposal(text, protocol), text).not.toThrow();
    }
    expect(proposalKeywords()).toHaveLength(49);
  });
});
