/**
 * `--set KEY=VALUE` overrides: one field of the policy, scenario or radio profile for one run,
 * e.g. `policy.client.keepaliveS=600` or `scenario.natTimeoutS=30`. The value is read as JSON
 * when it parses (numbers, true/false, quoted strings, objects), else as a plain string. The
 * result is validated again by the caller, so an override can never produce an invalid run.
 */
import { WakeLabError } from './errors.ts';

export type OverrideTarget = 'policy' | 'scenario' | 'radio';
export interface Override {
  target: OverrideTarget;
  path: string[];
  value: unknown;
  text: string;
}

const TARGETS: readonly OverrideTarget[] = ['policy', 'scenario', 'radio'];

/** Parses one `KEY=VALUE`; `allowed` restricts the targets (compare takes scenario and radio only). */
export function parseOverride(text: string, allowed: readonly OverrideTarget[] = TARGETS): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new WakeLabError('INVALID_OVERRIDE', `--set ${text}: expected KEY=VALUE, e.g. policy.client.keepaliveS=600`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  const [target, ...path] = key.split('.');
  if (!allowed.includes(target as OverrideTarget) || path.length === 0 || path.some((p) => p === '')) {
    throw new WakeLabError('INVALID_OVERRIDE', `--set ${text}: the key must start with ${allowed.map((a) => `"${a}."`).join(' or ')}`);
  }
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string, e.g. alarms=inexact
  }
  return { target: target as OverrideTarget, path, value, text };
}

/**
 * Applies the overrides for `target` to a copy of `full` (the object with every default filled
 * in, so defaulted fields can be set too). An unknown key is an error that names the known ones.
 */
export function applyOverrides<T>(target: OverrideTarget, full: T, overrides: readonly Override[]): T {
  const mine = overrides.filter((o) => o.target === target);
  if (mine.length === 0) return full;
  const copy = structuredClone(full) as unknown;
  for (const o of mine) {
    let node = copy as Record<string, unknown>;
    for (let i = 0; i < o.path.length; i++) {
      const key = o.path[i]!;
      const last = i === o.path.length - 1;
      const isArray = Array.isArray(node);
      const known = node !== null && typeof node === 'object' && (isArray ? /^\d+$/.test(key) && Number(key) < (node as unknown as unknown[]).length : Object.hasOwn(node, key));
      if (!known) {
        const where = [target, ...o.path.slice(0, i)].join('.');
        const keys = leafKeys(node, where).slice(0, 40);
        throw new WakeLabError(
          'INVALID_OVERRIDE',
          `--set ${o.text}: unknown key "${[target, ...o.path].join('.')}"; known keys: ${keys.join(', ') || '(none)'}`,
        );
      }
      if (last) node[key] = o.value;
      else node = node[key] as Record<string, unknown>;
    }
  }
  return copy as T;
}

function leafKeys(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  if (prefix.endsWith('.sources')) return [`${prefix}.*`];
  return Object.entries(value).flatMap(([k, v]) => leafKeys(v, `${prefix}.${k}`));
}
