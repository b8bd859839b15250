/** Plain-text tables and CSV for the CLI's human-readable output. */

export function table(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number): string => ((align?.[i] ?? 'l') === 'r' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (r: readonly string[]): string => r.map((c, i) => pad(c, i)).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** RFC 4180 CSV: fields with commas, quotes or newlines are quoted. */
export function csv(headers: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  const field = (v: string | number | boolean | null): string => {
    const s = v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/** A number with a fixed count of decimals, or "-" for null. */
export function num(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined) return '-';
  if (!Number.isFinite(v)) return 'never';
  return v.toFixed(digits);
}

export function seconds(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (!Number.isFinite(v)) return 'never';
  if (v < 120) return `${v.toFixed(1)} s`;
  if (v < 7200) return `${(v / 60).toFixed(1)} min`;
  return `${(v / 3600).toFixed(1)} h`;
}

/** A run length: "24.0 h", or minutes below an hour. */
export function hoursText(h: number): string {
  return h >= 1 ? `${h.toFixed(1)} h` : `${(h * 60).toFixed(1)} min`;
}
