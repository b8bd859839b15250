/** Loads the shipped radio profiles, presets and scenarios the benchmark runs on. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePolicy, type Policy } from '../../src-main/core/policy/schema.ts';
import { parseRadioProfile, type RadioProfile } from '../../src-main/core/radio/profile.ts';
import { parseScenario, type Scenario } from '../../src-main/core/sim/scenario.ts';

export const RESOURCES = fileURLToPath(new URL('../../resources/', import.meta.url));

export function readJson(rel: string): unknown {
  return JSON.parse(readFileSync(join(RESOURCES, rel), 'utf8'));
}

export function loadRadio(id: string): RadioProfile {
  return parseRadioProfile(readJson(`radio-profiles/${id}.json`), `radio profile ${id}`);
}

export function loadScenario(id: string): Scenario {
  return parseScenario(readJson(`scenarios/${id}.json`), `scenario ${id}`);
}

export function presetIds(): string[] {
  return readdirSync(join(RESOURCES, 'presets'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadPreset(id: string): Policy {
  return parsePolicy(readJson(`presets/${id}.json`), `preset ${id}`);
}
