// Shared inputs for the store tests: temp folders and realistic runs from the shipped resources.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePolicy, type Policy } from '../../../src-main/core/policy/schema.ts';
import { parseRadioProfile, type RadioProfile } from '../../../src-main/core/radio/profile.ts';
import { parseScenario, type Scenario } from '../../../src-main/core/sim/scenario.ts';
import { simulate } from '../../../src-main/core/sim/simulator.ts';
import type { RunInput } from '../../../src-main/node/store/records.ts';

const resources = path.resolve(import.meta.dirname, '../../../resources');
const readJson = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(resources, rel), 'utf8'));

/** A fresh temp folder; remove it with `cleanup`. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wakelab-store-'));
}

export function cleanup(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const policies: Policy[] = ['charon-dpd30', 'battery-lean'].map((id) => parsePolicy(readJson(`presets/${id}.json`)));
export const radio: RadioProfile = parseRadioProfile(readJson('radio-profiles/lte.json'));
// Two simulated hours keep the tests quick and still give a few hundred wakeups.
export const scenario: Scenario = parseScenario({ ...(readJson('scenarios/idle.json') as object), durationS: 7200 });

/** A recorded simulate run of `policy` on LTE, idle, seed 1. */
export function runInput(policy: Policy = policies[0]!): RunInput {
  const { metrics, wakeups } = simulate(policy, radio, scenario, { seed: 1, record: true });
  return { kind: 'simulate', policy, radio, scenario, seed: 1, overrides: [], metrics, wakeups, version: '0.1.0-test' };
}
