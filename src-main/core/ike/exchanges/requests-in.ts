/**
 * Requests the peer sends on an existing IKE SA (RFC 7296 2.1-2.3): a retransmission gets the
 * cached response again, byte for byte; any other message ID than the next one is dropped; the
 * message must decrypt and verify (3.14) before anything else happens. An authenticated request
 * proves the peer alive (2.4) and carries its current address (2.23).
 */
import { ExchangeType, nameOf, NotifyError } from '../constants.ts';
import type { IkeSa } from '../ike-sa.ts';
import { sameEndpoint, type Endpoint } from '../io.ts';
import { protect, unprotect } from '../protect.ts';
import { checkPayloadRules } from '../rules.ts';
import type { Datagram } from '../wire/message.ts';
import type { Payload } from '../wire/payloads.ts';
import { respondAuth } from './auth-responder.ts';
import { notify } from './build.ts';
import { respondCreateChild } from './create-child-responder.ts';
import type { Env } from './env.ts';
import { respondInformational } from './informational.ts';
import { summary } from './summary.ts';
import { childUp, destroy, establish, scheduleDpd } from './lifecycle.ts';
import { answerMidSync, isMidSync } from './mid-sync.ts';
import { exchangeClass, type TrafficClass, type TrafficNote } from '../traffic.ts';

type Ike = Extract<Datagram, { kind: 'ike' }>;

export function handleRequest(env: Env, sa: IkeSa, d: Ike, from: Endpoint, to: Endpoint, now: number): void {
  const h = d.header;
  // RFC 6311 5: a message ID sync comes with ID 0, outside the window.
  if (sa.msgIdSync && h.messageId === 0 && h.exchangeType === ExchangeType.INFORMATIONAL && sa.state === 'established') {
    const inner = unprotect({ suite: env.suite, cipher: sa.cipher, keys: sa.keys, role: sa.role }, d);
    if (inner.ok && isMidSync(sa, h.exchangeType, h.messageId, inner.payloads)) {
      env.noteIn({ cls: 'control', sa: sa.name, slot: sa.slot, messageId: 0, request: true });
      noteAuthenticated(env, sa, from, to, now);
      env.out.event({ kind: 'exchange', sa: sa.name, exchange: 'INFORMATIONAL', dir: 'in', request: true, messageId: 0, summary: summary(inner.payloads) });
      return answerMidSync(env, sa, inner.payloads, from, to);
    }
  }
  const cached = sa.lastResponse;
  if (cached && h.messageId === cached.messageId && h.messageId === sa.expectId - 1) {
    // 2.1: a retransmitted request (of the class its answer had) gets the same answer again.
    const cls = cached.note?.cls ?? 'control';
    env.noteIn({ cls, sa: sa.name, slot: sa.slot, messageId: h.messageId, request: true });
    env.out.send(to, from, cached.bytes, { cls, sa: sa.name, slot: sa.slot, messageId: h.messageId, request: false });
    return;
  }
  if (h.messageId !== sa.expectId) return env.drop('bad-message-id', `request ${h.messageId} on ${sa.name}, expected ${sa.expectId}`, from);
  const inner = unprotect({ suite: env.suite, cipher: sa.cipher, keys: sa.keys, role: sa.role }, d);
  if (!inner.ok) {
    env.drop(inner.reason, `${sa.name}: ${inner.detail}`, from);
    if (inner.reason !== 'malformed-inner') return;
    // The ICV verified, so the peer is real and gets told (2.5, 2.21.2): an unknown critical
    // payload is named; anything else badly formed is INVALID_SYNTAX. A broken IKE_AUTH ends the SA.
    noteAuthenticated(env, sa, from, to, now);
    const critical = inner.inner === 'unsupported-critical-payload' && inner.payloadType !== undefined;
    respond(env, sa, h.exchangeType, 'invalid', [critical ? notify(NotifyError.UNSUPPORTED_CRITICAL_PAYLOAD, Uint8Array.of(inner.payloadType!)) : notify(NotifyError.INVALID_SYNTAX)], from, to);
    if (sa.state === 'half-open') destroy(env, sa, 'auth-failed');
    return;
  }

  noteAuthenticated(env, sa, from, to, now);
  const payloads = inner.payloads;
  const cls = exchangeClass(h.exchangeType, payloads);
  env.noteIn({ cls, sa: sa.name, slot: sa.slot, messageId: h.messageId, request: true });
  env.out.event({ kind: 'exchange', sa: sa.name, exchange: nameOf(ExchangeType, h.exchangeType), dir: 'in', request: true, messageId: h.messageId, summary: summary(payloads) });
  const problem = checkPayloadRules(h.exchangeType, false, payloads);
  if (problem) {
    env.drop('rules', problem.message, from);
    return respond(env, sa, h.exchangeType, cls, [notify(NotifyError.INVALID_SYNTAX)], from, to);
  }
  switch (h.exchangeType) {
    case ExchangeType.IKE_AUTH: {
      if (sa.state !== 'half-open') return env.drop('unexpected-exchange', `IKE_AUTH on established ${sa.name}`, from);
      const r = respondAuth(env.suite, env.policy, sa, payloads, inner.bodies, now, (peerId, initialContact) => {
        // 2.4: INITIAL_CONTACT from an authenticated peer: its older SAs are stale. Clear them
        // before leasing, so the peer gets its previous virtual IP back.
        const same = env.identified(sa);
        if (!initialContact) return;
        for (const other of same) if (other.peerId === peerId && other.state !== 'dead') destroy(env, other, 'replaced');
      });
      respond(env, sa, h.exchangeType, cls, r.reply, from, to);
      if (r.kind === 'failed') {
        env.drop('auth-failed', r.detail, from);
        env.remove(sa);
        env.out.event({ kind: 'ike-down', sa: sa.name, reason: 'auth-failed' });
        return;
      }
      establish(env, sa, now);
      if (r.child) childUp(env, sa, r.child.child, null, now);
      return;
    }
    case ExchangeType.INFORMATIONAL:
      return respondInformational(env, sa, payloads, from, to, (reply, after) => {
        respond(env, sa, h.exchangeType, cls, reply, from, to);
        after();
      });
    case ExchangeType.CREATE_CHILD_SA: {
      if (sa.state === 'half-open') return env.drop('unexpected-exchange', `CREATE_CHILD_SA on ${sa.state} ${sa.name}`, from);
      // 2.25.2: an SA we rekeyed or are deleting takes no new work (a rekey crossed ours).
      if (sa.state !== 'established') return respond(env, sa, h.exchangeType, cls, [notify(NotifyError.TEMPORARY_FAILURE)], from, to);
      const r = respondCreateChild(env, sa, payloads, now);
      respond(env, sa, h.exchangeType, cls, r.reply, from, to);
      r.after();
      return;
    }
    default:
      return env.drop('unexpected-exchange', `exchange ${h.exchangeType} on ${sa.name}`, from);
  }
}

