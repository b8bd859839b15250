/**
 * ESP per packet (`npm run bench -- --only=esp`): for each backend (node:crypto, noble), cipher
 * (AES-GCM-16-128, the headline; AES-CBC-128 + HMAC-SHA2-256-128; ChaCha20-Poly1305) and inner
 * packet size (64 and 1400 octets, IPv4/UDP), the full data path (DataPlane.send on one end,
 * DataPlane.receive on the other: seal + open with framing, replay window, selectors, counters)
 * against the bare cipher calls of the same backend on the same number of octets with the same
 * key, in the same process (test/bench/esp/cases.ts). Also, as information, the full path over a
 * suite that does no cryptography (core/esp alone), and `openssl speed` as the hardware ceiling.
 *
 * Per case: a warm-up of each path, then `rounds` timed rounds in which the full and the bare
 * path take turns in batches of about 2 ms until each has run `roundMs` (so the shared machine's
 * slow spells hit both alike); the figure is the median round. Wall time, with the process's CPU
 * time alongside. Then a heap probe: small runs after a forced GC, kept when no GC ran in them.
 *
 * Goal (from the issue): with AES-GCM-128, at both sizes, framing, replay and bookkeeping add less
 * than 50 % to the node:crypto AEAD cost. Two rows: the node backend (its full path against its own
 * bare calls), and the native backend, the responder's default (what its full path adds to its own
 * bare calls, against node:crypto's bare calls timed in the same rounds). Reported, never enforced.
 */
import { allCases, caseName, INNER_SIZES, makeFramingCase, type EspCase } from './esp/cases.ts';
import { opensslSpeed, type OpensslResult } from './esp/openssl-speed.ts';
import { GcCounter, forceGc } from './memory.ts';
import { median, min, now, table } from './stats.ts';

export interface EspBenchConfig {
  /** Untimed running of each path before the first round, ms. */
  warmupMs: number;
  /** Timed rounds of each path, interleaved. */
  rounds: number;
  /** The same for the goal's cases (node, AES-GCM-16-128): more rounds, a steadier median. */
  headlineRounds: number;
  /** Each round runs each path for this much wall time, ms, the paths taking turns batch by batch. */
  roundMs: number;
  /** Packets per heap-probe run (halved down to 5 while every run sees a GC). */
  probePackets: number;
  probeRounds: number;
  /** Run `openssl speed` (about 3 s). */
  openssl: boolean;
}

export const ESP_BENCH_FULL: EspBenchConfig = { warmupMs: 200, rounds: 5, headlineRounds: 11, roundMs: 150, probePackets: 200, probeRounds: 3, openssl: true };
export const ESP_BENCH_QUICK: EspBenchConfig = { warmupMs: 50, rounds: 3, headlineRounds: 3, roundMs: 40, probePackets: 100, probeRounds: 3, openssl: true };

/** The goal: framing, replay and bookkeeping add less than this to the node:crypto AEAD cost. */
export const GOAL_OVERHEAD = 0.5;

export interface PathResult {
  /** Wall time per packet of each timed round, ns, in the order run. */
  nsPerPacket: number[];
  /** This process's CPU time (all threads) per packet of each round, ns. */
  cpuNsPerPacket: number[];
  /** Packets per timed round. */
  packets: number[];
  /** JS heap and ArrayBuffer octets allocated per packet (median of probe runs without a GC); null if every run had one. */
  heapPerPacket: number | null;
  arrayBuffersPerPacket: number | null;
  /** Packets per probe run that gave the figures above. */
  probePackets: number;
}

export interface EspCaseResult {
  readonly name: string;
  readonly backend: EspCase['backend'];
  readonly cipher: string;
  readonly innerBytes: number;
  readonly textBytes: number;
  readonly espBytes: number;
  readonly full: PathResult;
  readonly bare: PathResult;
  /** native cases: node:crypto's bare calls, timed in the same rounds. */
  readonly nodeBare?: PathResult;
}

export interface FramingResult {
  readonly innerBytes: number;
  readonly espBytes: number;
  readonly full: PathResult;
}

export interface EspBenchResult {
  readonly cases: EspCaseResult[];
  readonly framing: FramingResult[];
  readonly openssl: { readonly plain: OpensslResult; readonly aead1408: OpensslResult | null; readonly aead64: OpensslResult | null } | null;
  readonly gcForced: boolean;
  readonly ms: number;
}

type PacketFn = (n: number) => number;

let sink = 0;

