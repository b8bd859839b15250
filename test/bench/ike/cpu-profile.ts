/**
 * Where the responder's CPU time went, from the `.cpuprofile` that `node --cpu-prof` writes at
 * exit: self time by function and by source (noble packages, WakeLab's modules, Node internals,
 * GC), and the inclusive time of a few WakeLab functions that matter for the handshake rate.
 * Idle time (the event loop waiting) is left out of every share.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Functions whose inclusive time is reported (name as V8 records it). */
const WATCH = ['respondSaInit', 'respondAuth', 'handleRequest', 'nextDeadline', 'lease', 'establish', 'x25519Exchange', 'computeShared', 'deriveIkeSaKeys', 'decodeMessage', 'protect', 'unprotect', 'flush', 'onEvent', 'textLine', 'writeSync'];

function source(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'V8/native (program)';
  const m = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(url);
  if (m) return m[1]!;
  const w = /\/(src-main\/[^/]+\/[^/]+)\//.exec(url);
  if (w) return w[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url ? url.replace(/^.*\/(src-main|test)\//, '$1/') : '(native)';
}

/** A text summary of the newest .cpuprofile in `dir`. */
export function summarizeCpuProfile(dir: string, top = 18): string {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  if (files.length === 0) return `no .cpuprofile in ${dir}`;
  const path = join(dir, files[0]!.f);
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from the samples and their time deltas (µs).
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((s, [, t]) => s + t, 0);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const busy = total - idle;
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1)} %`;

  const byFn = new Map<string, number>();
  const bySrc = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src-main|test)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const src = source(url, functionName);
    bySrc.set(src, (bySrc.get(src) ?? 0) + us);
  }
  // Inclusive time of the watched functions (each node counted once per name on its stack).
  const inclusive = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      if (WATCH.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  const lines = [
    `CPU profile ${path}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (shares below are of busy time)`,
    'Self time by source:',
    ...sorted(bySrc)
      .slice(0, 12)
      .map(([k, us]) => `  ${pct(us).padStart(7)}  ${k}`),
    `Self time by function (top ${top}):`,
    ...sorted(byFn)
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us).padStart(7)}  ${k}`),
    'Inclusive time of selected functions:',
    ...sorted(inclusive).map(([k, us]) => `  ${pct(us).padStart(7)}  ${k}`),
  ];
  return lines.join('\n');
}
