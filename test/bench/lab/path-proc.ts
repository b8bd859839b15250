/**
 * The live lab's own path, without a network or a responder: a thousand clients' traffic events
 * (6 in 10 keepalives, 2 ESP, 2 DPD; a client drawn at random for each) fed through the live
 * estimator and the session writer as `wakelab lab` feeds them (lab/gateway-proc.ts runs the
 * whole lab), with commits every 250 ms and the radios moved on every second, on a clock that
 * runs at 4,700 events a real second (the lab bench's rate). A diagnostic, not a goal: in the lab
 * bench the same work costs several times as much, its memory cold after the responder's work.
 *
 *   node --import tsx test/bench/lab/path-proc.ts est|nosql|full [EVENTS]
 *   WAKELAB_PATH_THRASH_KB=1024 node --import tsx test/bench/lab/path-proc.ts full
 *
 * `est`: the estimator alone; `nosql`: and the writer, its statements doing nothing; `full`: and
 * SQLite (a file in the temporary folder). WAKELAB_PATH_BATCH=K writes the other memory only before
 * every K-th event (the lab taking K events at a time); WAKELAB_PATH_CHUNK_AGE_MS sets the commits'
 * chunk age (default run-lab.ts's 20 s). Prints the CPU time per event (process.cpuUsage), and
 * of it, the wall time in the estimator, in queueing and in commits. With WAKELAB_PATH_THRASH_KB,
 * each event is preceded by writes over that much other memory (the responder's work in the lab
 * bench), so the split shows the same calls with cold caches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { LiveEstimator } from '../../../src-main/core/live/estimator.ts';
import { Catalog } from '../../../src-main/node/catalog.ts';
import { SessionWriter } from '../../../src-main/node/live/session-writer.ts';
import { openDatabase } from '../../../src-main/node/store/open.ts';

const mode = process.argv[2] as 'est' | 'nosql' | 'full';
const EVENTS = Number(process.argv[3] ?? 400_000);
const CLIENTS = 1000;
const RATE = 4700;
const dir = mkdtempSync(join(tmpdir(), 'wakelab-path-'));
const { db } = openDatabase(join(dir, 'lab.db'));
db.pragma('foreign_keys = OFF'); // as run-lab.ts
// WAKELAB_PATH_PRAGMAS="a=1;b=2": pragmas to try on the lab's connection (a what-if).
for (const p of (process.env.WAKELAB_PATH_PRAGMAS ?? '').split(';').filter(Boolean)) db.pragma(p);
const labId = Number(db.prepare("INSERT INTO labs (started_at, config_json, wakelab_version) VALUES ('2026-01-01T00:00:00.000Z', '{}', 'bench')").run().lastInsertRowid);
const lte = new Catalog().get('radio', 'lte').value;
const estimator = new LiveEstimator({ profileFor: () => lte });
let realMs = 0;
const writer = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }), () => realMs);
if (mode === 'nosql') {
  const st = (writer as unknown as { st: Record<string, { run: (...a: unknown[]) => unknown }> }).st;
  for (const k of Object.keys(st)) st[k]!.run = () => ({ lastInsertRowid: 1, changes: 1 });
}

const local = { address: '127.0.0.1', port: 4501 };
const hex = (i: number): string => i.toString(16).padStart(16, '0');
const sas = Array.from({ length: CLIENTS }, (_, i) => `${hex(i + 1)}_${hex(i + 7777)}`);
const peers = Array.from({ length: CLIENTS }, (_, i) => ({ address: '127.0.0.1', port: 40000 + i }));
for (let i = 0; i < CLIENTS; i++) writer.add(estimator.onEvent(0, { kind: 'ike-up', sa: sas[i]!, peerId: `phone-${i}@fleet`, peer: peers[i]!, virtualIp: null }));

let n = 0;
/** A traffic event as the Gateway makes them (gateway.ts `traffic`: every field named, in its order, one shape). */
function traffic(i: number): IkeEvent {
  const r = n++ % 10;
  const dir = r % 2 ? 'out' : 'in';
  const peer = peers[i]!;
  const sa = sas[i];
  // The IKE SA's slot (IkeSa.slot): client i's SA has slot i.
  if (r < 6) return { kind: 'traffic', dir, peer, local, bytes: 1, ipBytes: 29, head: Uint8Array.of(0xff), cls: 'keepalive', sa, slot: i, messageId: undefined, request: undefined, spi: undefined };
  if (r < 8) return { kind: 'traffic', dir, peer, local, bytes: 120, ipBytes: 148, head: new Uint8Array(8), cls: 'data', sa, slot: i, messageId: undefined, request: undefined, spi: 0xc0000000 + i };
  return { kind: 'traffic', dir, peer, local, bytes: 80, ipBytes: 108, head: new Uint8Array(36), cls: 'dpd', sa, slot: i, messageId: n & 0xffff, request: r === 8, spi: undefined };
}

