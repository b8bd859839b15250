/**
 * Which payloads each message may carry, as data (strongSwan's habit, encoding/message.c), from
 * RFC 7296 sections 1.2 (IKE_SA_INIT, IKE_AUTH), 1.3 (CREATE_CHILD_SA), 1.4 (INFORMATIONAL),
 * 2.16 (EAP rounds), 2.21 (error responses) and RFC 6023 (childless IKE_AUTH).
 *
 * For IKE_AUTH, CREATE_CHILD_SA and INFORMATIONAL the rules describe the payloads inside SK; the
 * outer message must be SK alone (`checkEncryption`). Counts of repeated payloads are capped as
 * strongSwan caps them. Unknown payload types never reach these checks (the chain skipped them).
 */
import { ExchangeType, nameOf, NotifyStatus, PayloadType as T } from './constants.ts';
import { FIRST_STATUS_NOTIFY } from './wire/notify.ts';
import type { Payload } from './wire/payloads.ts';

export interface PayloadRule {
  readonly type: number;
  readonly min: number;
  readonly max: number;
}

export interface MessageRule {
  readonly exchange: number;
  readonly response: boolean;
  /** The rules apply to the payloads inside SK. */
  readonly encrypted: boolean;
  /** An error notify (type below 16384) alone is a complete answer (RFC 7296 2.21). */
  readonly errorNotifySuffices: boolean;
  /** Status notifies that also stand for the whole answer (COOKIE, RFC 7296 2.6; REDIRECT, RFC 5685). */
  readonly answeringNotifies: readonly number[];
  readonly payloads: readonly PayloadRule[];
  /** Each group comes whole or not at all (SAi2 with TSi and TSr). */
  readonly together: readonly (readonly number[])[];
  /** At least one type of each group must be present (unless an error notify suffices). */
  readonly oneOf: readonly (readonly number[])[];
}

const NOTIFIES = 20;
const VENDOR_IDS = 20;
const CERTS = 8;
const CERTREQS = 20;
const DELETES = 20;

const one = (type: number): PayloadRule => ({ type, min: 1, max: 1 });
const opt = (type: number): PayloadRule => ({ type, min: 0, max: 1 });
const many = (type: number, max: number): PayloadRule => ({ type, min: 0, max });

const rule = (
  exchange: number,
  response: boolean,
  payloads: PayloadRule[],
  extra: Partial<Pick<MessageRule, 'together' | 'oneOf' | 'answeringNotifies'>> = {},
): MessageRule => ({
  exchange,
  response,
  encrypted: exchange !== ExchangeType.IKE_SA_INIT,
  errorNotifySuffices: response,
  payloads,
  answeringNotifies: extra.answeringNotifies ?? [],
  together: extra.together ?? [],
  oneOf: extra.oneOf ?? [],
});

export const MESSAGE_RULES: readonly MessageRule[] = [
  // HDR, [N(COOKIE),] SAi1, KEi, Ni, [N+], [V+] -->
  rule(ExchangeType.IKE_SA_INIT, false, [one(T.SA), one(T.KE), one(T.Nonce), many(T.N, NOTIFIES), many(T.V, VENDOR_IDS)]),
  // <-- HDR, SAr1, KEr, Nr, [CERTREQ+], [N+], [V+]   or   <-- HDR, N(error, COOKIE or REDIRECT)
  rule(
    ExchangeType.IKE_SA_INIT,
    true,
    [one(T.SA), one(T.KE), one(T.Nonce), many(T.CERTREQ, CERTREQS), many(T.N, NOTIFIES), many(T.V, VENDOR_IDS)],
    { answeringNotifies: [NotifyStatus.COOKIE, NotifyStatus.REDIRECT] },
  ),
  // SK {IDi, [CERT+,] [N(INITIAL_CONTACT),] [CERTREQ+,] [IDr,] AUTH, [CP(CFG_REQUEST),] [N+], SAi2, TSi, TSr} -->
  // without AUTH to ask for EAP (2.16); SK {EAP} and SK {AUTH} in later rounds; no SA/TS if childless.
  rule(
    ExchangeType.IKE_AUTH,
    false,
    [
      opt(T.IDi), many(T.CERT, CERTS), many(T.CERTREQ, CERTREQS), opt(T.IDr), opt(T.AUTH), opt(T.EAP), opt(T.CP),
      opt(T.SA), opt(T.TSi), opt(T.TSr), many(T.N, NOTIFIES), many(T.V, VENDOR_IDS),
    ],
    { together: [[T.SA, T.TSi, T.TSr]], oneOf: [[T.IDi, T.AUTH, T.EAP]] },
  ),
  // <-- SK {IDr, [CERT+,] AUTH, [CP(CFG_REPLY),] [N+], SAr2, TSi, TSr}, EAP rounds, or SK {N(error)}
  rule(
    ExchangeType.IKE_AUTH,
    true,
    [
      opt(T.IDr), many(T.CERT, CERTS), opt(T.AUTH), opt(T.EAP), opt(T.CP),
      opt(T.SA), opt(T.TSi), opt(T.TSr), many(T.N, NOTIFIES), many(T.V, VENDOR_IDS),
    ],
    { together: [[T.SA, T.TSi, T.TSr]], oneOf: [[T.AUTH, T.EAP]] },
  ),
  // SK {[N(REKEY_SA)], [N+], SA, Ni, [KEi], [TSi, TSr]} -->   (no TS when rekeying the IKE SA)
  rule(
    ExchangeType.CREATE_CHILD_SA,
    false,
    [one(T.SA), one(T.Nonce), opt(T.KE), opt(T.TSi), opt(T.TSr), many(T.N, NOTIFIES), many(T.V, VENDOR_IDS)],
    { together: [[T.TSi, T.TSr]] },
  ),
  // <-- SK {[N+], SA, Nr, [KEr], [TSi, TSr]}   or   <-- SK {N(error)}
  rule(
    ExchangeType.CREATE_CHILD_SA,
    true,
    [one(T.SA), one(T.Nonce), opt(T.KE), opt(T.TSi), opt(T.TSr), many(T.N, NOTIFIES), many(T.V, VENDOR_IDS)],
    { together: [[T.TSi, T.TSr]] },
  ),
  // SK {[N,] [D,] [CP,] ...} -->   and   <-- SK {[N,] [D,] [CP], ...}   (empty: liveness check)
  rule(ExchangeType.INFORMATIONAL, false, [many(T.N, NOTIFIES), many(T.D, DELETES), opt(T.CP), many(T.V, VENDOR_IDS)]),
  rule(ExchangeType.INFORMATIONAL, true, [many(T.N, NOTIFIES), many(T.D, DELETES), opt(T.CP), many(T.V, VENDOR_IDS)]),
];

