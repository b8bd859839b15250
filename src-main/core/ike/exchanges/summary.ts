/** A payload list in a few words for the exchange log: "SA, KE, Nonce, N(NAT_DETECTION_SOURCE_IP)". */
import { nameOf, NotifyError, NotifyStatus, PayloadType } from '../constants.ts';
import type { Payload } from '../wire/payloads.ts';

export function summary(payloads: readonly Payload[]): string {
  return payloads.length === 0 ? '(empty)' : payloads.map((p) => (p.type === PayloadType.N ? `N(${notifyName(p.notifyType)})` : nameOf(PayloadType, p.type))).join(', ');
}

function notifyName(t: number): string {
  const e = nameOf(NotifyError, t);
  return e.startsWith('#') ? nameOf(NotifyStatus, t) : e;
}
