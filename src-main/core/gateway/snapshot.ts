/**
 * SA state snapshot and restore (the idea of RFC 6311: a gateway restarted or failed over carries
 * on with its peers without a new handshake):
 *
 * - `takeSnapshot`: every established IKE SA with its CHILD_SAs: SPIs, algorithms, keys, IKE
 *   message IDs both ways (RFC 7296 2.2) with the last response (a retransmitted request gets it
 *   again, 2.1), each CHILD_SA's next outbound ESP sequence number and its inbound replay window
 *   (RFC 4303 3.3.3, 3.4.3), the time left to the rekeys. A request of ours still in flight is saved
 *   as not sent: the restored gateway sends its next request with that message ID again, which the
 *   peer answers either way (2.1: a retransmission, or the request it is waiting for).
 * - `restoreSnapshot`: a freshly started Gateway takes the SAs over. Outbound ESP sequence numbers
 *   jump forward by `seqJump` (RFC 6311's IPSEC_REPLAY_COUNTER_SYNC idea), so that the peer's replay
 *   window accepts what the restored gateway sends even if the old one sent more after the
 *   snapshot; IKE message IDs resume where they were, so the next DPD or rekey is accepted.
 *
 * Timers are not carried as times: liveness checks start afresh from the restore, rekeys keep
 * what was left of their time.
 */
import { fromHex, toHex } from '../bytes/hex.ts';
import type { EspChildSaState } from '../esp/child-sa-state.ts';
import type { EspCounters } from '../esp/counters.ts';
import { ChildSa } from '../ike/child-sa.ts';
import { IkeSa } from '../ike/ike-sa.ts';
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts';
import { labelled, parseWith } from '../validate.ts';
import type { Gateway } from './gateway.ts';
import { SNAPSHOT_KIND, SNAPSHOT_VERSION, snapshotSchema, type ChildSnapshot, type IkeSnapshot, type Snapshot } from './snapshot-schema.ts';

export const SNAPSHOT_WARNING = 'WakeLab SA snapshot: it holds every key of these SAs. Whoever reads it can decrypt and forge their traffic. Keep it private (mode 0600).';

/** The default forward jump of outbound ESP sequence numbers on restore (about 100 s at 10,000 packets/s). */
export const DEFAULT_SEQ_JUMP = 2 ** 20;

const left = (at: number, now: number): number | null => (Number.isFinite(at) ? Math.max(0, at - now) : null);
const skHex = (k: { encr: Uint8Array; integ?: Uint8Array }) => ({ encr: toHex(k.encr), ...(k.integ && k.integ.length > 0 ? { integ: toHex(k.integ) } : {}) });
const skBytes = (k: { encr: string; integ?: string | undefined }) => ({ encr: fromHex(k.encr), ...(k.integ !== undefined ? { integ: fromHex(k.integ) } : {}) });

/** The state of every established IKE SA of `gw`; `savedAt` is a wall-clock label for people. */
export function takeSnapshot(gw: Gateway, now: number, savedAt: string): Snapshot {
  const ikeSas: IkeSnapshot[] = [];
  for (const sa of gw.responder.ikeSas) {
    if (sa.state !== 'established') continue;
    const k = sa.keys;
    ikeSas.push({
      role: sa.role,
      spiI: toHex(sa.spiI),
      spiR: toHex(sa.spiR),
      transforms: { ...sa.transforms },
      keys: { SK_d: toHex(k.SK_d), SK_ai: toHex(k.SK_ai), SK_ar: toHex(k.SK_ar), SK_ei: toHex(k.SK_ei), SK_er: toHex(k.SK_er), SK_pi: toHex(k.SK_pi), SK_pr: toHex(k.SK_pr) },
      Ni: toHex(sa.Ni),
      Nr: toHex(sa.Nr),
      local: sa.local,
      peer: sa.peer,
      natt: sa.natt,
      peerBehindNat: sa.peerBehindNat,
      selfBehindNat: sa.selfBehindNat,
      peerId: sa.peerId,
      virtualIp: sa.virtualIp === null ? null : formatIpv4(sa.virtualIp),
      mobike: sa.mobike,
      msgIdSync: sa.msgIdSync,
      expectId: sa.expectId,
      // A request in flight counts as not sent (see the header).
      nextId: sa.pending ? sa.pending.messageId : sa.nextId,
      lastResponse: sa.lastResponse ? { messageId: sa.lastResponse.messageId, bytes: toHex(sa.lastResponse.bytes), to: sa.lastResponse.to, from: sa.lastResponse.from } : null,
      rekeyInS: left(sa.rekeyAt, now),
      children: sa.children.filter((c) => !c.rekeyed && !c.closing).map((c) => childSnapshot(gw, c, now)),
    });
  }
  return { kind: SNAPSHOT_KIND, version: SNAPSHOT_VERSION, warning: SNAPSHOT_WARNING, savedAt, ikeSas };
}

