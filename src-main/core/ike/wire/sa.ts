/**
 * Security Association payload body, RFC 7296 sections 3.3, 3.3.1, 3.3.2 and 3.3.5.
 *
 * SA body: one or more Proposal substructures.
 *   Proposal (3.3.1): Last Substruc (1: 0 last, 2 more) | RESERVED (1) | Proposal Length (2)
 *                     Proposal Num (1) | Protocol ID (1) | SPI Size (1) | Num Transforms (1)
 *                     SPI (SPI Size: 0 or 8 for IKE, 4 for AH and ESP) | Transforms
 *   Transform (3.3.2): Last Substruc (1: 0 last, 3 more) | RESERVED (1) | Transform Length (2)
 *                      Transform Type (1) | RESERVED (1) | Transform ID (2) | Attributes
 *   Attribute (3.3.5): AF (1 bit) | Attribute Type (15 bits) | Attribute Value (2, AF=1: TV) or
 *                      Attribute Length (2) and Value (AF=0: TLV). Key Length (14) is always TV.
 * Proposal numbers start at 1 or more and never go down (strongSwan checks the same; a response
 * carries one proposal with the number it accepted). Reserved fields are sent as zero and ignored.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { ProtocolId, TransformAttr } from '../constants.ts';
import { checkUint, fieldError, malformed, ok, type Decoded } from './result.ts';

/** A TV attribute carries a number; a TLV attribute carries bytes. */
export interface TransformAttribute {
  readonly type: number;
  readonly value: number | Uint8Array;
}

export interface Transform {
  /** TransformType: ENCR, PRF, INTEG, DH, ESN. */
  readonly type: number;
  readonly id: number;
  readonly attributes: readonly TransformAttribute[];
}

export interface Proposal {
  readonly number: number;
  readonly protocolId: number;
  /** Empty, or 8 bytes (IKE SA rekey), or 4 bytes (ESP, AH). */
  readonly spi: Uint8Array;
  readonly transforms: readonly Transform[];
}

export interface Sa {
  readonly proposals: readonly Proposal[];
}

const LAST = 0;
const MORE_PROPOSALS = 2;
const MORE_TRANSFORMS = 3;
const AF_TV = 0x8000;

/** The Key Length attribute of a transform (bits), if it has one. */
export function keyLength(t: Transform): number | undefined {
  const a = t.attributes.find((x) => x.type === TransformAttr.KEY_LENGTH);
  return typeof a?.value === 'number' ? a.value : undefined;
}

function spiSizeProblem(protocolId: number, size: number): string | undefined {
  if (protocolId === ProtocolId.IKE && size !== 0 && size !== 8) return `IKE proposal SPI Size ${size}, must be 0 or 8`;
  if ((protocolId === ProtocolId.ESP || protocolId === ProtocolId.AH) && size !== 4) {
    return `ESP/AH proposal SPI Size ${size}, must be 4`;
  }
  return undefined;
}

export function decodeSa(r: Reader): Decoded<Sa> {
  const proposals: Proposal[] = [];
  for (let least = 1; ; ) {
    const last = r.u8();
    r.u8();
    const length = r.u16();
    if (!r.ok) return malformed(`SA: proposal ${proposals.length + 1} header cut short`);
    if (last !== LAST && last !== MORE_PROPOSALS) return malformed(`SA: proposal Last Substruc ${last}, must be 0 or 2`);
    if (length < 8 || length - 4 > r.remaining) return malformed(`SA: Proposal Length ${length} does not fit`);
    const p = decodeProposal(r.sub(length - 4));
    if (!p.ok) return p;
    if (p.value.number < least) return malformed(`SA: Proposal Num ${p.value.number} below ${least}`);
    least = p.value.number;
    proposals.push(p.value);
    if (last === LAST) break;
    if (r.remaining === 0) return malformed('SA: Last Substruc says more proposals follow, none does');
  }
  if (r.remaining !== 0) return malformed(`SA: ${r.remaining} bytes after the last proposal`);
  return ok({ proposals });
}

