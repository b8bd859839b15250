/**
 * What an IKE SA does when one of its deadlines comes, on either side: retransmit or give up on
 * our request in flight, start a due liveness check (requests-out.ts), and start due rekeys of the
 * IKE SA (1.3.2) and its CHILD_SAs (1.3.3) on the policy's rekey times.
 *
 * One rekey at a time per IKE SA (2.25.2): no IKE SA rekey while a CHILD_SA of it is being rekeyed
 * or closed, and no CHILD_SA rekey while the IKE SA is being rekeyed; a rekey that must wait is
 * tried again BUSY_RETRY_S later.
 */
import type { IkeSa } from '../ike-sa.ts';
import { rekeyChild, rekeyIkeSa } from './create-child-initiator.ts';
import type { Env } from './env.ts';
import { checkDeadlines } from './requests-out.ts';

/** How long a due rekey waits for another rekey of the same IKE SA to finish, s (our choice). */
const BUSY_RETRY_S = 2;

export function runTimers(env: Env, sa: IkeSa, now: number): void {
  checkDeadlines(env, sa, now);
  if (sa.state !== 'established') return;
  const ikeBusy = sa.rekeying !== null || sa.collision !== null;
  const childBusy = sa.children.some((c) => c.rekeying !== null || c.closing);
  if (now >= sa.rekeyAt) {
    if (childBusy) sa.rekeyAt = now + BUSY_RETRY_S;
    else return rekeyIkeSa(env, sa, now);
  }
  for (const c of [...sa.children]) {
    if (c.rekeyed || c.closing || c.rekeying || now < c.rekeyAt) continue;
    if (ikeBusy) c.rekeyAt = now + BUSY_RETRY_S;
    else rekeyChild(env, sa, c, now);
  }
}
