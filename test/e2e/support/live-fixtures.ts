/**
 * A user lab and fleet template for the Live view's e2e test, on ports found free just before
 * (test/support/ports.ts), so the test never meets a running charon or another WakeLab on the
 * built-in loopback lab's 10500/14500 or the built-in fleet's 30000+. They are the built-ins
 * (resources/labs/loopback.json, resources/fleets/four-policies.json) with those ports.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './serve.ts';

export const LIVE_LAB = 'e2e-loopback';
export const LIVE_FLEET = 'e2e-four-policies';
/** UDP ports the fixtures use from their base: the responder's two, then one per client. */
export const LIVE_PORTS = 2 + 20;

const builtin = (folder: string, id: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, 'resources', folder, `${id}.json`), 'utf8'));

export function writeLiveFixtures(dataDir: string, base: number): void {
  const lab = builtin('labs', 'loopback') as { responder: { listen: Record<string, unknown> } } & Record<string, unknown>;
  lab.name = 'Loopback lab, 60x (test ports)';
  lab.description = `The built-in loopback lab on ports ${base}/${base + 1}, found free for this test: every client on LTE, at 60 times real time.`;
  lab.responder.listen = { address: '127.0.0.1', ikePort: base, nattPort: base + 1 };
  const fleet = builtin('fleets', 'four-policies');
  delete fleet.lab;
  fleet.name = 'Four policies x 5 clients (test ports)';
  fleet.description = `${fleet.description as string} Client ports from ${base + 2}.`;
  fleet.local = { address: '127.0.0.1', firstPort: base + 2 };
  // Everyone up within half a real second at 60x.
  fleet.startWithinS = 30;
  mkdirSync(join(dataDir, 'labs'), { recursive: true });
  mkdirSync(join(dataDir, 'fleets'), { recursive: true });
  writeFileSync(join(dataDir, 'labs', `${LIVE_LAB}.json`), JSON.stringify(lab, null, 2));
  writeFileSync(join(dataDir, 'fleets', `${LIVE_FLEET}.json`), JSON.stringify(fleet, null, 2));
}