/** Runs `fn` for about `ms`; returns a batch size of about 2 ms of packets. */
function warm(fn: PacketFn, ms: number): number {
  let n = 1;
  let done = 0;
  const t0 = now();
  let t = t0;
  while (t - t0 < ms) {
    sink += fn(n);
    done += n;
    t = now();
    if (t - t0 < ms / 4) n = Math.min(n * 2, 1 << 16);
  }
  return Math.max(1, Math.round((done / Math.max(t - t0, 1e-3)) * 2));
}

/**
 * Heap allocated per packet: runs of `packets` after a forced GC, kept when no GC ran during them;
 * with fewer packets while every run saw one (noble's GCM allocates tens of kB a packet).
 */
async function probe(fn: PacketFn, cfg: EspBenchConfig, gc: (() => void) | null, gcs: GcCounter, into: PathResult): Promise<void> {
  for (let n = cfg.probePackets; n >= 5; n = Math.floor(n / 2)) {
    const heap: number[] = [];
    const ab: number[] = [];
    const windows: [number, number][] = [];
    for (let r = 0; r < cfg.probeRounds; r++) {
      gc?.();
      const m0 = process.memoryUsage();
      const t0 = now();
      sink += fn(n);
      const t1 = now();
      const m1 = process.memoryUsage();
      heap.push(m1.heapUsed - m0.heapUsed);
      ab.push(m1.arrayBuffers - m0.arrayBuffers);
      windows.push([t0, t1]);
    }
    await gcs.flush();
    const clean = windows.map(([a, b]) => gcs.count(a, b) === 0);
    if (clean.some(Boolean)) {
      into.heapPerPacket = median(heap.filter((_, i) => clean[i])) / n;
      into.arrayBuffersPerPacket = median(ab.filter((_, i) => clean[i])) / n;
      into.probePackets = n;
      return;
    }
  }
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const emptyPath = (): PathResult => ({ nsPerPacket: [], cpuNsPerPacket: [], packets: [], heapPerPacket: null, arrayBuffersPerPacket: null, probePackets: 0 });

/**
 * Warm-up, then timed rounds. Within a round the paths take turns batch by batch (about 2 ms
 * each, the first path alternating from round to round) until each has run `roundMs`: a stall of
 * the shared machine hits one batch, and slow spells hit every path alike.
 */
function timePaths(fns: readonly PacketFn[], cfg: EspBenchConfig, rounds = cfg.rounds): PathResult[] {
  const batches = fns.map((fn) => warm(fn, cfg.warmupMs));
  const out = fns.map(emptyPath);
  const forward = fns.map((_, i) => i);
  const backward = [...forward].reverse();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? forward : backward;
    const wallMs = fns.map(() => 0);
    const cpuUs = fns.map(() => 0);
    const packets = fns.map(() => 0);
    while (wallMs.some((ms) => ms < cfg.roundMs)) {
      for (const i of order) {
        const c0 = process.cpuUsage();
        const t0 = now();
        sink += fns[i]!(batches[i]!);
        const t1 = now();
        const c = process.cpuUsage(c0);
        wallMs[i]! += t1 - t0;
        cpuUs[i]! += c.user + c.system;
        packets[i]! += batches[i]!;
      }
    }
    fns.forEach((_, i) => {
      out[i]!.nsPerPacket.push((wallMs[i]! * 1e6) / packets[i]!);
      out[i]!.cpuNsPerPacket.push((cpuUs[i]! * 1e3) / packets[i]!);
      out[i]!.packets.push(packets[i]!);
    });
  }
  return out;
}

/** The goal's cases: node:crypto and native, AES-GCM-16-128. */
export const isHeadline = (c: { backend: string; cipher: string | { name: string } }): boolean =>
  (c.backend === 'node' || c.backend === 'native') && (typeof c.cipher === 'string' ? c.cipher : c.cipher.name) === 'AES-GCM-16-128';

/** Measures one case; throws if a path does not give its packet back unchanged. */
export async function measureCase(c: EspCase, cfg: EspBenchConfig, gc: (() => void) | null, gcs: GcCounter): Promise<EspCaseResult> {
  const rounds = isHeadline(c) ? cfg.headlineRounds : cfg.rounds;
  const [full, bare, nodeBare] = timePaths(c.nodeBare ? [c.full, c.bare, c.nodeBare] : [c.full, c.bare], cfg, rounds) as [PathResult, PathResult, PathResult?];
  if (!sameBytes(c.lastFull(), c.inner)) throw new Error(`${caseName(c)}: the full path did not deliver the inner packet unchanged`);
  if (!sameBytes(c.lastBare(), c.bareText)) throw new Error(`${caseName(c)}: the bare path did not decrypt to the plaintext`);
  await probe(c.full, cfg, gc, gcs, full);
  await probe(c.bare, cfg, gc, gcs, bare);
  return { name: caseName(c), backend: c.backend, cipher: c.cipher.name, innerBytes: c.innerBytes, textBytes: c.textBytes, espBytes: c.espBytes, full, bare, ...(nodeBare ? { nodeBare } : {}) };
}