function decodeProposal(r: Reader): Decoded<Proposal> {
  const number = r.u8();
  const protocolId = r.u8();
  const spiSize = r.u8();
  const count = r.u8();
  const spi = r.bytes(spiSize);
  if (!r.ok) return malformed('SA: proposal cut short before its transforms');
  const spiProblem = spiSizeProblem(protocolId, spiSize);
  if (spiProblem) return malformed(`SA: ${spiProblem}`);
  const transforms: Transform[] = [];
  for (let i = 0; i < count; i++) {
    const last = r.u8();
    r.u8();
    const length = r.u16();
    if (!r.ok) return malformed(`SA: proposal ${number} has ${i} of ${count} transforms`);
    if (last !== (i === count - 1 ? LAST : MORE_TRANSFORMS)) {
      return malformed(`SA: transform ${i + 1} of ${count} has Last Substruc ${last}`);
    }
    if (length < 8 || length - 4 > r.remaining) return malformed(`SA: Transform Length ${length} does not fit`);
    const t = decodeTransform(r.sub(length - 4));
    if (!t.ok) return t;
    transforms.push(t.value);
  }
  if (r.remaining !== 0) return malformed(`SA: proposal ${number} has bytes after its ${count} transforms`);
  return ok({ number, protocolId, spi, transforms });
}

function decodeTransform(r: Reader): Decoded<Transform> {
  const type = r.u8();
  r.u8();
  const id = r.u16();
  const attributes: TransformAttribute[] = [];
  while (r.ok && r.remaining > 0) {
    const head = r.u16();
    const attrType = head & 0x7fff;
    if (head & AF_TV) {
      attributes.push({ type: attrType, value: r.u16() });
    } else {
      if (attrType === TransformAttr.KEY_LENGTH) return malformed('SA: Key Length attribute in TLV format');
      attributes.push({ type: attrType, value: r.bytes(r.u16()) });
    }
  }
  if (!r.ok) return malformed(`SA: transform ${type}/${id} attributes cut short`);
  return ok({ type, id, attributes });
}

export function encodeSa(w: Writer, sa: Sa): void {
  if (sa.proposals.length === 0) fieldError('sa.proposals', 'at least one proposal is needed');
  sa.proposals.forEach((p, i) => {
    const f = `sa.proposals[${i}]`;
    checkUint(`${f}.number`, p.number, 8);
    checkUint(`${f}.protocolId`, p.protocolId, 8);
    checkUint(`${f}.transforms.length`, p.transforms.length, 8);
    const spiProblem = spiSizeProblem(p.protocolId, p.spi.length);
    if (spiProblem || p.spi.length > 255) fieldError(`${f}.spi`, spiProblem ?? 'longer than 255 bytes');
    const at = w.length;
    w.u8(i === sa.proposals.length - 1 ? LAST : MORE_PROPOSALS).u8(0).u16(0);
    w.u8(p.number).u8(p.protocolId).u8(p.spi.length).u8(p.transforms.length).bytes(p.spi);
    p.transforms.forEach((t, j) => encodeTransform(w, t, j === p.transforms.length - 1, `${f}.transforms[${j}]`));
    patchLength(w, at, f);
  });
}

function encodeTransform(w: Writer, t: Transform, last: boolean, f: string): void {
  checkUint(`${f}.type`, t.type, 8);
  checkUint(`${f}.id`, t.id, 16);
  const at = w.length;
  w.u8(last ? LAST : MORE_TRANSFORMS).u8(0).u16(0).u8(t.type).u8(0).u16(t.id);
  t.attributes.forEach((a, k) => {
    checkUint(`${f}.attributes[${k}].type`, a.type, 15);
    if (typeof a.value === 'number') {
      checkUint(`${f}.attributes[${k}].value`, a.value, 16);
      w.u16(AF_TV | a.type).u16(a.value);
    } else {
      if (a.type === TransformAttr.KEY_LENGTH) fieldError(`${f}.attributes[${k}]`, 'Key Length must be a number (TV)');
      checkUint(`${f}.attributes[${k}].value.length`, a.value.length, 16);
      w.u16(a.type).u16(a.value.length).bytes(a.value);
    }
  });
  patchLength(w, at, f);
}

function patchLength(w: Writer, at: number, f: string): void {
  const length = w.length - at;
  if (length > 0xffff) fieldError(f, `${length} bytes, more than a 16-bit length`);
  w.patchU16(at + 2, length);
}

function transformLength(t: Transform): number {
  return 8 + t.attributes.reduce((n, a) => n + (typeof a.value === 'number' ? 4 : 4 + a.value.length), 0);
}

export function saLength(sa: Sa): number {
  return sa.proposals.reduce((n, p) => n + 8 + p.spi.length + p.transforms.reduce((m, t) => m + transformLength(t), 0), 0);
}
