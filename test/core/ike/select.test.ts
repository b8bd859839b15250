// Proposal selection as strongSwan's responder does it (RFC 7296 2.7, 3.3.6; proposal.c with
// prefer_configured_proposals = yes): our configured order decides, one transform of each type is
// returned as the peer sent it, and anything unknown, mismatched or missing is not chosen.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { DhGroup, EncrId, EsnId, IntegId, PrfId, ProtocolId, TransformAttr, TransformType as TT } from '../../../src-main/core/ike/constants.ts';
import { parseProposal, parseProposals, proposalTransforms, type ProposalProtocol } from '../../../src-main/core/ike/proposal-syntax.ts';
import { acceptableDhGroup, invalidKeData, invalidKeGroup, selectProposal } from '../../../src-main/core/ike/select.ts';
import type { Proposal, Transform } from '../../../src-main/core/ike/wire/sa.ts';

const KEY_LENGTH = TransformAttr.KEY_LENGTH;
const t = (type: number, id: number, keyLength?: number): Transform => ({ type, id, attributes: keyLength === undefined ? [] : [{ type: KEY_LENGTH, value: keyLength }] });

/** An offered proposal written in strongSwan syntax, as a peer configured with it would send it. */
function offer(number: number, text: string, protocol: ProposalProtocol = 'ike', spi = new Uint8Array(protocol === 'esp' ? 4 : 0)): Proposal {
  const transforms = proposalTransforms(parseProposal(text, protocol)).map((x) => t(x.type, x.id, x.keyLength));
  return { number, protocolId: protocol === 'ike' ? ProtocolId.IKE : ProtocolId.ESP, spi, transforms };
}

// charon's default IKE offer, modelled on proposal_create_default / proposal_create_default_aead
// (src/libstrongswan/crypto/proposal/proposal.c): a classic proposal and an AEAD one, each with
// IDs WakeLab does not implement (AES-CTR, AES-CCM, AES-XCBC/CMAC, ECP-521, Brainpool, Curve448,
// MODP 4096..8192). The order of the groups depends on the plugins charon loaded.
const GROUPS = [DhGroup.ECP_256, DhGroup.ECP_384, 21, 28, 29, 30, DhGroup.CURVE25519, 32, DhGroup.MODP_3072, 16, 17, 18, DhGroup.MODP_2048];
const PRFS = [PrfId.PRF_HMAC_SHA2_256, PrfId.PRF_HMAC_SHA2_384, PrfId.PRF_HMAC_SHA2_512, 4, 8, PrfId.PRF_HMAC_SHA1];
const charonDefault: Proposal[] = [
  {
    number: 1,
    protocolId: ProtocolId.IKE,
    spi: new Uint8Array(0),
    transforms: [
      ...[128, 192, 256].map((k) => t(TT.ENCR, EncrId.ENCR_AES_CBC, k)),
      ...[128, 192, 256].map((k) => t(TT.ENCR, EncrId.ENCR_AES_CTR, k)),
      ...[IntegId.AUTH_HMAC_SHA2_256_128, IntegId.AUTH_HMAC_SHA2_384_192, IntegId.AUTH_HMAC_SHA2_512_256, 5, 8, IntegId.AUTH_HMAC_SHA1_96].map((id) => t(TT.INTEG, id)),
      ...PRFS.map((id) => t(TT.PRF, id)),
      ...GROUPS.map((id) => t(TT.DH, id)),
    ],
  },
  {
    number: 2,
    protocolId: ProtocolId.IKE,
    spi: new Uint8Array(0),
    transforms: [
      ...[128, 192, 256].map((k) => t(TT.ENCR, EncrId.ENCR_AES_GCM_16, k)),
      t(TT.ENCR, EncrId.ENCR_CHACHA20_POLY1305),
      ...[128, 192, 256].map((k) => t(TT.ENCR, 16, k)), // ENCR_AES_CCM_16
      ...[128, 192, 256].map((k) => t(TT.ENCR, EncrId.ENCR_AES_GCM_12, k)),
      ...[128, 192, 256].map((k) => t(TT.ENCR, EncrId.ENCR_AES_GCM_8, k)),
      ...PRFS.map((id) => t(TT.PRF, id)),
      ...GROUPS.map((id) => t(TT.DH, id)),
    ],
  },
];

