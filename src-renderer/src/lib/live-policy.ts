/**
 * The Live view's policy form: a draft of what can change while the lab runs (docs/lab.md,
 * "Changing the policy"), checked against the same limits as the service
 * (core/live/lab-config.ts, core/policy/schema.ts `retransmitSchema`), and the patch of only
 * what the user changed.
 */
import type { LivePolicy, LivePolicyPatch } from '../../../src-main/contract.ts';

export interface PolicyDraft {
  /** Numbers as number inputs give them: null when the field is empty. */
  delayS: number | null;
  timeoutS: number | null;
  base: number | null;
  tries: number | null;
  keepaliveS: number | null;
  radio: string;
}

export type DraftField = Exclude<keyof PolicyDraft, 'radio'>;

export function draftOf(p: LivePolicy): PolicyDraft {
  const r = p.dpd.retransmit;
  return { delayS: p.dpd.delayS, timeoutS: r.timeoutS, base: r.base, tries: r.tries, keepaliveS: p.keepaliveS, radio: p.radio };
}

const LIMITS: Record<DraftField, { min: number; max: number; unit: string; int?: boolean }> = {
  delayS: { min: 0, max: 86400, unit: ' s' },
  timeoutS: { min: 0.01, max: 600, unit: ' s' },
  base: { min: 1, max: 10, unit: '' },
  tries: { min: 0, max: 20, unit: '', int: true },
  keepaliveS: { min: 0, max: 3600, unit: ' s' },
};

/** One message per field that the service would refuse. */
export function draftIssues(d: PolicyDraft): Partial<Record<DraftField, string>> {
  const out: Partial<Record<DraftField, string>> = {};
  for (const [k, l] of Object.entries(LIMITS) as [DraftField, (typeof LIMITS)[DraftField]][]) {
    const v = d[k];
    if (v === null || typeof v !== 'number' || !Number.isFinite(v)) out[k] = 'a number is needed';
    else if (v < l.min) out[k] = `must be at least ${l.min}${l.unit}`;
    else if (v > l.max) out[k] = `must be at most ${l.max}${l.unit}`;
    else if (l.int && !Number.isInteger(v)) out[k] = 'must be a whole number';
  }
  return out;
}

/** What differs from the running policy; `{}` when nothing does. Call with a draft without issues. */
export function draftPatch(p: LivePolicy, d: PolicyDraft): LivePolicyPatch {
  const out: LivePolicyPatch = {};
  const r = p.dpd.retransmit;
  const dpd: NonNullable<LivePolicyPatch['dpd']> = {};
  if (d.delayS !== p.dpd.delayS) dpd.delayS = d.delayS!;
  if (d.timeoutS !== r.timeoutS || d.base !== r.base || d.tries !== r.tries) dpd.retransmit = { ...r, timeoutS: d.timeoutS!, base: d.base!, tries: d.tries! };
  if (Object.keys(dpd).length > 0) out.dpd = dpd;
  if (d.keepaliveS !== p.keepaliveS) out.keepaliveS = d.keepaliveS!;
  if (d.radio !== p.radio) out.radio = d.radio;
  return out;
}

/**
 * Seconds from a DPD's first send until the gateway gives up (no jitter): attempt n waits
 * timeoutS x base^n, capped at limitS when it is set (charon's schedule, core/policy/retransmit.ts).
 */
export function giveUpAfterS(timeoutS: number, base: number, tries: number, limitS = 0): number {
  let sum = 0;
  for (let n = 0; n <= tries; n++) {
    const w = timeoutS * base ** n;
    sum += limitS > 0 && w > limitS ? limitS : w;
  }
  return sum;
}
