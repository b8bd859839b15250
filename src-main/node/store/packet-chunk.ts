/**
 * The packed form of a session's packets in `session_packet_chunks` (schema version 4,
 * docs/database.md), and its reader. A row holds a chunk of a session's datagrams, with two small
 * tables that the packets index into: `ends`, each `[local_addr, local_port, peer_addr,
 * peer_port]`, and `ike_sas`, the IKE SA names. Each packet is an array of eight fields:
 *
 *   [dt_us, code, bytes, end, ike_sa, spi, message_id, head]
 *
 * - `dt_us`: microseconds since the chunk's `first_t_s` (negative for a handshake's datagram
 *   queued after later ones: estimator.ts holds them until the client is known);
 * - `code`: bits, below;
 * - `end`, `ike_sa`: indexes into `ends` and `ike_sas` (`ike_sa` is 0 when the packet has none);
 * - `spi`, `message_id`: the numbers, 0 when absent;
 * - `head`: the octets readable on the wire (session/wire-head.ts), in one of three forms that
 *   `code` names. An IKE head repeats the IKE SA's SPIs, the message ID and the length, which the
 *   other fields already hold; a form leaves out what it can rebuild, which makes a packet about
 *   45 octets of JSON instead of 180 (SQLite's cost follows the octets: BENCHMARKS.md, "The live
 *   lab").
 *
 * The `session_packets` view (migrations.ts, version 4) unpacks the same fields in SQL; a test
 * checks the view and this reader against each other for every form.
 */
import type { TrafficClass } from '../../core/ike/traffic.ts';

/**
 * Class codes (bits 3-5 of `code`). Part of the stored format: never reorder, only append (there
 * is room for none: a ninth class needs a wider field).
 */
export const PACKED_CLASSES: readonly TrafficClass[] = Object.freeze(['ike-setup', 'dpd', 'rekey', 'delete', 'keepalive', 'data', 'control', 'invalid']);

/**
 * A class's code (its index in PACKED_CLASSES), by a switch: the class is one of a few constant
 * strings, and the session writer asks for every datagram (a `Map` lookup cost more).
 */
export function classCode(cls: TrafficClass): number {
  switch (cls) {
    case 'ike-setup':
      return 0;
    case 'dpd':
      return 1;
    case 'rekey':
      return 2;
    case 'delete':
      return 3;
    case 'keepalive':
      return 4;
    case 'data':
      return 5;
    case 'control':
      return 6;
    case 'invalid':
      return 7;
  }
}

/** Bits of `code`. */
export const CODE = Object.freeze({
  /** The packet went to the client. */
  OUT: 1,
  /** Bits 1-2: 0 not IKE, 1 a response, 2 a request. */
  REQUEST_SHIFT: 1,
  CLASS_SHIFT: 3,
  HAS_SPI: 64,
  HAS_MESSAGE_ID: 128,
  HAS_IKE_SA: 256,
  /** Bits 9-10: the head's form (HEAD_*). */
  FORM_SHIFT: 9,
  /** Form 1 only: the head starts with the four-octet non-ESP marker (RFC 3948 2.2). */
  MARKER: 2048,
});

/** `head` is every octet, in hexadecimal. */
export const HEAD_HEX = 0;
/**
 * `head` is the hexadecimal of the IKE header's octets 16-19 (next payload, version, exchange
 * type, flags) and of the first payload's generic header (4 octets): the SPIs come from `ike_sa`,
 * the message ID from `message_id`, the length from `bytes` (less the marker) (RFC 7296 3.1, 3.2).
 */
export const HEAD_IKE = 1;
/** `head` is the ESP sequence number (a number); the SPI comes from `spi` (RFC 4303 2.1). */
export const HEAD_ESP = 2;

/** A stored chunk row, as the reader needs it. */
export interface PackedChunkRow {
  readonly first_seq: number;
  readonly first_t_s: number;
  readonly ends: string;
  readonly ike_sas: string;
  readonly packets: string;
}

/** A packet of a chunk, unpacked. */
export interface UnpackedPacket {
  readonly seq: number;
  readonly tS: number;
  readonly dir: 'in' | 'out';
  readonly cls: TrafficClass;
  readonly bytes: number;
  readonly local: { readonly address: string; readonly port: number };
  readonly peer: { readonly address: string; readonly port: number };
  readonly ikeSa: string | null;
  readonly spi: number | null;
  readonly messageId: number | null;
  readonly request: boolean | null;
  readonly head: Uint8Array;
}

type PackedPacket = [number, number, number, number, number, number, number, string | number];
type PackedEnd = [string, number, string, number];

const u32Hex = (n: number): string => n.toString(16).padStart(8, '0');

/** The head's octets in hexadecimal, rebuilt from its form. */
export function headHex(code: number, head: string | number, bytes: number, ikeSa: string | null, spi: number, messageId: number): string {
  switch ((code >> CODE.FORM_SHIFT) & 3) {
    case HEAD_IKE: {
      const marker = code & CODE.MARKER ? 4 : 0;
      const h = String(head);
      return `${marker ? '00000000' : ''}${(ikeSa ?? '').replace('_', '')}${h.slice(0, 8)}${u32Hex(messageId)}${u32Hex(bytes - marker)}${h.slice(8)}`;
    }
    case HEAD_ESP:
      return u32Hex(spi) + u32Hex(Number(head));
    default:
      return String(head);
  }
}

/** The packets of one chunk row, in order. */
export function unpackChunk(row: PackedChunkRow): UnpackedPacket[] {
  const base = Math.round(row.first_t_s * 1e6);
  const ends = JSON.parse(row.ends) as PackedEnd[];
  const sas = JSON.parse(row.ike_sas) as string[];
  return (JSON.parse(row.packets) as PackedPacket[]).map(([dt, code, bytes, end, sa, spi, mid, head], i) => {
    const [localAddr, localPort, peerAddr, peerPort] = ends[end]!;
    const ikeSa = code & CODE.HAS_IKE_SA ? sas[sa]! : null;
    const request = (code >> CODE.REQUEST_SHIFT) & 3;
    return {
      seq: row.first_seq + i,
      tS: (base + dt) / 1e6,
      dir: code & CODE.OUT ? 'out' : 'in',
      cls: PACKED_CLASSES[(code >> CODE.CLASS_SHIFT) & 7]!,
      bytes,
      local: { address: localAddr, port: localPort },
      peer: { address: peerAddr, port: peerPort },
      ikeSa,
      spi: code & CODE.HAS_SPI ? spi : null,
      messageId: code & CODE.HAS_MESSAGE_ID ? mid : null,
      request: request === 0 ? null : request === 2,
      head: new Uint8Array(Buffer.from(headHex(code, head, bytes, ikeSa, spi, mid), 'hex')),
    };
  });
}
