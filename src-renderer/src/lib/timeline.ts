/** Helpers for the radio-state timeline chart. */

/** CSS class of a state: idle, promotion, or the tail stage's position (st-0 is the first). */
export function stateClass(state: string, states: readonly string[]): string {
  const i = states.indexOf(state);
  if (i === 0) return 'st-idle';
  if (state === 'promotion') return 'st-promotion';
  return `st-${Math.min(3, Math.max(0, i - 2))}`;
}

/**
 * A view window scaled by `factor` around `atS`, kept inside [0, untilS] and at least 0.05 s wide.
 */
export function zoomWindow(win: readonly [number, number], factor: number, atS: number, untilS: number): [number, number] {
  const span = Math.min(untilS, Math.max(0.05, (win[1] - win[0]) * factor));
  let a = atS - (atS - win[0]) * factor;
  if (factor === 1) a = win[0];
  a = Math.min(Math.max(0, a), untilS - span);
  return [a, a + span];
}
