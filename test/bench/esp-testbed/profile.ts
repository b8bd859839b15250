/**
 * Where WakeLab's responder spent its CPU in the `esp-testbed` loads: the general summary of
 * ike/cpu-profile.ts (self time by source and by function), then the inclusive time of the
 * functions on the ESP receive path, from the socket callback to the virtual host.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeCpuProfile } from '../ike/cpu-profile.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Functions on the ESP path (as V8 names them), with where they live. */
const PATH: ReadonlyArray<[name: string, what: string]> = [
  ['onMessage', "node:dgram's socket callback (everything below runs inside it)"],
  ['receive', 'Gateway / DataPlane / VirtualHost receive (one name in V8)'],
  ['onEsp', 'Gateway.onEsp: data plane, DPD bookkeeping, virtual host'],
  ['openPeeked', 'EspChildSa.openPeeked: replay check, decrypt, window update'],
  ['openEsp', 'core/esp/open.ts: layout, ICV, decrypt, trailer'],
  ['decryptEsp', 'core/esp/open.ts'],
  ['espAlive', 'Responder.espAlive: DPD deadline per packet'],
  ['touch', 'deadline heap update per packet'],
  ['flush', 'UdpHost.flush: drain the engine, re-arm the timer'],
  ['arm', 'UdpHost.arm: clearTimeout + setTimeout per datagram'],
  ['nextDeadline', 'the engine\'s next deadline, per datagram'],
  ['pump', 'Gateway.pump: the Responder\'s output per datagram'],
  ['drain', 'engine drain per datagram'],
  ['setTimeout', 'timers'],
  ['clearTimeout', 'timers'],
];

function newest(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  return files[0] ? join(dir, files[0].f) : null;
}

export function summarizeEspProfile(dir: string): string {
  const path = newest(dir);
  if (!path) return `no .cpuprofile in ${dir}`;
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const parent = new Map<number, number>();
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  let busy = 0;
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    busy += us;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      if (!seen.has(name) && PATH.some(([n]) => n === name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
  }
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1)} %`.padStart(7);
  return [
    summarizeCpuProfile(dir, 25),
    'Inclusive time on the ESP path (share of busy time; a name V8 shares between classes is summed):',
    ...PATH.filter(([name]) => inclusive.has(name)).map(([name, what]) => `  ${pct(inclusive.get(name)!)}  ${name}: ${what}`),
  ].join('\n');
}