function childSnapshot(gw: Gateway, c: ChildSa, now: number): ChildSnapshot {
  const info = c.info();
  const esp = gw.dataPlane.get(c.spiIn)?.state();
  const [i, r] = c.role === 'responder' ? [info.keysIn, info.keysOut] : [info.keysOut, info.keysIn];
  return {
    spiIn: c.spiIn,
    spiOut: c.spiOut,
    transforms: { ...c.transforms },
    role: c.role,
    keys: { i: skHex(i), r: skHex(r) },
    localTs: [...c.localTs],
    remoteTs: [...c.remoteTs],
    rekeyInS: left(c.rekeyAt, now),
    esp: esp ? { ...esp, replay: { ...esp.replay, bitmap: [...esp.replay.bitmap] }, counters: { ...esp.counters, dropsIn: { ...esp.counters.dropsIn }, dropsOut: { ...esp.counters.dropsOut } } } : null,
  };
}

/** Checks a parsed JSON document as a snapshot; throws INVALID_ARGUMENT naming the field. */
export function parseSnapshot(input: unknown, label = 'snapshot'): Snapshot {
  return parseWith(snapshotSchema, input, 'INVALID_ARGUMENT', labelled(input, label));
}

export interface RestoreOptions {
  /** Outbound ESP sequence numbers move forward by this much (default DEFAULT_SEQ_JUMP; 0: none). */
  readonly seqJump?: number;
  /** Synchronise IKE message IDs with peers that support RFC 6311 (default true). */
  readonly midSync?: boolean;
}

/** Makes a fresh Gateway carry on with the snapshot's SAs; returns how many IKE SAs it took over. */
export function restoreSnapshot(gw: Gateway, now: number, snapshot: Snapshot, o: RestoreOptions = {}): number {
  const seqJump = o.seqJump ?? DEFAULT_SEQ_JUMP;
  for (const s of snapshot.ikeSas) {
    const sa = new IkeSa({
      role: s.role,
      spiI: fromHex(s.spiI),
      spiR: fromHex(s.spiR),
      transforms: s.transforms,
      keys: { SK_d: fromHex(s.keys.SK_d), SK_ai: fromHex(s.keys.SK_ai), SK_ar: fromHex(s.keys.SK_ar), SK_ei: fromHex(s.keys.SK_ei), SK_er: fromHex(s.keys.SK_er), SK_pi: fromHex(s.keys.SK_pi), SK_pr: fromHex(s.keys.SK_pr) },
      Ni: fromHex(s.Ni),
      Nr: fromHex(s.Nr),
      initRequest: new Uint8Array(0),
      initResponse: new Uint8Array(0),
      local: s.local,
      peer: s.peer,
      natt: s.natt,
      now,
    });
    sa.state = 'established';
    sa.establishedAt = now;
    sa.peerBehindNat = s.peerBehindNat;
    sa.selfBehindNat = s.selfBehindNat;
    sa.peerId = s.peerId;
    sa.virtualIp = s.virtualIp === null ? null : parseIpv4(s.virtualIp);
    sa.mobike = s.mobike;
    sa.msgIdSync = s.msgIdSync;
    sa.expectId = s.expectId;
    sa.nextId = s.nextId;
    sa.lastResponse = s.lastResponse ? { messageId: s.lastResponse.messageId, bytes: fromHex(s.lastResponse.bytes), to: s.lastResponse.to, from: s.lastResponse.from } : null;
    for (const c of s.children) {
      const child = new ChildSa(c.spiIn, c.spiOut, c.transforms, { i: skBytes(c.keys.i), r: skBytes(c.keys.r) }, c.role, c.localTs, c.remoteTs, now);
      if (c.rekeyInS !== null) child.rekeyAt = now + c.rekeyInS;
      sa.children.push(child);
      if (c.esp) gw.dataPlane.restore(now, sa.name, child.info(), espState(c.esp), { seqJump: jumpFor(c, seqJump) });
      else gw.dataPlane.add(now, sa.name, child.info());
    }
    gw.responder.restoreIkeSa(now, sa, s.rekeyInS, o.midSync ?? true);
  }
  gw.settle(now);
  return snapshot.ikeSas.length;
}

/** The jump, cut to what is left of the SA's sequence numbers (it rekeys soon after, RFC 4303 3.3.3). */
function jumpFor(c: ChildSnapshot, seqJump: number): number {
  const last = c.transforms.esn ? Number.MAX_SAFE_INTEGER : 0xffffffff;
  return Math.max(0, Math.min(seqJump, last + 1 - (c.esp?.nextSeqOut ?? 1)));
}

function espState(e: NonNullable<ChildSnapshot['esp']>): EspChildSaState {
  return { ...e, replay: { ...e.replay, bitmap: Uint32Array.from(e.replay.bitmap) }, counters: e.counters as unknown as EspCounters };
}
