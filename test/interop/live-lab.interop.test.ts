// `wakelab lab` (the responder with the live radio estimator, docs/lab.md) in the gateway
// namespace with a real charon client behind the NAT (docs/interop.md). charon's NAT-T keepalives,
// the responder's DPDs and charon's rekeys are each spaced more than an LTE tail apart, so each
// opens a radio wakeup of its own; the lab must log them with the right causes, record them in its
// session, and the count must equal the one a fresh RadioModel derives from a tshark capture of
// the same session at the gateway's interface, classified by tshark's dissectors alone
// (support/tshark-wakeups.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cause } from '../../src-main/core/causes.ts';
import { radioProfile } from '../support/builtins.ts';
import { Capture } from './support/capture.ts';
import { Charon, CLIENT_ID, clientConfig, GATEWAY_ID, TEST_PSK } from './support/charon.ts';
import { IFACE, NET, Topology } from './support/netns.ts';
import { assertPrereq, suiteGate } from './support/prereq.ts';
import { pollFor, run, sleep, type Tracked } from './support/proc.ts';
import { causeOfClass, countByCause, EXCHANGE, modelWakeups, tailAfterWakeupS, wireDatagrams, type WireDatagram } from './support/tshark-wakeups.ts';
import { Workdir } from './support/workdir.ts';

const gate = suiteGate();
const BIN = fileURLToPath(new URL('../../bin/wakelab.js', import.meta.url));

/**
 * The schedule. charon sends a keepalive once it has sent nothing for KEEPALIVE_S; it checks in
 * whole seconds of its monotonic clock, so a keepalive leaves between KEEPALIVE_S - 1 and
 * KEEPALIVE_S + 1 after its last packet (seen: 2.03 s after a DPD answer with keep_alive 3 s).
 * The responder sends a DPD DPD_S after the last authenticated packet from charon (keepalives do
 * not count), and charon's answer restarts charon's keepalive timer. So after each exchange E
 * (setup, DPD, rekey): a keepalive at E+16..18, the DPD at E+31 (13-15 s after the keepalive),
 * and the next keepalive no earlier than E+33 (DPD+2). The test starts each rekey REKEY_AFTER_S
 * after the wakeup before it. The LTE tail after a lone packet is 10.38 s (promotion 0.26 s + tail
 * 10.12 s, resources/radio-profiles/lte.json), so every gap between events is at least 2.6 s longer
 * than that: no packet lands near a tail's end, which the test checks on the capture (moving every
 * gap by 1 s either way changes nothing).
 */
const KEEPALIVE_S = 17;
const DPD_S = 31;
const REKEY_AFTER_S = 13;
/** The wakeups, in order: setup, then two rounds of keepalive, DPD and a rekey (CHILD_SA, then IKE_SA). */
const EXPECTED: Cause[] = ['reconnect', 'keepalive', 'dpd', 'rekey', 'keepalive', 'dpd', 'rekey'];
/**
 * Lab time is when the lab's event loop handled a datagram (in) or decided to send it (out,
 * before its encryption); the capture's time is the kernel's at gw0. With the first datagram of
 * each aligned, they differ by that latency: milliseconds (about 9 ms for an IKE_SA_INIT answer,
 * whose DH runs in between). Wakeup and packet times are compared within this; counts need none.
 */
const CLOCK_TOLERANCE_S = 0.25;

interface Setup {
  work: Workdir;
  topo: Topology;
  capture: Capture;
  lab: Tracked;
  log: string;
  db: string;
  cli: Charon;
  env: NodeJS.ProcessEnv;
}

type Line = Record<string, unknown>;
interface WakeupLine {
  kind: 'wakeup';
  t: number;
  client: string;
  n: number;
  cause: Cause;
  stateLeft: string;
}