/**
 * 2.4 and 2.23: an authenticated packet proves the peer alive and tells where it is now. With
 * MOBIKE the initiator decides its addresses and says so with UPDATE_SA_ADDRESSES (RFC 4555 3.5),
 * so we follow a new address implicitly only when the peer is behind a NAT, whose mapping may
 * change under it (our choice, as charon's responder does for NATed peers).
 */
export function noteAuthenticated(env: Env, sa: IkeSa, from: Endpoint, to: Endpoint, now: number): void {
  sa.lastInbound = now;
  scheduleDpd(env, sa, now);
  if (sa.mobike && !sa.peerBehindNat) return;
  moveTo(env, sa, from, to);
}

/** Sends to the peer at `from`, from `to`, from now on (2.23; RFC 4555 3.5). */
export function moveTo(env: Env, sa: IkeSa, from: Endpoint, to: Endpoint): void {
  if (sameEndpoint(sa.peer, from) && sameEndpoint(sa.local, to)) return;
  sa.peer = from;
  sa.local = to;
  sa.natt = to.port === env.nattPort;
  env.out.event({ kind: 'peer-moved', sa: sa.name, peer: from });
}

/** Sends the response to the request with ID expectId, remembers it, and opens the window. */
export function respond(env: Env, sa: IkeSa, exchange: number, cls: TrafficClass, payloads: readonly Payload[], to: Endpoint, from: Endpoint): void {
  const header = { spiI: sa.spiI, spiR: sa.spiR, exchangeType: exchange, initiator: sa.role === 'initiator', response: true, messageId: sa.expectId };
  const bytes = protect({ suite: env.suite, cipher: sa.cipher, keys: sa.keys, role: sa.role }, header, payloads, { nonEspMarker: sa.natt });
  const note: TrafficNote = { cls, sa: sa.name, slot: sa.slot, messageId: sa.expectId, request: false };
  env.out.send(from, to, bytes, note);
  env.out.event({ kind: 'exchange', sa: sa.name, exchange: nameOf(ExchangeType, exchange), dir: 'out', request: false, messageId: sa.expectId, summary: summary(payloads) });
  sa.lastResponse = { messageId: sa.expectId, bytes, to, from, note };
  sa.expectId++;
}
