// Smoke test of the ESP benchmark (test/bench/esp-bench.ts, test/bench/esp/): every case carries
// its packet through the full data path and through the bare cipher calls and gets it back, the
// measuring code gives sane numbers on tiny runs, and the openssl reader copes with both output
// forms and a missing binary. No timing assertions: `npm run bench -- --only=esp` measures.
import { describe, expect, it } from 'vitest';
import { espReport, measureCase, runEspBench, summarizeCase, type EspBenchConfig } from '../esp-bench.ts';
import { GcCounter, forceGc } from '../memory.ts';
import { BACKENDS, BENCH_CIPHERS, INNER_SIZES, makeCase, makeFramingCase } from './cases.ts';
import { opensslSpeed, parseSpeed } from './openssl-speed.ts';

const TINY: EspBenchConfig = { warmupMs: 1, rounds: 2, headlineRounds: 3, roundMs: 1, probePackets: 8, probeRounds: 1, openssl: false };

const same = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && a.length === b.length && a.every((x, i) => x === b[i]);

describe('ESP bench cases', () => {
  for (const backend of BACKENDS) {
    for (const cipher of BENCH_CIPHERS) {
      it(`${backend} ${cipher.name}: both paths give the packet back`, () => {
        for (const size of INNER_SIZES) {
          const c = makeCase(backend, cipher, size);
          expect(c.inner.length).toBe(size);
          expect(c.inner[0]).toBe(0x45); // IPv4, 20-octet header
          expect(c.inner[9]).toBe(17); // UDP
          expect(c.textBytes % 4).toBe(0);
          expect(c.textBytes).toBeGreaterThanOrEqual(size + 2);
          expect(c.espBytes).toBeGreaterThan(c.textBytes);
          expect(c.full(3)).toBe(3 * size);
          expect(same(c.lastFull(), c.inner)).toBe(true);
          expect(Number.isFinite(c.bare(3))).toBe(true);
          expect(same(c.lastBare(), c.bareText)).toBe(true);
        }
      });
    }
  }

  it('the framing-only case (no crypto) gives the packet back', () => {
    for (const size of INNER_SIZES) {
      const c = makeFramingCase(size);
      expect(c.full(3)).toBe(3 * size);
      expect(same(c.lastFull(), c.inner)).toBe(true);
    }
  });

  it('a case keeps its sequence numbers going over many packets (no replay drop)', () => {
    const c = makeCase('node', BENCH_CIPHERS[0]!, 64);
    expect(c.full(300)).toBe(300 * 64);
  });
});

describe('ESP bench measuring code', () => {
  it('gives positive, finite figures for one case', async () => {
    const gcs = new GcCounter();
    try {
      const r = await measureCase(makeCase('node', BENCH_CIPHERS[0]!, 64), TINY, forceGc(), gcs);
      expect(r.full.nsPerPacket).toHaveLength(TINY.headlineRounds);
      expect(r.bare.nsPerPacket).toHaveLength(TINY.headlineRounds);
      for (const x of [...r.full.nsPerPacket, ...r.bare.nsPerPacket, ...r.full.cpuNsPerPacket, ...r.bare.cpuNsPerPacket]) {
        expect(Number.isFinite(x)).toBe(true);
        expect(x).toBeGreaterThanOrEqual(0);
      }
      expect(r.full.nsPerPacket.every((x) => x > 0)).toBe(true);
      expect(r.full.packets.every((n) => n >= 1)).toBe(true);
      const s = summarizeCase(r);
      expect(Number.isFinite(s.overhead)).toBe(true);
      expect(s.fullPps).toBeGreaterThan(0);
      expect(s.fullMBps).toBeGreaterThan(0);
      for (const x of [r.full.heapPerPacket, r.bare.heapPerPacket]) if (x !== null) expect(Number.isFinite(x)).toBe(true);
    } finally {
      gcs.stop();
    }
  });

  it('a whole tiny run reports every case and the goal rows (two per backend it measures against node:crypto)', async () => {
    const r = await runEspBench(TINY);
    expect(r.cases).toHaveLength(BACKENDS.length * BENCH_CIPHERS.length * INNER_SIZES.length);
    expect(r.framing.map((f) => f.innerBytes)).toEqual([...INNER_SIZES]);
    expect(r.openssl).toBeNull();
    const rep = espReport(r, TINY);
    const native = BACKENDS.includes('native');
    expect(rep.goals).toHaveLength(native ? 4 : 2);
    for (const g of rep.goals) {
      expect(g[0]).toMatch(/(node|native) AES-GCM-16-128.*, (64|1400) B/);
      expect(['MET', 'NOT MET']).toContain(g[3]);
    }
    // The native rows carry node:crypto's bare calls, timed in the same rounds.
    for (const c of r.cases) expect(c.nodeBare !== undefined, c.name).toBe(c.backend === 'native');
    if (native) expect(rep.lines.join('\n')).toContain('native full / node bare');
    const text = rep.lines.join('\n');
    expect(text).toContain('AES-CBC-128 + HMAC-SHA2-256-128');
    expect(text).toContain('ChaCha20-Poly1305');
    expect(text).not.toMatch(/NaN|Infinity/);
  }, 60_000);
});

describe('openssl speed reader', () => {
  it('reads the machine-readable output', () => {
    const out = ['+DT:AES-128-GCM:1:1408', '+R:1085066:AES-128-GCM:1.000000', '+H:1408', '+F:25:AES-128-GCM:1527772928.00'].join('\n');
    expect(parseSpeed(out, 'aes-128-gcm')).toEqual({ sizes: [1408], bytesPerS: [1527772928] });
  });

  it('reads the table output, in thousands of bytes per second', () => {
    const out = [
      "The 'numbers' are in 1000s of bytes per second processed.",
      'type             16 bytes     64 bytes    256 bytes   1024 bytes   8192 bytes  16384 bytes',
      'AES-128-GCM     500000.00k   900000.00k  1100000.00k  1200000.00k  1300000.00k  1310000.00k',
    ].join('\n');
    const p = parseSpeed(out, 'aes-128-gcm');
    expect(p?.sizes).toEqual([16, 64, 256, 1024, 8192, 16384]);
    expect(p?.bytesPerS[3]).toBe(1_200_000_000);
  });

  it('says why instead of throwing when there is no binary or no figure', () => {
    const r = opensslSpeed('aes-128-gcm', 1408, [], 'wakelab-no-such-openssl');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.why).toMatch(/no wakelab-no-such-openssl binary/);
    expect(parseSpeed('nothing here', 'aes-128-gcm')).toBeNull();
  });
});
