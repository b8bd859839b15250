/**
 * What-if for the `esp-testbed` part (WAKELAB_BENCH_ESP_TESTBED_WHATIF=1; not shipped): `wakelab
 * responder` exactly as bin/wakelab.js runs it, except for `Responder.espAlive`, which the
 * profile showed building the Responder's whole `env()` (an object and seven closures, each named
 * through tsx's `__name` helper) for every ESP packet, only for `scheduleDpd` to read the policy.
 * Here it moves the DPD deadline directly, and touches the deadline heap only when the deadline
 * moves by a second or more (never, with DPD off as in the benchmark). Everything else is the
 * shipped code.
 *
 *   node --import tsx test/bench/esp-testbed/whatif-responder.ts responder --config ... [options]
 */
import type { IkeSa } from '../../../src-main/core/ike/ike-sa.ts';
import type { IkePolicy } from '../../../src-main/core/ike/policy.ts';
import { Responder } from '../../../src-main/core/ike/responder.ts';

interface Internals {
  ikeSa(name: string): IkeSa | undefined;
  readonly policy: IkePolicy;
  readonly deadlines: { touch(sa: IkeSa): void };
}

(Responder.prototype as unknown as { espAlive: (this: Internals, now: number, name: string) => void }).espAlive = function espAlive(this: Internals, now: number, name: string): void {
  const sa = this.ikeSa(name);
  if (!sa || sa.state !== 'established') return;
  sa.lastInbound = now;
  const delay = this.policy.dpd.delayS;
  const at = delay > 0 ? now + delay : Infinity;
  if (at === sa.dpdAt || (at !== Infinity && sa.dpdAt !== Infinity && at - sa.dpdAt < 1)) return;
  sa.dpdAt = at;
  this.deadlines.touch(sa);
};

await import('../../../src-main/cli/main.ts');