// The responder's defaults (responder-config.ts, from docs/strongswan-behaviour.md).
const ikeDefaults = parseProposals(['aes128-sha256-prfsha256-curve25519', 'aes256gcm16-prfsha256-curve25519', 'aes256-sha256-modp2048', 'chacha20poly1305-prfsha256-curve25519'], 'ike');
const espDefaults = parseProposals(['aes128-sha256', 'aes256gcm16', 'chacha20poly1305'], 'esp');

describe('IKE_SA_INIT: SAi1 from charon', () => {
  it('aes128-sha256-prfsha256-curve25519 against our defaults: that one, in RFC 7296 3.3 transform order', () => {
    const s = selectProposal([offer(1, 'aes128-sha256-prfsha256-curve25519')], ikeDefaults, 'ike')!;
    expect(s.transforms).toEqual({ encr: EncrId.ENCR_AES_CBC, keyLength: 128, prf: PrfId.PRF_HMAC_SHA2_256, integ: IntegId.AUTH_HMAC_SHA2_256_128, dh: DhGroup.CURVE25519 });
    expect(s.proposal).toEqual({
      number: 1,
      protocolId: ProtocolId.IKE,
      spi: new Uint8Array(0),
      transforms: [t(TT.ENCR, EncrId.ENCR_AES_CBC, 128), t(TT.PRF, PrfId.PRF_HMAC_SHA2_256), t(TT.INTEG, IntegId.AUTH_HMAC_SHA2_256_128), t(TT.DH, DhGroup.CURVE25519)],
    });
    expect(s.configured).toBe(0);
    expect(acceptableDhGroup(s, DhGroup.CURVE25519)).toBe(true);
  });

  it('charon\'s default offer against our defaults: the classic proposal 1, our first choices, though its KE is ECP-256', () => {
    const s = selectProposal(charonDefault, ikeDefaults, 'ike')!;
    expect(s.proposal.number).toBe(1);
    expect(s.transforms).toEqual({ encr: EncrId.ENCR_AES_CBC, keyLength: 128, prf: PrfId.PRF_HMAC_SHA2_256, integ: IntegId.AUTH_HMAC_SHA2_256_128, dh: DhGroup.CURVE25519 });
    expect(s.proposal.transforms.filter((x) => x.type === TT.ENCR)).toHaveLength(1);
    // Configured order within a type: curve25519, not the ECP-256 the peer listed (and sent KE for) first.
    expect(acceptableDhGroup(s, DhGroup.ECP_256)).toBe(false);
    expect(invalidKeGroup(s)).toBe(DhGroup.CURVE25519);
    expect(toHex(invalidKeData(invalidKeGroup(s)!))).toBe('001f');
  });

  it('configured AEAD first: proposal 2 is chosen over the peer\'s favourite, without INTEG', () => {
    const s = selectProposal(charonDefault, parseProposals(['aes256gcm16-prfsha256-curve25519', 'aes128-sha256-prfsha256-curve25519'], 'ike'), 'ike')!;
    expect(s.proposal.number).toBe(2);
    expect(s.transforms).toEqual({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 256, prf: PrfId.PRF_HMAC_SHA2_256, dh: DhGroup.CURVE25519 });
    expect(s.proposal.transforms.map((x) => x.type)).toEqual([TT.ENCR, TT.PRF, TT.DH]);
  });

  it('chacha20poly1305: no Key Length attribute on either side', () => {
    const s = selectProposal(charonDefault, parseProposals(['chacha20poly1305-prfsha256-curve25519'], 'ike'), 'ike')!;
    expect(s.proposal.number).toBe(2);
    expect(s.proposal.transforms[0]).toEqual(t(TT.ENCR, EncrId.ENCR_CHACHA20_POLY1305));
    expect(s.transforms.keyLength).toBeUndefined();
  });

  it('aes256-sha256-modp2048: PRF from the integrity keyword; charon\'s KE for ECP-256 gets INVALID_KE_PAYLOAD(14)', () => {
    const s = selectProposal(charonDefault, parseProposals(['aes256-sha256-modp2048'], 'ike'), 'ike')!;
    expect(s.transforms).toEqual({ encr: EncrId.ENCR_AES_CBC, keyLength: 256, prf: PrfId.PRF_HMAC_SHA2_256, integ: IntegId.AUTH_HMAC_SHA2_256_128, dh: DhGroup.MODP_2048 });
    expect(acceptableDhGroup(s, DhGroup.ECP_256)).toBe(false);
    expect(toHex(invalidKeData(invalidKeGroup(s)!))).toBe('000e');
  });

  it('AEAD offered with INTEG NONE (RFC 5282 8) or, wrongly, a real INTEG: INTEG is ignored', () => {
    const conf = parseProposals(['aes128gcm16-prfsha256-ecp256'], 'ike');
    const withNone = offer(3, 'aes128gcm16-prfsha256-ecp256');
    const none = { ...withNone, transforms: [...withNone.transforms, t(TT.INTEG, IntegId.NONE)] };
    expect(selectProposal([none], conf, 'ike')!.proposal.transforms.map((x) => x.type)).toEqual([TT.ENCR, TT.PRF, TT.DH]);
    const wrong = { ...withNone, transforms: [...withNone.transforms, t(TT.INTEG, IntegId.AUTH_HMAC_SHA2_256_128)] };
    expect(selectProposal([wrong], conf, 'ike')!.transforms.integ).toBeUndefined();
  });
});

