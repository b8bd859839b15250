/** Each fleet group's policy: a preset id, or a policy file relative to the fleet file's folder. */
import { resolve } from 'node:path';
import type { FleetConfig } from '../../core/fleet/fleet-config.ts';
import type { Policy } from '../../core/policy/schema.ts';
import type { Catalog } from '../catalog.ts';

export function fleetPolicies(catalog: Catalog, cfg: FleetConfig, dir: string): Map<string, Policy> {
  const out = new Map<string, Policy>();
  for (const g of cfg.groups) {
    const ref = g.policy.endsWith('.json') || g.policy.includes('/') ? resolve(dir, g.policy) : g.policy;
    out.set(g.name, catalog.get('policy', ref).value);
  }
  return out;
}