/** The full path over the identity suite (core/esp without crypto). */
export async function measureFraming(innerBytes: number, cfg: EspBenchConfig, gc: (() => void) | null, gcs: GcCounter): Promise<FramingResult> {
  const c = makeFramingCase(innerBytes);
  const [full] = timePaths([c.full], cfg) as [PathResult];
  if (!sameBytes(c.lastFull(), c.inner)) throw new Error(`framing only, ${innerBytes} B: the inner packet did not come back unchanged`);
  await probe(c.full, cfg, gc, gcs, full);
  return { innerBytes, espBytes: c.espBytes, full };
}

/** Median ns/packet of each path and the overhead full / bare - 1, with the range over paired rounds. */
export function summarizeCase(r: EspCaseResult) {
  const fullNs = median(r.full.nsPerPacket);
  const bareNs = median(r.bare.nsPerPacket);
  const paired = r.full.nsPerPacket.map((f, i) => f / r.bare.nsPerPacket[i]! - 1).sort((a, b) => a - b);
  const n = paired.length;
  return {
    fullNs,
    bareNs,
    fullBestNs: min(r.full.nsPerPacket),
    bareBestNs: min(r.bare.nsPerPacket),
    fullPps: 1e9 / fullNs,
    barePps: 1e9 / bareNs,
    /** Inner octets per second, 10^6. */
    fullMBps: (r.innerBytes * 1e3) / fullNs,
    bareMBps: (r.innerBytes * 1e3) / bareNs,
    overhead: fullNs / bareNs - 1,
    /** The middle half of the rounds' overheads (each round's full path against its bare path). */
    overheadQ1: paired[Math.floor((n - 1) / 4)]!,
    overheadQ3: paired[Math.ceil((3 * (n - 1)) / 4)]!,
    /** The same on the process's CPU time. */
    overheadCpu: median(r.full.cpuNsPerPacket) / median(r.bare.cpuNsPerPacket) - 1,
    /** native cases: (full - bare) / node:crypto's bare, per round, median and middle half; and full / node bare. */
    ...(r.nodeBare ? addedToNode(r.full, r.bare, r.nodeBare) : {}),
  };
}

/** What the full path adds to its own bare calls, as a share of node:crypto's bare calls (the goal's yardstick), round by round. */
function addedToNode(full: PathResult, bare: PathResult, nodeBare: PathResult) {
  const added = full.nsPerPacket.map((f, i) => (f - bare.nsPerPacket[i]!) / nodeBare.nsPerPacket[i]!).sort((a, b) => a - b);
  const n = added.length;
  return {
    nodeBareNs: median(nodeBare.nsPerPacket),
    addedToNode: median(added),
    addedToNodeQ1: added[Math.floor((n - 1) / 4)]!,
    addedToNodeQ3: added[Math.ceil((3 * (n - 1)) / 4)]!,
    fullToNode: median(full.nsPerPacket.map((f, i) => f / nodeBare.nsPerPacket[i]!)),
  };
}

export async function runEspBench(cfg: EspBenchConfig, log: (line: string) => void = () => {}): Promise<EspBenchResult> {
  const t0 = now();
  const gc = forceGc();
  const gcs = new GcCounter();
  const results: EspCaseResult[] = [];
  for (const c of allCases()) {
    const r = await measureCase(c, cfg, gc, gcs);
    results.push(r);
    const s = summarizeCase(r);
    log(`  ${r.name}: full ${s.fullNs.toFixed(0)} ns, bare ${s.bareNs.toFixed(0)} ns, ${pct(s.overhead)}`);
  }
  const framing: FramingResult[] = [];
  for (const size of INNER_SIZES) framing.push(await measureFraming(size, cfg, gc, gcs));
  gcs.stop();
  let openssl: EspBenchResult['openssl'] = null;
  if (cfg.openssl) {
    const plain = opensslSpeed('aes-128-gcm', 1408);
    const aead1408 = plain.ok ? opensslSpeed('aes-128-gcm', 1408, ['-aead']) : null;
    const aead64 = plain.ok ? opensslSpeed('aes-128-gcm', 64, ['-aead']) : null;
    openssl = { plain, aead1408, aead64 };
  }
  if (sink === 0.5) log('(unreachable: keeps the checksums alive)');
  return { cases: results, framing, openssl, gcForced: gc !== null, ms: now() - t0 };
}

