// The background-traffic model: the phone's own traffic the gateway does not see shares the radio
// with the tunnel, so a tunnel packet in its tail wakes nothing; its own wakeups are `data`.
import { describe, expect, it } from 'vitest';
import { ClientMeter } from '../../../src-main/core/live/client-meter.ts';
import { radioProfile } from '../../support/builtins.ts';

const LTE = radioProfile('lte');

describe('background traffic', () => {
  it('absorbs a keepalive that falls in its tail, and is charged to data', () => {
    const alone = new ClientMeter('phone', LTE, 0);
    const withBg = new ClientMeter('phone', LTE, 0, { everyS: 60, bytes: 300 });
    // A keepalive 5 s after the background datagram at 60 s (the LTE tail lasts about 10 s).
    alone.packet(65, true, 29, 'keepalive');
    expect(alone.advance(65).opened.map((w) => w.cause)).toEqual(['keepalive']);
    withBg.packet(65, true, 29, 'keepalive');
    expect(withBg.advance(65).opened).toEqual([{ client: 'phone', n: 0, t: 60, cause: 'data', stateLeft: 'RRC_IDLE' }]);
    const t = withBg.totals(65);
    expect(t.wakeups.keepalive).toBe(0);
    expect(t.wakeups.data).toBe(1);
    expect(t.packetsIn).toBe(1); // the background is not the tunnel's traffic
  });

  it('opens its wakeups on its own as time passes, reported by advance with their energy later', () => {
    const m = new ClientMeter('phone', LTE, 0, { everyS: 60, bytes: 300 });
    const a = m.advance(130);
    expect(a.opened.map((w) => [w.n, w.t, w.cause])).toEqual([
      [0, 60, 'data'],
      [1, 120, 'data'],
    ]);
    expect(a.closed.map((c) => c.n)).toEqual([0]); // the second tail is still running at 130
    const b = m.advance(200);
    expect(b.opened.map((w) => w.t)).toEqual([180]);
    expect(b.closed.map((c) => c.n)).toEqual([1, 2]); // 180's tail ended by 200 too
    expect(m.totals(200).wakeupsPerHour.data).toBeCloseTo(3 / (200 / 3600), 6);
  });
});
