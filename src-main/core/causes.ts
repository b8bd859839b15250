/**
 * What every wakeup and every joule is charged to (energy-models.md, "Definitions"): the packet or
 * timer that started it. Tail energy belongs to the packet that opened the tail, as in AT&T ARO.
 */
export const CAUSES = ['keepalive', 'dpd', 'rekey', 'reconnect', 'data', 'baseline'] as const;
export type Cause = (typeof CAUSES)[number];

/** Numeric codes, so hot loops index Float64Arrays instead of objects. */
export const CAUSE = {
  keepalive: 0,
  dpd: 1,
  rekey: 2,
  reconnect: 3,
  data: 4,
  baseline: 5,
} as const satisfies Record<Cause, number>;
export type CauseCode = (typeof CAUSE)[Cause];

export function byCause(values: ArrayLike<number>): Record<Cause, number> {
  const out = {} as Record<Cause, number>;
  CAUSES.forEach((c, i) => {
    out[c] = values[i] ?? 0;
  });
  return out;
}
