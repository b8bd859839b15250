// A client's radio states over the last minutes, from its meter's recent datagrams.
import { describe, expect, it } from 'vitest';
import { ClientMeter } from '../../../src-main/core/live/client-meter.ts';
import { liveTimeline } from '../../../src-main/core/live/live-timeline.ts';
import { radioProfile } from '../../support/builtins.ts';

describe('liveTimeline', () => {
  it('draws the window ending now, with a tail begun before it and the packets inside it', () => {
    const m = new ClientMeter('phone', radioProfile('lte'), 0);
    m.packet(995, true, 29, 'keepalive'); // 5 s before the window: its tail runs into it
    m.packet(1070, true, 29, 'keepalive');
    const tl = liveTimeline(m, 1100, 100); // the window is [1000, 1100]
    expect(tl.untilS).toBe(100);
    expect(tl.packets.map((p) => [p.tS, p.cause])).toEqual([[70, 'keepalive']]);
    const at = (t: number) => tl.segments.find((s) => s.startS <= t && t < s.endS)!.state;
    expect(at(0)).not.toBe('RRC_IDLE'); // still in the earlier keepalive's tail
    expect(at(50)).toBe('RRC_IDLE');
    expect(at(71)).not.toBe('RRC_IDLE');
    expect(tl.segments[0]!.startS).toBe(0);
    expect(tl.segments.at(-1)!.endS).toBeCloseTo(100, 9);
    for (let i = 1; i < tl.segments.length; i++) expect(tl.segments[i]!.startS).toBeCloseTo(tl.segments[i - 1]!.endS, 9);
  });
});
