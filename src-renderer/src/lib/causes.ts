/** Causes as the charts show them (the order stacks run in; src-main/core/causes.ts). */
import type { Cause } from '../../../src-main/contract.ts';

export const CAUSE_ORDER: Cause[] = ['keepalive', 'dpd', 'rekey', 'reconnect', 'data', 'baseline'];

const LABELS: Record<Cause, string> = {
  keepalive: 'NAT-T keepalive',
  dpd: 'DPD',
  rekey: 'rekey',
  reconnect: 'reconnect',
  data: 'data',
  baseline: 'idle baseline',
};

export const causeLabel = (c: Cause): string => LABELS[c];
