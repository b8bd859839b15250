/** Numbers with units, the way the tables and charts show them. */

const nf = (digits: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const n0 = nf(0);
const n1 = nf(1);
const n2 = nf(2);

/** A number with about three significant digits (1234 → "1,234", 12.34 → "12.3", 0.1234 → "0.123"). */
export function num(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return n0.format(x);
  if (a >= 10) return n1.format(x);
  if (a >= 1) return n2.format(x);
  if (a === 0) return '0';
  return x.toPrecision(3);
}

/** A setting as typed, without padding zeros ("30", "1.8", "0.25", "3,600"). */
export const plain = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 3 });

export const mw = (x: number) => `${num(x)} mW`;
export const jPerH = (x: number) => `${num(x)} J/h`;
export const pct = (x: number) => `${num(x)} %`;
export const perH = (x: number) => `${num(x)} /h`;

/** Seconds as s, min or h, whichever reads best. */
export function duration(s: number | null): string {
  if (s === null) return '—';
  if (s < 120) return `${num(s)} s`;
  if (s < 7200) return `${num(s / 60)} min`;
  if (s < 172800) return `${num(s / 3600)} h`;
  return `${num(s / 86400)} d`;
}

export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** A label cut to fit about `px` pixels of 11 px text, with an ellipsis. */
export function clip(text: string, px: number): string {
  const max = Math.max(4, Math.floor(px / 6.2) - 1);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Ticks for a log axis: 1, 2 and 5 times powers of ten inside the domain. */
export function logTicks([lo, hi]: [number, number]): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo && t <= hi) out.push(t);
    }
  }
  return out;
}