export type RuleProblemCode = 'unknown-exchange' | 'not-allowed' | 'missing' | 'too-many' | 'not-together' | 'not-encrypted';

export interface RuleProblem {
  readonly code: RuleProblemCode;
  readonly payloadType?: number;
  readonly message: string;
}

export function messageRule(exchange: number, isResponse: boolean): MessageRule | undefined {
  return MESSAGE_RULES.find((r) => r.exchange === exchange && r.response === isResponse);
}

const exName = (exchange: number, isResponse: boolean) =>
  `${nameOf(ExchangeType, exchange)} ${isResponse ? 'response' : 'request'}`;

/**
 * Checks the payload types of a message (inside SK for the encrypted exchanges) against its rule.
 * `notifyTypes` are the Notify Message Types among them (an error type, or COOKIE or REDIRECT in
 * IKE_SA_INIT, lets a response omit the required payloads). Returns null when well formed.
 */
export function checkRules(
  exchange: number,
  isResponse: boolean,
  payloadTypes: readonly number[],
  notifyTypes: readonly number[] = [],
): RuleProblem | null {
  const r = messageRule(exchange, isResponse);
  const where = exName(exchange, isResponse);
  if (!r) return { code: 'unknown-exchange', message: `no rules for ${where}` };
  const count = (t: number) => payloadTypes.filter((x) => x === t).length;
  for (const t of payloadTypes) {
    if (!r.payloads.some((p) => p.type === t)) {
      return { code: 'not-allowed', payloadType: t, message: `${nameOf(T, t)} is not allowed in ${where}` };
    }
  }
  const answered = notifyTypes.some(
    (n) => (r.errorNotifySuffices && n < FIRST_STATUS_NOTIFY) || r.answeringNotifies.includes(n),
  );
  for (const p of r.payloads) {
    const n = count(p.type);
    if (n > p.max) return { code: 'too-many', payloadType: p.type, message: `${n} x ${nameOf(T, p.type)} in ${where}, at most ${p.max}` };
    if (n < p.min && !answered) return { code: 'missing', payloadType: p.type, message: `${where} needs ${nameOf(T, p.type)}` };
  }
  for (const group of r.together) {
    const present = group.filter((t) => count(t) > 0);
    if (present.length > 0 && present.length < group.length) {
      const absent = group.find((t) => count(t) === 0)!;
      return { code: 'not-together', payloadType: absent, message: `${where}: ${group.map((t) => nameOf(T, t)).join(', ')} come together` };
    }
  }
  for (const group of answered ? [] : r.oneOf) {
    if (!group.some((t) => count(t) > 0)) {
      return { code: 'missing', payloadType: group[0], message: `${where} needs one of ${group.map((t) => nameOf(T, t)).join(', ')}` };
    }
  }
  return null;
}

/** The outer payloads: IKE_SA_INIT carries no SK; the other exchanges carry SK and nothing else. */
export function checkEncryption(exchange: number, isResponse: boolean, outerTypes: readonly number[]): RuleProblem | null {
  const r = messageRule(exchange, isResponse);
  const where = exName(exchange, isResponse);
  if (!r) return { code: 'unknown-exchange', message: `no rules for ${where}` };
  if (!r.encrypted) {
    return outerTypes.includes(T.SK) ? { code: 'not-allowed', payloadType: T.SK, message: `SK is not allowed in ${where}` } : null;
  }
  if (outerTypes.length === 1 && outerTypes[0] === T.SK) return null;
  const plain = outerTypes.find((t) => t !== T.SK);
  return { code: 'not-encrypted', payloadType: plain ?? T.SK, message: `${where} must carry exactly one SK payload and nothing outside it` };
}

/** `checkRules` on decoded payloads (their types and notify types). */
export function checkPayloadRules(exchange: number, isResponse: boolean, payloads: readonly Payload[]): RuleProblem | null {
  const notifies = payloads.flatMap((p) => (p.type === T.N ? [p.notifyType] : []));
  return checkRules(exchange, isResponse, payloads.map((p) => p.type), notifies);
}
