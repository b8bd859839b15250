/**
 * Pure helpers of the Live view: the bounded event stream, the client table's filter, sort and
 * pages, lab-time formatting and the per-cause breakdown of a client's estimate.
 */
import type { Cause, LiveClientRow, LiveEventItem, RadioProfile } from '../../../src-main/contract.ts';
import { CAUSE_ORDER } from './causes.ts';
import { duration } from './format.ts';

/** Events the stream keeps (the snapshot carries up to 200). */
export const MAX_EVENTS = 100;

/**
 * Appends the events not seen yet (by `seq`) in order and keeps the last `max`. Returns `prev`
 * itself when nothing is new, so the list does not re-render.
 */
export function mergeEvents(prev: readonly LiveEventItem[], incoming: readonly LiveEventItem[], max = MAX_EVENTS): readonly LiveEventItem[] {
  const last = prev.length > 0 ? prev[prev.length - 1]!.seq : -Infinity;
  const fresh = incoming.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return prev;
  const all = [...prev, ...fresh];
  return all.length > max ? all.slice(all.length - max) : all;
}

/** Lab time as h:mm:ss ("1:02:03"). */
export function labClock(t: number): string {
  const s = Math.max(0, Math.floor(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** How long ago `at` was, in lab time ("< 1 s", "42 s", "3.50 min"); "—" for never. */
export function ago(now: number, at: number | null): string {
  if (at === null) return '—';
  const d = Math.max(0, now - at);
  if (d < 1) return '< 1 s';
  if (d < 120) return `${Math.round(d)} s`;
  return duration(d);
}

/** IKE SA names ("spi_spi", 2 x 16 hex digits) shortened for the event stream. */
export function shortSa(text: string): string {
  return text.replace(/\b([0-9a-f]{8})[0-9a-f]{8}_[0-9a-f]{16}\b/g, '$1…');
}

/** The state names of a profile, idle first, as the timeline lists them (core/radio/timeline.ts). */
export function profileStates(p: RadioProfile): string[] {
  const names = [p.idle.state, 'promotion'];
  for (const s of p.tail) if (!names.includes(s.state)) names.push(s.state);
  return names;
}

export interface CauseShare {
  cause: Cause;
  energyJ: number;
  wakeups: number;
  /** Share of the client's energy, 0..1. */
  share: number;
}

/** A client's energy and wakeups by cause, in chart order, causes with neither left out. */
export function causeShares(row: Pick<LiveClientRow, 'energyJ' | 'wakeups'>): CauseShare[] {
  const total = CAUSE_ORDER.reduce((a, c) => a + (row.energyJ[c] ?? 0), 0);
  return CAUSE_ORDER.map((cause) => {
    const energyJ = row.energyJ[cause] ?? 0;
    return { cause, energyJ, wakeups: row.wakeups[cause] ?? 0, share: total > 0 ? energyJ / total : 0 };
  }).filter((s) => s.energyJ > 0 || s.wakeups > 0);
}

export type RowSort = 'client' | 'virtualIp' | 'sas' | 'lastIn' | 'lastOut' | 'state' | 'wakeupsPerHour' | 'joulesPerHour' | 'totalJ';

/** Columns that read best largest (or most recent) first when first clicked. */
export const DESCENDING_FIRST: ReadonlySet<RowSort> = new Set(['sas', 'wakeupsPerHour', 'joulesPerHour', 'totalJ']);

export interface RowQuery {
  /** Case-insensitive text in the identity, group, virtual IP, peer, radio profile or state. */
  text: string;
  /** A fleet group, or "" for all. */
  group: string;
  sort: RowSort;
  asc: boolean;
}

function sortValue(r: LiveClientRow, key: RowSort): number | string {
  switch (key) {
    case 'client':
      return r.client;
    case 'virtualIp':
      return r.virtualIp ?? '\uffff';
    case 'sas':
      return r.ikeSas * 1000 + r.childSas;
    case 'lastIn':
      return r.lastInS === null ? -Infinity : r.lastInS;
    case 'lastOut':
      return r.lastOutS === null ? -Infinity : r.lastOutS;
    case 'state':
      return r.radioState;
    default:
      return r[key];
  }
}

const collator = new Intl.Collator('en', { numeric: true });

/**
 * The rows to show: filtered, then sorted (ties by identity). "Last in/out" sort by how long ago,
 * so ascending puts the most recent first.
 */
export function queryRows(rows: readonly LiveClientRow[], q: RowQuery): LiveClientRow[] {
  const text = q.text.trim().toLowerCase();
  const keep = rows.filter(
    (r) =>
      (q.group === '' || r.group === q.group) &&
      (text === '' || [r.client, r.group ?? '', r.virtualIp ?? '', r.peer ?? '', r.radioId, r.radioState].some((f) => f.toLowerCase().includes(text))),
  );
  // "Ago" runs the other way from the time of the packet.
  const flip = q.sort === 'lastIn' || q.sort === 'lastOut' ? -1 : 1;
  const dir = (q.asc ? 1 : -1) * flip;
  return keep.sort((a, b) => {
    const x = sortValue(a, q.sort);
    const y = sortValue(b, q.sort);
    const c = typeof x === 'string' || typeof y === 'string' ? collator.compare(String(x), String(y)) : x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? c * dir : collator.compare(a.client, b.client);
  });
}

export interface Page<T> {
  items: T[];
  /** 0-based page shown (clamped), number of pages, and the 1-based range shown. */
  page: number;
  pages: number;
  from: number;
  to: number;
}

export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  const slice = items.slice(p * size, (p + 1) * size);
  return { items: slice, page: p, pages, from: slice.length > 0 ? p * size + 1 : 0, to: p * size + slice.length };
}