describe('what is never chosen', () => {
  const conf = parseProposals(['aes128-sha256-prfsha256-curve25519'], 'ike');

  it('a key length we do not have configured (aes256 for aes128), or none at all for AES-CBC', () => {
    expect(selectProposal([offer(1, 'aes256-sha256-prfsha256-curve25519')], conf, 'ike')).toBeNull();
    const bare = offer(1, 'aes128-sha256-prfsha256-curve25519');
    const noKeyLength = { ...bare, transforms: bare.transforms.map((x) => (x.type === TT.ENCR ? t(TT.ENCR, x.id) : x)) };
    expect(selectProposal([noKeyLength], conf, 'ike')).toBeNull();
  });

  it('a transform with an attribute we do not understand; another of the same type still counts (3.3.6)', () => {
    const base = offer(1, 'aes128-sha256-prfsha256-curve25519');
    const odd: Transform = { type: TT.ENCR, id: EncrId.ENCR_AES_CBC, attributes: [{ type: KEY_LENGTH, value: 128 }, { type: 99, value: 1 }] };
    const tlv: Transform = { type: TT.ENCR, id: EncrId.ENCR_AES_CBC, attributes: [{ type: 17, value: new Uint8Array(2) }] };
    const onlyOdd = { ...base, transforms: [odd, tlv, ...base.transforms.filter((x) => x.type !== TT.ENCR)] };
    expect(selectProposal([onlyOdd], conf, 'ike')).toBeNull();
    const s = selectProposal([{ ...onlyOdd, transforms: [odd, ...base.transforms] }], conf, 'ike')!;
    expect(s.proposal.transforms[0]).toEqual(t(TT.ENCR, EncrId.ENCR_AES_CBC, 128));
  });

  it('a proposal with a transform type IKE does not have (ESN, or an RFC 9370 ADDKE1); the next proposal is fine', () => {
    const base = offer(1, 'aes128-sha256-prfsha256-curve25519');
    const esn = { ...base, transforms: [...base.transforms, t(TT.ESN, EsnId.NO_ESN)] };
    const addke = { ...base, number: 2, transforms: [...base.transforms, t(6, DhGroup.MODP_2048)] };
    expect(selectProposal([esn, addke], conf, 'ike')).toBeNull();
    expect(selectProposal([esn, addke, { ...base, number: 3 }], conf, 'ike')!.proposal.number).toBe(3);
  });

  it('a proposal missing a mandatory type (no D-H group in IKE, no PRF), or of another protocol', () => {
    const base = offer(1, 'aes128-sha256-prfsha256-curve25519');
    expect(selectProposal([{ ...base, transforms: base.transforms.filter((x) => x.type !== TT.DH) }], conf, 'ike')).toBeNull();
    expect(selectProposal([{ ...base, transforms: base.transforms.filter((x) => x.type !== TT.PRF) }], conf, 'ike')).toBeNull();
    expect(selectProposal([{ ...base, protocolId: ProtocolId.ESP, spi: new Uint8Array(4) }], conf, 'ike')).toBeNull();
  });

  it('nothing in common, or nothing offered: null (NO_PROPOSAL_CHOSEN)', () => {
    expect(selectProposal([offer(1, 'aes256-sha512-prfsha512-ecp384'), offer(2, 'aes128gcm16-prfsha256-modp3072')], ikeDefaults, 'ike')).toBeNull();
    expect(selectProposal([], ikeDefaults, 'ike')).toBeNull();
    expect(selectProposal([offer(1, 'aes128-sha256-prfsha256-curve25519')], [], 'ike')).toBeNull();
  });
});

