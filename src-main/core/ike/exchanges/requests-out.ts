/**
 * Our own requests on an IKE SA (RFC 7296 2.1-2.4): one in flight at a time (window 1), resent
 * unchanged on the retransmission schedule until the response arrives or the schedule runs out;
 * then the peer is taken for dead (2.4). DPD is the empty INFORMATIONAL request, sent only when
 * nothing authenticated came in for the DPD delay and no other exchange is in flight (charon).
 */
import { retransmitWaits } from '../../policy/retransmit.ts';
import type { Retransmit } from '../../policy/schema.ts';
import { ExchangeType, nameOf } from '../constants.ts';
import { uniformFrom, type IkeSa } from '../ike-sa.ts';
import type { Endpoint } from '../io.ts';
import { protect, unprotect } from '../protect.ts';
import type { Datagram } from '../wire/message.ts';
import { exchangeClass, type TrafficNote } from '../traffic.ts';
import type { Payload } from '../wire/payloads.ts';
import type { Env } from './env.ts';
import { destroy, scheduleDpd } from './lifecycle.ts';
import { noteAuthenticated } from './requests-in.ts';
import { summary } from './summary.ts';

type Ike = Extract<Datagram, { kind: 'ike' }>;

export interface Request {
  readonly exchange: number;
  readonly payloads: readonly Payload[];
  readonly retransmit: Retransmit;
  readonly onResponse: (payloads: readonly Payload[], now: number, bodies: readonly Uint8Array[]) => void;
  readonly onFailure: (now: number) => void;
  /** A message ID outside the window (RFC 6311's synchronisation uses 0); it is not taken from nextId. */
  readonly messageId?: number;
}

/** Sends a request now if the window is free, else queues it. */
export function sendRequest(env: Env, sa: IkeSa, req: Request, now: number): void {
  if (sa.pending) {
    sa.queue.push(() => sendRequest(env, sa, req, now));
    return;
  }
  const messageId = req.messageId ?? sa.nextId++;
  const header = { spiI: sa.spiI, spiR: sa.spiR, exchangeType: req.exchange, initiator: sa.role === 'initiator', response: false, messageId };
  const bytes = protect({ suite: env.suite, cipher: sa.cipher, keys: sa.keys, role: sa.role }, header, req.payloads, { nonEspMarker: sa.natt });
  const waits = retransmitWaits(req.retransmit, req.retransmit.jitterPct > 0 ? uniformFrom(env.suite) : undefined);
  const note: TrafficNote = { cls: exchangeClass(req.exchange, req.payloads), sa: sa.name, slot: sa.slot, messageId, request: true };
  sa.pending = { messageId, exchange: req.exchange, bytes, waits, attempt: 0, deadline: now + waits[0]!, onResponse: req.onResponse, onFailure: req.onFailure, note };
  env.out.send(sa.local, sa.peer, bytes, note);
  env.out.event({ kind: 'exchange', sa: sa.name, exchange: nameOf(ExchangeType, req.exchange), dir: 'out', request: true, messageId, summary: summary(req.payloads) });
}

export function handleResponse(env: Env, sa: IkeSa, d: Ike, from: Endpoint, to: Endpoint, now: number): void {
  const p = sa.pending;
  if (!p || d.header.messageId !== p.messageId) return env.drop('unexpected-response', `response ${d.header.messageId} on ${sa.name}`, from);
  const inner = unprotect({ suite: env.suite, cipher: sa.cipher, keys: sa.keys, role: sa.role }, d);
  if (!inner.ok) return env.drop(inner.reason, `${sa.name}: ${inner.detail}`, from);
  sa.pending = null;
  env.noteIn({ ...p.note, request: false });
  noteAuthenticated(env, sa, from, to, now);
  env.out.event({ kind: 'exchange', sa: sa.name, exchange: nameOf(ExchangeType, p.exchange), dir: 'in', request: false, messageId: p.messageId, summary: summary(inner.payloads) });
  p.onResponse(inner.payloads, now, inner.bodies);
  sa.queue.shift()?.();
}

/** Retransmits, gives up, starts a due liveness check. */
export function checkDeadlines(env: Env, sa: IkeSa, now: number): void {
  const p = sa.pending;
  if (p && now >= p.deadline) {
    p.attempt++;
    if (p.attempt >= p.waits.length) {
      sa.pending = null;
      p.onFailure(now);
      return;
    }
    p.deadline = now + p.waits[p.attempt]!;
    env.out.send(sa.local, sa.peer, p.bytes, p.note);
  }
  if (!sa.pending && sa.state === 'established' && now >= sa.dpdAt) {
    // 2.4: only after delayS without an authenticated packet; inbound ESP moves lastInbound
    // without touching the deadline (Responder.espAlive), so look again here. The delay may have
    // been changed (or turned off) while the lab runs: the current policy decides.
    const delay = env.policy.dpd.delayS;
    const due = sa.lastInbound + delay;
    if (delay <= 0) sa.dpdAt = Infinity;
    else if (now < due) sa.dpdAt = due;
    else startDpd(env, sa, now);
  }
}

/** 2.4: an empty INFORMATIONAL request; if every retransmission goes unanswered, the peer is dead. */
export function startDpd(env: Env, sa: IkeSa, now: number): void {
  sa.dpdAt = Infinity;
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.INFORMATIONAL,
      payloads: [],
      retransmit: env.policy.dpd.retransmit,
      onResponse: (_p, t) => scheduleDpd(env, sa, t),
      onFailure: (t) => {
        env.out.event({ kind: 'dpd-failed', sa: sa.name, action: env.policy.dpd.action });
        if (env.policy.dpd.action === 'clear') destroy(env, sa, 'dpd-failed');
        else scheduleDpd(env, sa, t);
      },
    },
    now,
  );
}