/** The JSON lines `wakelab lab --json-log` wrote so far. */
function lines(s: Setup): Line[] {
  return readFileSync(s.log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

const wakeups = (s: Setup): WakeupLine[] => lines(s).filter((e): e is Line & WakeupLine => e.kind === 'wakeup' && e.client === CLIENT_ID);

async function start(label: string): Promise<Setup> {
  const work = new Workdir(label);
  // The NAT keeps a mapping longer than the longest silence (a keepalive interval).
  const topo = await Topology.create({ natUdpTimeoutS: 60 });
  const capture = await Capture.start(topo, 'gw', IFACE.gw, work.file('gw0.pcapng'));
  const cfg = work.file('lab.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      responder: {
        listen: { address: NET.gw, ikePort: 500, nattPort: 4500 },
        localId: GATEWAY_ID,
        secrets: [{ id: CLIENT_ID, psk: TEST_PSK }],
        ike: { proposals: ['aes128-sha256-prfsha256-curve25519'] },
        esp: { proposals: ['aes128-sha256'] },
        pool: NET.vipPool,
        localTs: [NET.protectedNet],
        dpd: { delayS: DPD_S },
      },
      radio: 'lte',
      clients: {},
      commitEveryS: 0.25,
      timeScale: 1,
    }),
  );
  const log = work.file('lab.log');
  const db = work.file('lab.db');
  // Its own (empty) data directory: the lab's radio profiles are then the built-in ones, whatever
  // the machine's user has in ~/.config/wakelab/radio-profiles.
  const env = { ...process.env, XDG_CONFIG_HOME: work.file('config') };
  const lab = topo.spawn('gw', 'wakelab lab', [process.execPath, BIN, '--db', db, 'lab', '--config', cfg, '--json-log', '--verbose', '--totals-every', '0'], log, env);
  await pollFor('wakelab lab listening', 20_000, () => {
    if (!lab.running) throw new Error(`wakelab lab exited at start (${JSON.stringify(lab.exit)}):\n${readFileSync(log, 'utf8')}`);
    return readFileSync(log, 'utf8').includes('"listening"') ? true : undefined;
  });
  const c = clientConfig({ keepAlive: `${KEEPALIVE_S}s`, proposals: 'aes128-sha256-x25519', espProposals: 'aes128-sha256', dpdDelay: '0s' });
  const cli = await Charon.start(topo, { name: 'cli', role: 'cli', parentDir: work.path, settings: c.settings });
  await cli.load(c.swanctl);
  return { work, topo, capture, lab, log, db, cli, env };
}

/** `wakelab --db <db> <args>` in the host namespace, bounded; its stdout. */
async function wakelab(s: Setup, args: string[]): Promise<string> {
  return (await run([process.execPath, BIN, '--db', s.db, ...args], { timeoutMs: 30_000, env: s.env })).stdout;
}