let seed = 1;
const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const ms = { estimate: 0, queue: 0, commit: 0 };
/** WAKELAB_PATH_COMMIT_MS: real ms between commits (default the lab configuration's 250). */
const COMMIT_MS = Number(process.env.WAKELAB_PATH_COMMIT_MS ?? 250);
let nextCommit = COMMIT_MS;
let nextAdvance = 1000;
/**
 * WAKELAB_PATH_THRASH_KB=N: between events, write one octet in each 64-octet line of N KiB of a
 * 64 MiB array (moving on through it), as the responder's own work between two of the lab's
 * events evicts the caches. Outside the timed calls: the split shows what cold caches cost them.
 */
/** WAKELAB_PATH_BATCH=K: the other memory is written before every K-th event only. */
const BATCH = Number(process.env.WAKELAB_PATH_BATCH ?? 1);
const THRASH = Number(process.env.WAKELAB_PATH_THRASH_KB ?? 0) * 1024;
const junk = new Uint8Array(THRASH > 0 ? 64 << 20 : 0);
let junkAt = 0;
const thrash = (): void => {
  for (let i = 0; i < THRASH; i += 64) {
    junk[junkAt]++;
    junkAt = (junkAt + 64) % junk.length;
  }
};
const cpu0 = process.cpuUsage();
for (let k = 0; k < EVENTS; k++) {
  if (THRASH > 0 && k % BATCH === 0) thrash();
  realMs = (k / RATE) * 1000;
  const t = (realMs / 1000) * 60;
  const e = traffic(Math.floor(random() * CLIENTS));
  const a = performance.now();
  const out = estimator.onEvent(t, e);
  const b = performance.now();
  if (mode !== 'est') writer.add(out);
  ms.estimate += b - a;
  ms.queue += performance.now() - b;
  if (realMs < nextCommit) continue;
  nextCommit += COMMIT_MS;
  const c = performance.now();
  if (realMs >= nextAdvance) {
    nextAdvance += 1000;
    const moved = estimator.advance(t);
    if (mode !== 'est') writer.add(moved);
  }
  if (mode !== 'est') writer.commit({ chunkAgeMs: Number(process.env.WAKELAB_PATH_CHUNK_AGE_MS ?? 20_000) }); // run-lab.ts CHUNK_AGE_MS
  ms.commit += performance.now() - c;
}
const cpu = process.cpuUsage(cpu0);
/** Milliseconds over all events as microseconds an event, to the nanosecond. */
const us = (ms: number): number => Math.round((ms * 1e6) / EVENTS) / 1000;
console.log(JSON.stringify({ mode, events: EVENTS, cpuUsPerEvent: us((cpu.user + cpu.system) / 1000), estimateUs: us(ms.estimate), queueUs: us(ms.queue), commitUs: us(ms.commit) }));
db.close();
rmSync(dir, { recursive: true, force: true });
