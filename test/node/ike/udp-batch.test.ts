// Batched UDP receive (native/esp-crypto/src/udp_batch.c, src-main/node/ike/udp-batch.ts): every
// datagram arrives whole, with its source, in order, many per batch; a batch's views are reused, so
// the UDP host copies what an engine may keep; closing stops the reading and leaves sending alone.
// Without the addon these tests are skipped, except with WAKELAB_NATIVE_REQUIRED=1 (.ci/run).
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Endpoint, Output } from '../../../src-main/core/ike/io.ts';
import { loadEspAddon } from '../../../src-main/node/crypto/native-suite.ts';
import { attachBatchReceiver, type BatchReceiver } from '../../../src-main/node/ike/udp-batch.ts';
import { UdpHost } from '../../../src-main/node/ike/udp-host.ts';
import { cleanupAfterEach } from '../support/loopback.ts';

const available = loadEspAddon().ok && process.platform === 'linux';
const required = process.env.WAKELAB_NATIVE_REQUIRED === '1';
const cleanup = cleanupAfterEach();
/** The batch buffer's slot size (udp-batch.ts): a view's slot is its offset divided by this. */
const SLOT_BYTES = 65_536;
/** The addon's file, for a child process to load. */
const ADDON = available ? createRequire(import.meta.url).resolve('@wakelab/esp-crypto') : '';

it('batched receive is available where the addon is built (a failure with WAKELAB_NATIVE_REQUIRED=1)', () => {
  if (required) expect(available).toBe(true);
  else expect(typeof available).toBe('boolean');
});

async function bound(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
  cleanup(() => new Promise<void>((done) => s.close(() => done())));
  return s;
}

/** A socket bound to `port` (exclusive): rejects with EADDRINUSE while anything still holds it. */
async function rebind(port: number): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  cleanup(() => new Promise<void>((done) => s.close(() => done())));
  await new Promise<void>((ok, fail) => {
    s.once('error', fail);
    s.bind({ port, address: '127.0.0.1', exclusive: true }, ok);
  });
  return s;
}

/** Datagram `i` of a sender: its index in the first 4 octets, then a pattern, `size` octets in all. */
function datagram(i: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let j = 0; j < size; j++) b[j] = (i * 7 + j * 13) & 0xff;
  if (size >= 4) new DataView(b.buffer).setUint32(0, i);
  return b;
}

const until = async (what: string, ok: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe.skipIf(!available)('batched UDP receive', () => {
  it('delivers every datagram whole, with its source address and port, in order, many per batch', async () => {
    const rx = await bound();
    const a = await bound();
    const b = await bound();
    const got: Array<{ from: number; bytes: Uint8Array; slot: number }> = [];
    const r = attachBatchReceiver(rx, (bytes, address, port) => {
      expect(address).toBe('127.0.0.1');
      got.push({ from: port, bytes: bytes.slice(), slot: bytes.byteOffset / SLOT_BYTES });
    });
    if (typeof r === 'string') throw new Error(r);
    cleanup(() => r.close());
    const sizes = [1, 64, 1400, 9000, 65_507];
    const n = 300;
    const wave = 5;
    const to = rx.address().port;
    // In waves sent in one go, before the event loop turns: they wait in the socket and come in
    // batches. (A wave, at most one 64 KiB datagram, fits the default receive buffer.)
    for (let w = 0; w < n; w += wave) {
      for (let i = w; i < w + wave; i++) {
        a.send(datagram(i, 64), to, '127.0.0.1');
        b.send(datagram(i, sizes[i % sizes.length]!), to, '127.0.0.1');
      }
      await until(`wave ${w / wave + 1}`, () => got.length >= 2 * (w + wave));
    }
    for (const [sender, size] of [
      [a, (_i: number) => 64],
      [b, (i: number) => sizes[i % sizes.length]!],
    ] as const) {
      const mine = got.filter((g) => g.from === sender.address().port);
      expect(mine).toHaveLength(n);
      // Compared as Buffers: a deep toEqual of 64 KiB arrays takes seconds.
      const wrong = mine.flatMap((g, i) => (Buffer.from(g.bytes).equals(datagram(i, size(i))) ? [] : [i]));
      expect(wrong).toEqual([]);
    }
    // A batch fills slots 0, 1, 2, ...: each datagram in slot 0 starts one.
    const batches = got.filter((g) => g.slot === 0).length;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(got.length / 4);
  });

  it('stops reading when closed; the socket still sends', async () => {
    const rx = await bound();
    const peer = await bound();
    let count = 0;
    const r = attachBatchReceiver(rx, () => void count++) as BatchReceiver;
    expect(typeof r).toBe('object');
    peer.send(datagram(1, 10), rx.address().port, '127.0.0.1');
    await until('the first datagram', () => count === 1);
    r.close();
    r.close(); // twice is harmless
    peer.send(datagram(2, 10), rx.address().port, '127.0.0.1');
    const back = new Promise<Buffer>((ok) => peer.once('message', (m) => ok(m)));
    rx.send(Uint8Array.of(1, 2, 3), peer.address().port, '127.0.0.1');
    expect([...(await back)]).toEqual([1, 2, 3]);
    await new Promise((res) => setTimeout(res, 50));
    expect(count).toBe(1);
  });

  it('drops the rest of a batch once a datagram\'s handler closes the receiver', async () => {
    const rx = await bound();
    const peer = await bound();
    let count = 0;
    const r = attachBatchReceiver(rx, () => {
      if (++count === 3) r.close();
    }) as BatchReceiver;
    for (let i = 0; i < 10; i++) peer.send(datagram(i, 10), rx.address().port, '127.0.0.1');
    await until('three datagrams', () => count >= 3);
    await new Promise((res) => setTimeout(res, 50));
    expect(count).toBe(3);
  });

  it('keeps its descriptor out of child processes (the port is free after close, whatever runs on)', async () => {
    const e = { receive: () => {}, tick: () => {}, nextDeadline: () => Infinity, drain: (): Output[] => [] };
    const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [0], onEvent: () => {}, receive: 'batched' });
    const [port] = await host.start();
    const child = spawn('sleep', ['10'], { stdio: 'ignore' });
    cleanup(() => void child.kill());
    await host.close();
    expect((await rebind(port!)).address().port).toBe(port);
  });

  it('lets a Worker that still has a receiver open end without harm', () => {
    // In a child process: a crash there (the addon's callbacks run after it is unloaded) is an exit status, not this test's.
    const worker = [
      "const dgram = require('node:dgram');",
      `const addon = require(${JSON.stringify(ADDON)});`,
      "const s = dgram.createSocket('udp4');",
      "s.bind(0, '127.0.0.1', () => {",
      "  const st = s[Object.getOwnPropertySymbols(s).find((k) => k.description === 'state symbol')];",
      '  globalThis.h = addon.udpRecvOpen(st.handle.fd, new Uint8Array(64), new Int32Array(4), 1, () => {});',
      '  st.handle.recvStop();',
      "  require('node:worker_threads').parentPort.postMessage('open');",
      '});',
    ].join('\n');
    const code = [
      "const { Worker } = require('node:worker_threads');",
      `const w = new Worker(${JSON.stringify(worker)}, { eval: true });`,
      "w.on('message', () => w.terminate().then(() => console.log('terminated')));",
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 20_000 });
    expect({ status: r.status, signal: r.signal, out: r.stdout.trim() }, r.stderr).toEqual({ status: 0, signal: null, out: 'terminated' });
  });
});

