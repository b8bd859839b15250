// The UDP host's clock: a timer the event loop runs late gives the engine its due time (so a busy
// machine does not stretch an accelerated lab's schedules), never a time before one it already
// gave, and the clock itself after a long stall.
import { describe, expect, it } from 'vitest';
import type { Output } from '../../../src-main/core/ike/io.ts';
import { UdpHost } from '../../../src-main/node/ike/udp-host.ts';

function engine(due: number) {
  const ticks: number[] = [];
  return {
    ticks,
    e: {
      receive: () => {},
      tick: (now: number) => void ticks.push(now),
      nextDeadline: () => (ticks.length === 0 ? due : Infinity),
      drain: (): Output[] => [],
    },
  };
}

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // the event loop is blocked
  }
};

describe('UdpHost timers', () => {
  it('runs a late timer at its due time, within a second of real time', async () => {
    let now = 100;
    const { ticks, e } = engine(100.05);
    const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [], onEvent: () => {}, clock: () => now });
    await host.start();
    // The clock jumps 0.3 s past the deadline before the timer gets to run.
    now = 100.35;
    busy(80);
    await new Promise((r) => setTimeout(r, 120));
    expect(ticks).toEqual([100.05]);
    await host.close();
  });

  it('uses the clock after a stall longer than a second of real time (scaled)', async () => {
    let now = 100;
    const { ticks, e } = engine(100.05);
    const host = new UdpHost(e, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [], onEvent: () => {}, clock: () => now, timeScale: 10 });
    await host.start();
    now = 100 + 12; // 12 engine seconds at 10x: 1.2 s of real time late
    await new Promise((r) => setTimeout(r, 60));
    expect(ticks).toEqual([112]);
    expect(host.engineTime).toBe(112);
    await host.close();
  });
});
