import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src-main/core/policy/schema.ts';
import { PRESETS, rawResource } from '../../support/builtins.ts';

type Raw = { id: string; sources: Record<string, string>; client: Record<string, unknown>; gateway: Record<string, unknown> };

function leafPaths(v: unknown, prefix: string): string[] {
  if (v === null || typeof v !== 'object') return [prefix];
  return Object.entries(v).flatMap(([k, x]) => leafPaths(x, `${prefix}.${k}`));
}

describe('built-in presets', () => {
  it.each(PRESETS)('%s parses, and every client and gateway value has a source', (id) => {
    const raw = rawResource('presets', id) as Raw;
    const p = parsePolicy(raw);
    expect(p.id).toBe(id);
    const paths = [...leafPaths(raw.client, 'client'), ...leafPaths(raw.gateway, 'gateway')];
    expect(paths.filter((k) => !raw.sources[k])).toEqual([]);
  });

  it('client presets pair with a gateway whose DPD is off, unless the preset is about the gateway', () => {
    for (const id of PRESETS) {
      const p = parsePolicy(rawResource('presets', id));
      if (id === 'charon-dpd30') expect(p.gateway.dpdDelayS).toBe(30);
      else if (id !== 'battery-lean') expect(p.gateway.dpdDelayS).toBe(0);
    }
  });
});

describe('policy validation', () => {
  const reject = (client: Record<string, unknown>, field: RegExp, gateway: Record<string, unknown> = {}): void => {
    expect(() => parsePolicy({ id: 'x', name: 'x', client, gateway })).toThrow(field);
  };
  it('fills charon defaults for omitted fields', () => {
    const p = parsePolicy({ id: 'x', name: 'x' });
    expect(p.client.keepaliveS).toBe(20);
    expect(p.client.retransmit).toEqual({ timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 });
    expect(p.gateway.dpdDelayS).toBe(0);
  });
  it('rejects a negative interval', () => reject({ keepaliveS: -5 }, /policy "x": client\.keepaliveS: must be at least 0 \(got -5\)/));
  it('rejects 1000 retransmit tries', () => reject({ retransmit: { tries: 1000 } }, /client\.retransmit\.tries: must be at most 20 \(got 1000\)/));
  it('rejects fractional tries', () => reject({ retransmit: { tries: 2.5 } }, /client\.retransmit\.tries: must be a whole number/));
  it('rejects an unknown field', () => reject({ keepalive: 20 }, /client: unknown field "keepalive"/));
  it('rejects inexact alarms without a sleep interval', () => reject({ alarms: 'inexact' }, /client\.sleepIntervalS: inexact alarms need/));
  it('rejects an offloaded keepalive under 10 s', () => reject({ keepaliveOffload: true, keepaliveS: 5 }, /client\.keepaliveS: offloaded keepalives/));
  it('rejects rekey jitter not below the rekey time', () => reject({ childRekeyS: 100, childRekeyJitterS: 100 }, /client\.childRekeyJitterS/));
  it('rejects a bad gateway action', () => reject({}, /gateway\.dpdAction/, { dpdAction: 'explode' }));
  it('rejects tiny positive intervals that would flood the simulator', () => reject({ keepaliveS: 1e-300 }, /client\.keepaliveS: must be 0 \(off\) or at least 1 s/));
  it('rejects a missing id', () => expect(() => parsePolicy({ name: 'x' })).toThrow(/id/));
});
