/**
 * The SA snapshot file (`wakelab responder --snapshot FILE`, docs/snapshot.md): plain JSON, keys in
 * hex. It holds every secret of every SA: whoever reads it can decrypt and forge the traffic. The
 * schema checks a file before a restore trusts it; every error names its field.
 */
import { z } from 'zod';
import { parseIpv4 } from '../net/ipv4.ts';

export const SNAPSHOT_KIND = 'wakelab-sa-snapshot';
export const SNAPSHOT_VERSION = 1;

const hex = z.string().regex(/^([0-9a-f]{2})*$/, 'must be lowercase hex, two digits an octet');
const u32 = z.number().int('must be a whole number').min(0).max(0xffffffff);
const count = z.number().int('must be a whole number').min(0).max(Number.MAX_SAFE_INTEGER);
const ipv4 = z.string().refine((s) => parseIpv4(s) !== null, 'must be an IPv4 address');
const endpoint = z.object({ address: ipv4, port: z.number().int().min(0).max(65535) }).strict();
const role = z.enum(['initiator', 'responder']);
const skKeys = z.object({ encr: hex, integ: hex.optional() }).strict();

const espState = z
  .object({
    spiIn: u32,
    spiOut: u32,
    nextSeqOut: count,
    replay: z.object({ size: z.number().int().min(0).max(4096), highest: count, bitmap: z.array(u32) }).strict(),
    counters: z.object({ packetsIn: count, bytesIn: count, packetsOut: count, bytesOut: count, dropsIn: z.record(z.string(), count), dropsOut: z.record(z.string(), count) }).strict(),
  })
  .strict();

export const childSnapshotSchema = z
  .object({
    spiIn: u32,
    spiOut: u32,
    transforms: z.object({ encr: z.number().int(), keyLength: z.number().int().optional(), integ: z.number().int().optional(), esn: z.boolean(), dh: z.number().int().optional() }).strict(),
    role,
    keys: z.object({ i: skKeys, r: skKeys }).strict(),
    localTs: z.array(z.string()),
    remoteTs: z.array(z.string()),
    /** Seconds of its rekey time left when the snapshot was taken; null: none scheduled. */
    rekeyInS: z.number().finite().min(0).nullable(),
    esp: espState.nullable(),
  })
  .strict();

export const ikeSnapshotSchema = z
  .object({
    role,
    spiI: hex.refine((s) => s.length === 16, 'must be 8 octets'),
    spiR: hex.refine((s) => s.length === 16, 'must be 8 octets'),
    transforms: z.object({ encr: z.number().int(), keyLength: z.number().int().optional(), integ: z.number().int().optional(), prf: z.number().int() }).strict(),
    keys: z.object({ SK_d: hex, SK_ai: hex, SK_ar: hex, SK_ei: hex, SK_er: hex, SK_pi: hex, SK_pr: hex }).strict(),
    Ni: hex,
    Nr: hex,
    local: endpoint,
    peer: endpoint,
    natt: z.boolean(),
    peerBehindNat: z.boolean(),
    selfBehindNat: z.boolean(),
    peerId: z.string(),
    virtualIp: ipv4.nullable(),
    mobike: z.boolean(),
    /** Both ends support RFC 6311 message ID synchronisation. */
    msgIdSync: z.boolean(),
    /** RFC 7296 2.2: the next request ID we expect, and the next one we send. */
    expectId: u32,
    nextId: u32,
    lastResponse: z.object({ messageId: u32, bytes: hex, to: endpoint, from: endpoint }).strict().nullable(),
    rekeyInS: z.number().finite().min(0).nullable(),
    children: z.array(childSnapshotSchema),
  })
  .strict();

export const snapshotSchema = z
  .object({
    kind: z.literal(SNAPSHOT_KIND),
    version: z.literal(SNAPSHOT_VERSION),
    warning: z.string(),
    /** Wall-clock time of the snapshot (ISO 8601), for people; restores do not depend on it. */
    savedAt: z.string(),
    ikeSas: z.array(ikeSnapshotSchema),
  })
  .strict();

export type Snapshot = z.output<typeof snapshotSchema>;
export type IkeSnapshot = z.output<typeof ikeSnapshotSchema>;
export type ChildSnapshot = z.output<typeof childSnapshotSchema>;