const ns = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} us` : `${x.toFixed(0)} ns`);
const pps = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %`;
const perPacket = (x: number | null): string => (x === null ? 'n/a' : `${Math.round(x)}`);

function opensslLine(r: OpensslResult | null, what: string): string {
  if (r === null) return '';
  if (!r.ok) return `${what}: not measured (${r.why}; \`${r.command}\`).`;
  const perBlockNs = (r.blockBytes / r.bytesPerS) * 1e9;
  return `${what}: ${(r.bytesPerS / 1e6).toFixed(0)} MB/s on ${r.blockBytes}-octet blocks, ${ns(perBlockNs)} a block (\`${r.command}\`, ${r.version}).`;
}

/** The report (as the other parts print it) and the goal rows for the goals table. */
export function espReport(r: EspBenchResult, cfg: EspBenchConfig): { lines: string[]; goals: string[][] } {
  const lines: string[] = [];
  const rows = r.cases.map((c) => {
    const s = summarizeCase(c);
    return [
      c.backend,
      c.cipher,
      `${c.innerBytes} / ${c.espBytes}`,
      ns(s.fullNs),
      `${pps(s.fullPps)}/s`,
      s.fullMBps.toFixed(1),
      ns(s.bareNs),
      `${pps(s.barePps)}/s`,
      s.bareMBps.toFixed(1),
      pct(s.overhead),
      `${pct(s.overheadQ1)} .. ${pct(s.overheadQ3)}`,
      pct(s.overheadCpu),
    ];
  });
  lines.push(
    table(
      ['backend', 'cipher', 'inner / ESP octets', 'full path, ns/packet', 'packets/s', 'MB/s', 'bare cipher, ns/packet', 'packets/s', 'MB/s', 'overhead (median)', 'overhead, middle half of rounds', 'overhead (CPU time)'],
      rows,
    ),
  );
  lines.push('');
  lines.push(
    `Per packet: the full path is one DataPlane.send (client) and one DataPlane.receive (gateway) of an IPv4/UDP datagram; the bare cipher is the backend's own encrypt + decrypt of the ESP text (inner + padding + trailer) with an 8-octet AAD and the same key. ` +
      `MB/s: inner octets (10^6) per second, each encrypted and decrypted once. Overhead: full / bare - 1 on the median rounds (wall time); middle half: the 25th to 75th percentile of the rounds' own ratios; CPU time: the median rounds on this process's CPU time (all threads). ` +
      `${cfg.rounds} timed rounds (${cfg.headlineRounds} for node and native AES-GCM-16-128, the goal's) of ${cfg.roundMs} ms of each path, the two paths taking turns in batches of about 2 ms, after ${cfg.warmupMs} ms of warm-up of each.`,
  );
  lines.push('');
  const natives = r.cases.filter((c) => c.nodeBare);
  if (natives.length > 0) {
    lines.push(
      table(
        ['native cipher', 'inner', 'native full path', 'native bare', 'node:crypto bare (same rounds)', 'full - bare, share of node bare (median; middle half)', 'native full / node bare'],
        natives.map((c) => {
          const s = summarizeCase(c);
          return [c.cipher, `${c.innerBytes}`, ns(s.fullNs), ns(s.bareNs), ns(s.nodeBareNs!), `${pct(s.addedToNode!)} (${pct(s.addedToNodeQ1!)} .. ${pct(s.addedToNodeQ3!)})`, `${(100 * s.fullToNode!).toFixed(0)} %`];
        }),
      ),
    );
    lines.push('');
    lines.push(
      'Native backend (native/esp-crypto, the responder\'s default): its full path and its own bare calls, with node:crypto\'s bare calls on the same text and key as a third path in the same rounds. ' +
        '"full - bare" is what core/esp and the suite\'s JavaScript add around the addon, measured against node:crypto\'s AEAD cost, the yardstick the goal names.',
    );
    lines.push('');
  } else {
    lines.push('Native backend: not measured (its addon is not built here; see native/esp-crypto).');
    lines.push('');
  }
  const gcm = (size: number) => r.cases.find((c) => c.backend === 'node' && isHeadline(c) && c.innerBytes === size);
  lines.push(
    table(
      ['framing only (suite without crypto), AES-GCM-16-128 layout', 'ns/packet (median)', 'packets/s', 'node AES-GCM-16-128: full - bare', 'framing share of that'],
      r.framing.map((f) => {
        const fNs = median(f.full.nsPerPacket);
        const g = gcm(f.innerBytes);
        const extra = g ? summarizeCase(g).fullNs - summarizeCase(g).bareNs : NaN;
        return [`${f.innerBytes} / ${f.espBytes} octets`, ns(fNs), `${pps(1e9 / fNs)}/s`, g ? ns(extra) : '-', g && extra > 0 ? `${((100 * fNs) / extra).toFixed(0)} %` : '-'];
      }),
    ),
  );
  lines.push('');
  lines.push(
    'Framing only: the same send + receive over a suite that does no cryptography (zero IV, text left as it is, the decrypted text a view of the packet): core/esp alone. ' +
      'The rest of full - bare is the node suite around OpenSSL (argument checks, nonce, IV draw, copies in and out) and the extra garbage.',
  );
  lines.push('');
  lines.push(
    table(
      ['backend', 'cipher', 'inner', 'full: JS heap B/packet', 'full: ArrayBuffer B/packet', 'bare: JS heap B/packet', 'bare: ArrayBuffer B/packet'],
      [
        ...r.cases.map((c) => [c.backend, c.cipher, `${c.innerBytes}`, perPacket(c.full.heapPerPacket), perPacket(c.full.arrayBuffersPerPacket), perPacket(c.bare.heapPerPacket), perPacket(c.bare.arrayBuffersPerPacket)]),
        ...r.framing.map((f) => ['none', 'framing only', `${f.innerBytes}`, perPacket(f.full.heapPerPacket), perPacket(f.full.arrayBuffersPerPacket), '-', '-']),
      ],
    ),
  );
  lines.push('');
  const sizes = [...new Set([...r.cases.flatMap((c) => [c.full.probePackets, c.bare.probePackets]), ...r.framing.map((f) => f.full.probePackets)])].filter((n) => n > 0);
  lines.push(
    `Allocated per packet (information): heapUsed and arrayBuffers (process.memoryUsage) after minus before a run of ${sizes.sort((a, b) => b - a).join(' or ')} packets ` +
      `after a forced GC${r.gcForced ? '' : ' (not available here: none forced)'}, median of the runs (of ${cfg.probeRounds}) in which no GC ran; n/a: a GC ran in every one.`,
  );
  if (r.openssl) {
    lines.push('');
    lines.push(opensslLine(r.openssl.plain, 'Hardware ceiling, OpenSSL AES-128-GCM encryption alone'));
    if (r.openssl.aead1408) lines.push(opensslLine(r.openssl.aead1408, 'With -aead (per block: new IV, AAD, update, tag, as TLS records; information)'));
    if (r.openssl.aead64) lines.push(opensslLine(r.openssl.aead64, 'With -aead on 64-octet blocks (information)'));
    if (r.openssl.plain.ok) lines.push('OpenSSL divides by its user CPU time, the figures above by wall time; it only encrypts, each ESP packet above is encrypted and decrypted.');
  }
  lines.push('');
  lines.push(`ESP part: ${(r.ms / 1000).toFixed(1)} s.`);

  const goals: string[][] = [];
  for (const c of r.cases) {
    if (!isHeadline(c)) continue;
    const s = summarizeCase(c);
    if (c.nodeBare) {
      goals.push([
        `ESP: native AES-GCM-16-128 (the default backend), ${c.innerBytes} B inner: (full path - native bare) / node:crypto bare AEAD`,
        `< ${GOAL_OVERHEAD * 100} %`,
        `${pct(s.addedToNode!)} median (${ns(s.fullNs)} - ${ns(s.bareNs)} vs ${ns(s.nodeBareNs!)}; middle half ${pct(s.addedToNodeQ1!)} .. ${pct(s.addedToNodeQ3!)}; the whole path is ${(100 * s.fullToNode!).toFixed(0)} % of node's bare AEAD)`,
        s.addedToNode! < GOAL_OVERHEAD ? 'MET' : 'NOT MET',
      ]);
      continue;
    }
    goals.push([
      `ESP: node AES-GCM-16-128, ${c.innerBytes} B inner: full path / bare AEAD - 1`,
      `< ${GOAL_OVERHEAD * 100} %`,
      `${pct(s.overhead)} median (${ns(s.fullNs)} vs ${ns(s.bareNs)}; middle half of the rounds ${pct(s.overheadQ1)} .. ${pct(s.overheadQ3)}; CPU time ${pct(s.overheadCpu)})`,
      s.overhead < GOAL_OVERHEAD ? 'MET' : 'NOT MET',
    ]);
  }
  return { lines, goals };
}
