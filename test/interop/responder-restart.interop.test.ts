// WakeLab's responder stopped and started again from its SA snapshot while a real charon client
// keeps its tunnel: ESP and DPD carry on, and no new IKE_SA_INIT appears on the wire.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tshark } from './support/capture.ts';
import { NET } from './support/netns.ts';
import { assertPrereq, suiteGate } from './support/prereq.ts';
import { pollFor, signalPid } from './support/proc.ts';
import { events, restartWakelab, start, setupPerTest } from './support/responder-lab.ts';

const gate = suiteGate();

describe.skipIf(gate.skip)(`WakeLab responder restarted from its snapshot${gate.label}`, () => {
  const lab = setupPerTest();

  it("keeps charon's tunnel working across a restart: pings, DPD, the same IKE SA, no new IKE_SA_INIT", async () => {
    assertPrereq();
    const s = (lab.s = await start('restart', { dpdDelayS: 0, clientDpd: '3s' }));
    const snap = s.work.file('sa-snapshot.json');
    // The responder that will be restarted: it writes its snapshot when stopped.
    await restartWakelab(s, ['--snapshot', snap], 'wakelab-1.log');
    await s.cli.initiate('home', { timeoutS: 15 });
    const [before] = await s.cli.listSas();
    let ping = await s.topo.ping('cli', NET.protectedHost, { count: 3, source: '198.18.200.1' });
    expect(ping.received, ping.output).toBe(3);

    // SIGTERM: a clean stop writes the snapshot, readable by its owner only.
    await restartWakelab(s, ['--restore', snap, '--snapshot', snap], 'wakelab-2.log');
    expect(statSync(snap).mode & 0o777).toBe(0o600);
    const restored = events(s).find((e) => e.kind === 'ike-restored') as { sa: string; virtualIp: string } | undefined;
    expect(restored).toMatchObject({ sa: `${before!.initiatorSpi}_${before!.responderSpi}`, virtualIp: '198.18.200.1' });

    // ESP on the restored SAs, both ways (the replies carry jumped sequence numbers).
    ping = await s.topo.ping('cli', NET.protectedHost, { count: 3, source: '198.18.200.1' });
    expect(ping.received, ping.output).toBe(3);
    // charon's next liveness check reaches the restored responder with the message ID it expects.
    await pollFor("charon's DPD answered by the restored responder", 15_000, () =>
      events(s).find((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'out' && e.request === false),
    );
    expect(events(s).filter((e) => e.kind === 'drop')).toEqual([]);
    const [after] = await s.cli.listSas();
    expect(after).toMatchObject({ state: 'ESTABLISHED', initiatorSpi: before!.initiatorSpi, responderSpi: before!.responderSpi });

    // On the wire: one IKE_SA_INIT exchange in all (the first), none after the restart.
    await Promise.all(s.captures.map((c) => c.stop()));
    const inits = await tshark(s.captures[1]!.path, { filter: 'isakmp.exchangetype == 34', args: ['-T', 'fields', '-e', 'frame.number'] });
    expect(inits.trim().split('\n').filter((l) => l !== '')).toHaveLength(2);
  });

  it('recovers from a crash with a stale snapshot by synchronising IKE message IDs with charon (RFC 6311)', async () => {
    assertPrereq();
    const s = (lab.s = await start('crash', { dpdDelayS: 0, clientDpd: '2s' }));
    const snap = s.work.file('sa-snapshot.json');
    await restartWakelab(s, ['--snapshot', snap], 'wakelab-1.log');
    await s.cli.initiate('home', { timeoutS: 15 });
    // SIGUSR1: a snapshot now; then charon's DPDs move the message IDs on, and the process dies
    // without writing another one (SIGKILL).
    signalPid(s.wakelab.pid, 'SIGUSR1');
    await pollFor('the SIGUSR1 snapshot', 5000, () => events(s).find((e) => e.kind === 'snapshot'));
    const mark = events(s).length;
    await pollFor('two DPDs of charon after the snapshot', 10_000, () => (events(s).slice(mark).filter((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'out' && e.request === false).length >= 2 ? true : undefined));
    const charonMark = s.cli.logMark();
    await restartWakelab(s, ['--restore', snap], 'wakelab-2.log', 'kill');
    // The restored responder proposes message IDs (INFORMATIONAL #0 with IKEV2_MESSAGE_ID_SYNC),
    // charon takes them, and its next DPDs are answered.
    await s.cli.waitForLog(/responder requested MID sync/, 10_000, charonMark);
    const sync = await pollFor('mid-sync in the WakeLab log', 5000, () => events(s).find((e) => e.kind === 'mid-sync'));
    expect(sync).toMatchObject({ ok: true });
    await pollFor("charon's DPD answered after the sync", 10_000, () => events(s).find((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'out' && e.request === false && e.messageId !== 0));
    expect(events(s).filter((e) => e.kind === 'drop')).toEqual([]);
    const ping = await s.topo.ping('cli', NET.protectedHost, { count: 3, source: '198.18.200.1' });
    expect(ping.received, ping.output).toBe(3);
    expect((await s.cli.listSas())[0]).toMatchObject({ state: 'ESTABLISHED' });
  });
});