describe('ESP (IKE_AUTH and CREATE_CHILD_SA)', () => {
  const spi = Uint8Array.of(0xc1, 0x5a, 0x0d, 0x01);

  it('aes128-sha256 with ESN and no-ESN offered: NO_ESN, and the peer\'s SPI handed back for the caller to replace', () => {
    const s = selectProposal([offer(1, 'aes128-sha256-esn-noesn', 'esp', spi)], espDefaults, 'esp')!;
    expect(s.transforms).toEqual({ encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128, esn: EsnId.NO_ESN });
    expect(s.proposal.transforms.map((x) => [x.type, x.id])).toEqual([[TT.ENCR, EncrId.ENCR_AES_CBC], [TT.INTEG, IntegId.AUTH_HMAC_SHA2_256_128], [TT.ESN, EsnId.NO_ESN]]);
    expect(toHex(s.peerSpi)).toBe('c15a0d01');
    expect(s.proposal).toMatchObject({ number: 1, protocolId: ProtocolId.ESP, spi });
  });

  it('ESN only against our no-ESN: null; with esn configured it is ESN', () => {
    expect(selectProposal([offer(1, 'aes128-sha256-esn', 'esp', spi)], espDefaults, 'esp')).toBeNull();
    expect(selectProposal([offer(1, 'aes128-sha256-esn', 'esp', spi)], parseProposals(['aes128-sha256-esn'], 'esp'), 'esp')!.transforms.esn).toBe(EsnId.ESN);
  });

  it('AEAD without INTEG: aes256gcm16 and chacha20poly1305 (our 2nd and 3rd) in charon\'s order of proposals', () => {
    const s = selectProposal([offer(1, 'chacha20poly1305', 'esp', spi), offer(2, 'aes256gcm16', 'esp', spi)], espDefaults, 'esp')!;
    expect(s.configured).toBe(1);
    expect(s.proposal.number).toBe(2);
    expect(s.transforms).toEqual({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 256, esn: EsnId.NO_ESN });
  });

  it('PFS: a D-H group against a configuration without one only if NONE is offered too; skipKe for IKE_AUTH', () => {
    expect(selectProposal([offer(1, 'aes128-sha256-modp2048', 'esp', spi)], espDefaults, 'esp')).toBeNull();
    const s = selectProposal([offer(1, 'aes128-sha256-modp2048-none', 'esp', spi)], espDefaults, 'esp')!;
    expect(s.transforms.dh).toBeUndefined();
    expect(s.proposal.transforms.some((x) => x.type === TT.DH)).toBe(false);
    expect(acceptableDhGroup(s, DhGroup.MODP_2048)).toBe(true); // the KE is ignored (non-PFS)
    expect(selectProposal([offer(1, 'aes128-sha256-modp2048', 'esp', spi)], espDefaults, 'esp', { skipKe: true })!.transforms.dh).toBeUndefined();
    // Configured PFS, peer in IKE_AUTH without D-H transforms (1.2: it SHOULD omit them).
    const pfs = parseProposals(['aes128-sha256-modp2048'], 'esp');
    expect(selectProposal([offer(1, 'aes128-sha256', 'esp', spi)], pfs, 'esp')).toBeNull();
    expect(selectProposal([offer(1, 'aes128-sha256', 'esp', spi)], pfs, 'esp', { skipKe: true })).not.toBeNull();
  });

  it('CREATE_CHILD_SA with PFS: the group is chosen and the KE must match it', () => {
    const s = selectProposal([offer(1, 'aes128gcm16-ecp256-modp2048', 'esp', spi)], parseProposals(['aes128gcm16-modp2048-ecp256'], 'esp'), 'esp')!;
    expect(s.transforms.dh).toBe(DhGroup.MODP_2048);
    expect(acceptableDhGroup(s, DhGroup.ECP_256)).toBe(false);
    expect(invalidKeGroup(s)).toBe(DhGroup.MODP_2048);
  });

  it('a PRF in an ESP proposal makes it unacceptable; IKE proposals are skipped when selecting ESP', () => {
    const base = offer(1, 'aes128-sha256', 'esp', spi);
    expect(selectProposal([{ ...base, transforms: [...base.transforms, t(TT.PRF, PrfId.PRF_HMAC_SHA2_256)] }], espDefaults, 'esp')).toBeNull();
    expect(selectProposal([offer(1, 'aes128-sha256-prfsha256-curve25519')], espDefaults, 'esp')).toBeNull();
    expect(selectProposal([base], ikeDefaults, 'esp')).toBeNull();
  });
});
