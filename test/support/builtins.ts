/** Loads built-in resources for tests. */
import { readFileSync } from 'node:fs';
import { parsePolicy, type Policy } from '../../src-main/core/policy/schema.ts';
import { parseRadioProfile, type RadioProfile } from '../../src-main/core/radio/profile.ts';
import { parseScenario, type Scenario } from '../../src-main/core/sim/scenario.ts';

const RES = new URL('../../resources/', import.meta.url);

export function rawResource(folder: string, id: string): unknown {
  return JSON.parse(readFileSync(new URL(`${folder}/${id}.json`, RES), 'utf8'));
}
export const radioProfile = (id: string): RadioProfile => parseRadioProfile(rawResource('radio-profiles', id));
export const preset = (id: string): Policy => parsePolicy(rawResource('presets', id));
export const scenario = (id: string, patch: Partial<Scenario> = {}): Scenario => ({ ...parseScenario(rawResource('scenarios', id)), ...patch });

export const PRESETS = ['strongswan-android', 'charon-dpd30', 'android-ike', 'android-offload', 'ios-dpd-low', 'ios-dpd-medium', 'ios-dpd-high', 'battery-lean'];
export const PROFILES = ['lte', 'lte-5s-tail', 'lte-11.6s-tail', 'nr-nsa', 'nr-nsa-mmwave', 'nr-sa', 'umts', 'wifi'];
export const SCENARIOS = ['idle', 'periodic-push', 'interactive', 'client-vanishes', 'gateway-vanishes', 'gateway-restarts', 'nat-rebinds'];

/** A policy built from the charon defaults with a patch (client and gateway merged shallowly). */
export function policyWith(patch: { client?: Record<string, unknown>; gateway?: Record<string, unknown> }): Policy {
  return parsePolicy({ id: 'test', name: 'test', client: patch.client ?? {}, gateway: patch.gateway ?? {} });
}
