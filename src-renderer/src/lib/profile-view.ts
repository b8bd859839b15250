/** A radio profile as rows of a parameter table, each with its source where the profile gives one. */
import type { RadioProfile } from '../../../src-main/contract.ts';
import { num } from './format.ts';

export interface ParamRow {
  group: string;
  name: string;
  value: string;
  source: string;
}

type Stage = RadioProfile['tail'][number];

function powerText(s: { powerMw?: number; drx?: Stage['drx']; paging?: Stage['paging'] }): string {
  if (s.powerMw !== undefined) return `${num(s.powerMw)} mW`;
  if (s.drx) return `DRX: ${num(s.drx.onPowerMw)} mW for ${num(s.drx.onDurationS * 1000)} ms every ${num(s.drx.cycleS * 1000)} ms, else ${num(s.drx.offPowerMw)} mW`;
  if (s.paging) return `paging: ${num(s.paging.powerMw)} mW for ${num(s.paging.durationS * 1000)} ms every ${num(s.paging.periodS)} s`;
  return '—';
}

export function profileRows(p: RadioProfile): ParamRow[] {
  const src = (key: string): string => {
    const hit = Object.entries(p.sources).find(([k]) => k === key || k.startsWith(key + '.'));
    return hit ? hit[1] : '';
  };
  const rows: ParamRow[] = [
    { group: 'Promotion', name: 'idle → connected', value: `${num(p.promotion.durationS)} s at ${num(p.promotion.powerMw)} mW`, source: src('promotion') },
  ];
  p.tail.forEach((s, i) => {
    const extra = [s.idleState ? 'idle-like (a packet here is a wakeup)' : '', s.promotion ? `leaving it costs ${num(s.promotion.durationS)} s at ${num(s.promotion.powerMw)} mW` : '', s.promoteAboveBytes ? `packets over ${s.promoteAboveBytes.uplink} B up / ${s.promoteAboveBytes.downlink} B down promote` : '']
      .filter(Boolean)
      .join('; ');
    rows.push({ group: `Tail stage ${i + 1}`, name: s.state, value: `${num(s.durationS)} s, ${powerText(s)}${extra ? `; ${extra}` : ''}`, source: src(`tail.${i}`) });
  });
  rows.push({ group: 'Idle', name: p.idle.state, value: powerText(p.idle), source: src('idle') });
  rows.push({ group: 'Transfer', name: 'uplink / downlink', value: `${num(p.transfer.uplinkMwPerMbps)} / ${num(p.transfer.downlinkMwPerMbps)} mW per Mbps`, source: src('transfer') });
  if (p.powerMultiplier !== 1) rows.push({ group: 'Scaling', name: 'power multiplier', value: `× ${p.powerMultiplier}`, source: src('powerMultiplier') });
  if (p.secondaryLegDelayS) rows.push({ group: 'Secondary leg', name: 'delay', value: `${num(p.secondaryLegDelayS)} s`, source: src('secondaryLegDelayS') });
  return rows;
}

export function tailSeconds(p: RadioProfile): number {
  return p.tail.filter((s) => !s.idleState).reduce((s, t) => s + t.durationS, 0);
}