describe.skipIf(!available)('UdpHost with batched receive', () => {
  /** An engine that keeps every datagram it is given, lent or not as `transient` says. */
  function keeper(transient: boolean | undefined) {
    const kept: Uint8Array[] = [];
    const e = {
      receive: (_now: number, d: Uint8Array, _from: Endpoint, _to: Endpoint) => void kept.push(d),
      tick: () => {},
      nextDeadline: () => Infinity,
      drain: (): Output[] => [],
      ...(transient === undefined ? {} : { transient: () => transient }),
    };
    return { kept, e };
  }

  it.each([
    ['without transient', undefined],
    ['when transient says false', false],
  ] as const)('hands the engine copies %s, so what it keeps stays intact', async (_t, transient) => {
    const { kept, e } = keeper(transient);
    const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [0], onEvent: () => {}, receive: 'batched' });
    const [port] = await host.start();
    cleanup(() => host.close());
    expect(host.receivePath).toEqual({ name: 'batched' });
    const peer = await bound();
    for (let i = 0; i < 200; i++) peer.send(datagram(i, 40 + (i % 50)), port!, '127.0.0.1');
    await until('200 datagrams', () => kept.length >= 200);
    kept.forEach((d, i) => expect(d).toEqual(datagram(i, 40 + (i % 50))));
    expect(new Set(kept.map((d) => d.buffer)).size).toBe(200);
  });

  it('lends views of its buffer to an engine that keeps nothing (transient)', async () => {
    const seen: Array<{ buffer: ArrayBufferLike; first: number }> = [];
    const e = {
      receive: (_now: number, d: Uint8Array) => void seen.push({ buffer: d.buffer, first: new DataView(d.buffer, d.byteOffset).getUint32(0) }),
      transient: () => true,
      tick: () => {},
      nextDeadline: () => Infinity,
      drain: (): Output[] => [],
    };
    const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [0], onEvent: () => {}, receive: 'batched' });
    const [port] = await host.start();
    cleanup(() => host.close());
    const peer = await bound();
    for (let i = 0; i < 100; i++) peer.send(datagram(i, 64), port!, '127.0.0.1');
    await until('100 datagrams', () => seen.length >= 100);
    expect(seen.map((s) => s.first)).toEqual([...Array(100).keys()]);
    expect(new Set(seen.map((s) => s.buffer)).size).toBe(1);
  });

  it('frees its port once close() resolves', async () => {
    const { e } = keeper(true);
    const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [0], onEvent: () => {}, receive: 'batched' });
    const [port] = await host.start();
    expect(host.receivePath).toEqual({ name: 'batched' });
    await host.close();
    // The receiver's duplicate of the descriptor must be gone too, or the socket (and its port) lives on.
    expect((await rebind(port!)).address().port).toBe(port);
  });

  it('reads with node:dgram when asked to, or by default', async () => {
    for (const receive of ['dgram', undefined] as const) {
      const { kept, e } = keeper(true);
      const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [0], onEvent: () => {}, ...(receive ? { receive } : {}) });
      const [port] = await host.start();
      cleanup(() => host.close());
      expect(host.receivePath).toEqual({ name: 'dgram' });
      const peer = await bound();
      peer.send(datagram(5, 30), port!, '127.0.0.1');
      await until('one datagram', () => kept.length === 1);
      expect(kept[0]).toEqual(datagram(5, 30));
    }
  });
});
