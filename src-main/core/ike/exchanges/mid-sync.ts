/**
 * IKE message ID synchronisation (RFC 6311 5), for a gateway restored from a snapshot whose message
 * IDs may be stale: the side that lost state (here the restored responder) sends an INFORMATIONAL
 * request with message ID 0, outside the usual window, carrying
 *
 *   N(IKEV2_MESSAGE_ID_SYNC) = Nonce Data (4 octets) | EXPECTED_SEND_REQ_MESSAGE_ID (M1)
 *                              | EXPECTED_RECV_REQ_MESSAGE_ID (P1)
 *
 * M1 is the ID of the next request it will send, P1 the ID it expects next from the peer. The peer
 * answers, also with message ID 0, with the same nonce, P2 (the ID of its next request) and M2 (the
 * ID it now expects): M2 = max(M1, what it expected), P2 = max(P1, its next request ID) (5.1; the
 * peer silently drops a sync whose M1 is below what it expects). Both ends then use those IDs.
 * Only for IKE SAs where both ends said IKEV2_MESSAGE_ID_SYNC_SUPPORTED in IKE_AUTH (4). charon
 * implements the peer's part (ike_mid_sync in strongSwan 5.9); WakeLab's initiator does too, for
 * the ladders.
 */
import { Writer } from '../../bytes/cursor.ts';
import { ExchangeType, NotifyStatus } from '../constants.ts';
import type { IkeSa } from '../ike-sa.ts';
import type { Endpoint } from '../io.ts';
import { protect } from '../protect.ts';
import type { Payload } from '../wire/payloads.ts';
import { findNotify, notify } from './build.ts';
import type { Env } from './env.ts';
import { sendRequest } from './requests-out.ts';
import { summary } from './summary.ts';

/**
 * How far past its saved next request ID the restored side proposes to go: the peer takes a sync
 * only if M1 is at least the ID it expects (5.1), and a snapshot may be this many exchanges old.
 */
export const MID_SYNC_MARGIN = 1000;

interface MidSync {
  readonly nonce: Uint8Array;
  readonly send: number;
  readonly recv: number;
}

function encode(s: MidSync): Payload {
  return notify(NotifyStatus.IKEV2_MESSAGE_ID_SYNC, new Writer(12).bytes(s.nonce).u32(s.send).u32(s.recv).finish());
}

function decode(payloads: readonly Payload[]): MidSync | null {
  const n = findNotify(payloads, NotifyStatus.IKEV2_MESSAGE_ID_SYNC);
  if (!n || n.data.length !== 12) return null;
  const v = new DataView(n.data.buffer, n.data.byteOffset, 12);
  return { nonce: n.data.slice(0, 4), send: v.getUint32(4), recv: v.getUint32(8) };
}

/** Whether a request carries a message ID sync (then `answerMidSync` handles it, not the window). */
export function isMidSync(sa: IkeSa, exchange: number, messageId: number, payloads: readonly Payload[]): boolean {
  return sa.msgIdSync && exchange === ExchangeType.INFORMATIONAL && messageId === 0 && findNotify(payloads, NotifyStatus.IKEV2_MESSAGE_ID_SYNC) !== undefined;
}

/** The restored side: propose IDs to the peer, and take what it answers. */
export function startMidSync(env: Env, sa: IkeSa, now: number): void {
  const mine: MidSync = { nonce: env.suite.randomBytes(4), send: (sa.nextId + MID_SYNC_MARGIN) >>> 0, recv: sa.expectId };
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.INFORMATIONAL,
      messageId: 0,
      payloads: [encode(mine)],
      retransmit: env.policy.retransmit,
      onResponse: (resp) => {
        const theirs = decode(resp);
        if (!theirs || theirs.nonce.some((b, i) => b !== mine.nonce[i])) {
          env.out.event({ kind: 'mid-sync', sa: sa.name, ok: false, nextId: sa.nextId, expectId: sa.expectId });
          return;
        }
        // The answer carries P2 (the peer's next request ID) and M2 (the ID it expects from us).
        sa.expectId = theirs.send;
        sa.nextId = theirs.recv;
        sa.lastResponse = null;
        env.out.event({ kind: 'mid-sync', sa: sa.name, ok: true, nextId: sa.nextId, expectId: sa.expectId });
      },
      onFailure: () => env.out.event({ kind: 'mid-sync', sa: sa.name, ok: false, nextId: sa.nextId, expectId: sa.expectId }),
    },
    now,
  );
}

/** The peer's part (5.1): adopt the proposal where it is ahead, answer with message ID 0. */
export function answerMidSync(env: Env, sa: IkeSa, payloads: readonly Payload[], from: Endpoint, to: Endpoint): void {
  const theirs = decode(payloads);
  // 5.1: M1 below what we expect is silently dropped.
  if (!theirs || theirs.send < sa.expectId) return env.drop('mid-sync-refused', `${sa.name}: IKEV2_MESSAGE_ID_SYNC with M1 ${theirs?.send ?? '?'} below ${sa.expectId}`, from);
  const m2 = Math.max(theirs.send, sa.expectId);
  const p2 = Math.max(theirs.recv, sa.nextId);
  sa.expectId = m2;
  sa.nextId = p2;
  sa.lastResponse = null;
  const reply = [encode({ nonce: theirs.nonce, send: p2, recv: m2 })];
  const header = { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.INFORMATIONAL, initiator: sa.role === 'initiator', response: true, messageId: 0 };
  env.out.send(to, from, protect({ suite: env.suite, cipher: sa.cipher, keys: sa.keys, role: sa.role }, header, reply, { nonEspMarker: sa.natt }), { cls: 'control', sa: sa.name, slot: sa.slot, messageId: 0, request: false });
  env.out.event({ kind: 'exchange', sa: sa.name, exchange: 'INFORMATIONAL', dir: 'out', request: false, messageId: 0, summary: summary(reply) });
  env.out.event({ kind: 'mid-sync', sa: sa.name, ok: true, nextId: p2, expectId: m2 });
}