describe.skipIf(gate.skip)(`wakelab lab with a charon client: radio wakeups by cause, checked against a tshark capture${gate.label}`, () => {
  let s: Setup | undefined;
  afterEach(async (ctx) => {
    if (!s) return;
    if (ctx.task.result?.state === 'fail') s.work.markFailed(ctx.task.name);
    await s.topo.teardown();
    s.work.finish();
    s = undefined;
  });

  it("logs charon's keepalives, the DPDs and the rekeys as wakeups of their own, as many as a RadioModel finds in the capture", async () => {
    assertPrereq();
    const profile = radioProfile('lte');
    const tail = tailAfterWakeupS(profile);
    // The schedule above keeps every gap well clear of the tail's end (if the profile changes, so must it).
    expect(KEEPALIVE_S - 1 - tail).toBeGreaterThan(1.5);
    expect(DPD_S - (KEEPALIVE_S + 1) - tail).toBeGreaterThan(1.5);
    expect(REKEY_AFTER_S - tail).toBeGreaterThan(1.5);
    expect(KEEPALIVE_S - 1 - REKEY_AFTER_S).toBeGreaterThan(1.5);

    s = await start('live-lab');
    const lab = s;
    const seen: number[] = [];
    /** Waits for wakeup #n of the client (bounded) and checks its cause; notes when it was seen. */
    const wakeup = async (n: number, withinS: number): Promise<WakeupLine> => {
      const w = await pollFor(`radio wakeup #${n} (${EXPECTED[n]})`, withinS * 1000, () => wakeups(lab)[n]);
      seen[n] = performance.now();
      expect(w.cause, `wakeup #${n}: ${JSON.stringify(wakeups(lab))}`).toBe(EXPECTED[n]);
      return w;
    };
    const rekeyAfter = async (n: number): Promise<void> => {
      await sleep(Math.max(0, seen[n]! + REKEY_AFTER_S * 1000 - performance.now()));
    };

    await lab.cli.initiate('home', { timeoutS: 15 });
    await wakeup(0, 5);
    for (const round of [0, 1]) {
      const base = 1 + round * 3;
      await wakeup(base, KEEPALIVE_S + 4);
      await wakeup(base + 1, DPD_S - KEEPALIVE_S + 4);
      await rekeyAfter(base + 1);
      const mark = lines(lab).length;
      if (round === 0) {
        await lab.cli.swanctl(['--rekey', '--child', 'home']);
        await pollFor('the CHILD_SA rekeyed', 10_000, () => lines(lab).slice(mark).find((e) => e.kind === 'child-up' && e.rekeyOf !== null));
      } else {
        await lab.cli.swanctl(['--rekey', '--ike', 'home']);
        await pollFor('the old IKE_SA deleted after the rekey', 10_000, () => lines(lab).slice(mark).find((e) => e.kind === 'ike-down' && e.reason === 'rekeyed'));
      }
      await wakeup(base + 2, 5);
    }
    // Nothing is due for another 14 s (a keepalive); stop now, so the capture holds exactly the
    // lab's session. SIGTERM cuts the running tail and commits the rest.
    await sleep(1000);
    const stopped = await lab.lab.stop(10_000, 2000);
    expect(stopped, readFileSync(lab.log, 'utf8').slice(-2000)).toEqual({ stopped: true, killed: false });
    expect(lab.lab.exit).toEqual({ code: 0, signal: null });
    await lab.capture.stop();

    // 1. The lab's log: exactly the schedule's wakeups, each leaving RRC_IDLE, none but this client's.
    const logged = wakeups(lab);
    expect(logged.map((w) => w.cause)).toEqual(EXPECTED);
    expect(logged.map((w) => w.n)).toEqual(EXPECTED.map((_, i) => i));
    expect(new Set(logged.map((w) => w.stateLeft))).toEqual(new Set(['RRC_IDLE']));
    expect(lines(lab).filter((e) => e.kind === 'wakeup' && e.client !== CLIENT_ID)).toEqual([]);
    expect(lines(lab).find((e) => e.kind === 'stopped')).toMatchObject({ wakeups: EXPECTED.length });

    // 2. The session in the database says the same.
    const sessions = JSON.parse(await wakelab(lab, ['sessions', 'list', '--json'])) as Array<{ id: number; client: string; radioId: string; packets: number; wakeups: number; totals: { wakeups: Record<Cause, number> } }>;
    expect(sessions.map((x) => x.client)).toEqual([CLIENT_ID]);
    const session = sessions[0]!;
    expect(session).toMatchObject({ radioId: 'lte', wakeups: EXPECTED.length });
    expect(session.totals.wakeups).toMatchObject(countByCause(EXPECTED));
    const shown = JSON.parse(await wakelab(lab, ['sessions', 'show', String(session.id), '--json'])) as { wakeups: Array<{ n: number; tS: number; cause: Cause; stateLeft: string; energyJ: number | null }> };
    expect(shown.wakeups.map((w) => [w.n, w.cause, Math.round(w.tS * 1000) / 1000])).toEqual(logged.map((w) => [w.n, w.cause, w.t]));
    // Every tail ended or was cut at the stop: each wakeup has its energy.
    expect(shown.wakeups.every((w) => typeof w.energyJ === 'number' && w.energyJ > 0)).toBe(true);

    // 3. Independently: tshark's view of the same datagrams, through a fresh RadioModel.
    const wire = await wireDatagrams(lab.capture.path, NET.gw);
    // One IKE_SA_INIT exchange, keepalives only from the client, nothing tshark could not place.
    expect(wire.filter((d) => d.kind === 'other' || d.cls === 'invalid')).toEqual([]);
    expect(wire.filter((d) => d.exchange === EXCHANGE.IKE_SA_INIT).map((d) => d.dir)).toEqual(['in', 'out']);
    expect(new Set(wire.filter((d) => d.kind === 'keepalive').map((d) => d.dir))).toEqual(new Set(['in']));
    const derived = modelWakeups(wire, profile);
    const summary = {
      lab: countByCause(logged.map((w) => w.cause)),
      database: Object.fromEntries(Object.entries(session.totals.wakeups).filter(([, n]) => n > 0)),
      tshark: countByCause(derived.map((w) => w.cause)),
      labTimes: logged.map((w) => w.t),
      tsharkTimes: derived.map((w) => Math.round(w.t * 1000) / 1000),
      packets: { capture: wire.length, session: session.packets },
    };
    process.stdout.write(`live-lab wakeups: ${JSON.stringify(summary)}\n`);
    expect(derived.map((w) => w.cause)).toEqual(logged.map((w) => w.cause));
    // The same moments, once the first datagram of each is aligned (the lab's times start at its
    // own start, the derived ones at the first datagram, which is the lab's first wakeup).
    for (const [i, w] of derived.entries()) expect(Math.abs(w.t + logged[0]!.t - logged[i]!.t), `wakeup #${i}`).toBeLessThan(CLOCK_TOLERANCE_S);
    // No datagram lies near a tail's end: moving every gap of more than 1 s by 1 s either way
    // changes no count (so the clocks' differences cannot either).
    for (const shift of [-1, 1]) expect(modelWakeups(wire, profile, shift).map((w) => w.cause), `gaps moved by ${shift} s`).toEqual(EXPECTED);

    // Packet by packet, the session holds what the capture holds: direction, size and cause.
    const exported = lab.work.file('session.json');
    const pcapng = lab.work.file('session.pcapng');
    await wakelab(lab, ['sessions', 'export', String(session.id), '--json', exported, '--pcapng', pcapng]);
    const recorded = (JSON.parse(readFileSync(exported, 'utf8')) as { packets: Array<{ tS: number; dir: 'in' | 'out'; cls: string; bytes: number }> }).packets;
    expect(session.packets).toBe(wire.length);
    const t0 = recorded[0]!.tS;
    expect(recorded.map((p) => [p.dir, p.bytes + 28, cause(p.cls)])).toEqual(wire.map((d) => [d.dir, d.ipBytes, causeOfClass(d.cls)]));
    for (const [i, p] of recorded.entries()) expect(Math.abs(p.tS - t0 - wire[i]!.t), `packet ${i}`).toBeLessThan(CLOCK_TOLERANCE_S);

    // 4. The exported pcapng opens in tshark with the same datagrams: IKE headers, keepalives, ESP.
    const reread = await wireDatagrams(pcapng, NET.gw);
    const shape = (d: WireDatagram): unknown[] => [d.dir, d.ipBytes, d.kind, d.exchange, d.response, d.messageId, d.spis];
    expect(reread.map(shape)).toEqual(wire.map(shape));

    const report = await lab.topo.teardown();
    expect(report.leftovers).toEqual([]);
  }, 150_000);
});

/** The cause of a class WakeLab recorded (docs/lab.md), to set beside the capture's. */
function cause(cls: string): Cause {
  return causeOfClass(cls as Parameters<typeof causeOfClass>[0]);
}
