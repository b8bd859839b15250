// WakeLab's responder starting exchanges of its own with a real charon client behind the NAT:
// CHILD_SA and IKE_SA rekeys on its timers (RFC 7296 1.3.2, 1.3.3), and MOBIKE (RFC 4555), which
// charon offers by default, followed through a change of the NAT's mapping.
import { describe, expect, it } from 'vitest';
import { assertPrereq, suiteGate } from './support/prereq.ts';
import { pollFor } from './support/proc.ts';
import { events, start, setupPerTest } from './support/responder-lab.ts';

const gate = suiteGate();

describe.skipIf(gate.skip)(`WakeLab responder starts rekeys and follows MOBIKE${gate.label}`, () => {
  const lab = setupPerTest();

  it('rekeys the CHILD_SA (esp.rekeyS 5 s) and the IKE_SA (ike.rekeyS 12 s) itself; charon answers both', async () => {
    assertPrereq();
    const s = (lab.s = await start('wl-rekey', { dpdDelayS: 0, clientDpd: '3s', rekeyS: { ike: 12, esp: 5 } }));
    await s.cli.initiate('home', { timeoutS: 15 });
    const first = events(s).find((e) => e.kind === 'child-up') as { child: { spiIn: number } };
    // charon takes our CREATE_CHILD_SA with REKEY_SA as a responder, and our Delete of the old SA.
    await s.cli.waitForLog(/parsed CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\) SA No TSi TSr \]/, 15_000);
    const rekeyed = await pollFor('a CHILD_SA rekeyed by WakeLab', 15_000, () => events(s).find((e) => e.kind === 'child-up' && e.rekeyOf === first.child.spiIn));
    await pollFor('the old CHILD_SA deleted by WakeLab', 10_000, () => events(s).find((e) => e.kind === 'child-down' && e.spiIn === first.child.spiIn && e.reason === 'rekeyed'));
    expect(rekeyed).toBeDefined();
    // Then the IKE SA: charon answers CREATE_CHILD_SA { SA, No, KE }, WakeLab deletes the old one.
    await s.cli.waitForLog(/parsed CREATE_CHILD_SA request \d+ \[ SA No KE \]/, 20_000);
    const moved = await pollFor('ike-rekeyed', 20_000, () => events(s).find((e) => e.kind === 'ike-rekeyed'));
    await pollFor('the old IKE_SA deleted', 10_000, () => events(s).find((e) => e.kind === 'ike-down' && e.reason === 'rekeyed'));
    // charon keeps talking on the new IKE SA: its next DPD arrives there and is answered.
    await pollFor("charon's DPD on the new IKE SA", 15_000, () => events(s).find((e) => e.kind === 'exchange' && e.sa === moved.newSa && e.exchange === 'INFORMATIONAL' && e.dir === 'out' && e.request === false));
    const [sa] = await s.cli.listSas();
    expect(sa).toMatchObject({ state: 'ESTABLISHED' });
    // With a CHILD_SA rekey every 5 s, one may be half-way (REKEYED) when charon is asked.
    expect(sa!.children.some((c) => c.state === 'INSTALLED')).toBe(true);
    // Nothing was dropped as unexpected on the way (a refused or unmatched exchange would be).
    expect(events(s).filter((e) => e.kind === 'drop' && e.reason !== 'esp-not-handled')).toEqual([]);
  });

  it('negotiates MOBIKE with charon, answers its NAT-detecting DPDs, and follows it to a new NAT mapping', async () => {
    assertPrereq();
    // fully-random: once the NAT forgets the mapping, charon's packets leave from another port.
    const s = (lab.s = await start('mobike', { dpdDelayS: 0, clientDpd: '2s', masquerade: 'fully-random' }));
    await s.cli.initiate('home', { timeoutS: 15 });
    const auth = events(s).find((e) => e.kind === 'exchange' && e.exchange === 'IKE_AUTH' && e.dir === 'out');
    expect(auth?.summary).toContain('N(MOBIKE_SUPPORTED)');
    // Behind a NAT with MOBIKE, charon's DPDs carry NAT detection (to notice a changed mapping),
    // and WakeLab answers with its own hashes.
    await pollFor('a DPD with NAT detection', 10_000, () => events(s).find((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'in' && e.request === true && String(e.summary).includes('N(NAT_DETECTION_SOURCE_IP)')));
    await pollFor('the answer with NAT detection', 5000, () => events(s).find((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'out' && e.request === false && String(e.summary).includes('N(NAT_DETECTION_DESTINATION_IP)')));
    const up = events(s).find((e) => e.kind === 'ike-up') as { peer: { port: number } };
    const mark = events(s).length;
    const charonMark = s.cli.logMark();
    await s.topo.flushConntrack();
    // charon's next DPD leaves from a new port; WakeLab answers it (following a NATed peer, 2.23);
    // charon sees the changed mapping in the NAT detection hashes and sends UPDATE_SA_ADDRESSES,
    // which WakeLab takes (RFC 4555 3.5) and answers with NAT detection and the COOKIE2 (3.6).
    await s.cli.waitForLog(/detected changes in NAT mappings, initiating MOBIKE update/, 15_000, charonMark);
    await s.cli.waitForLog(/parsed INFORMATIONAL response \d+ \[ N\(NATD_S_IP\) N\(NATD_D_IP\) N\(COOKIE2\) \]/, 5000, charonMark);
    const update = (await pollFor('mobike-update', 5000, () => events(s).slice(mark).find((e) => e.kind === 'mobike-update'))) as { peer: { port: number }; peerBehindNat: boolean };
    expect(update.peer.port).not.toBe(up.peer.port);
    expect(update.peerBehindNat).toBe(true);
    // Later exchanges go on at the new port, and the SA stays up on both ends.
    const later = events(s).length;
    await pollFor('a DPD answered after the move', 10_000, () => events(s).slice(later).find((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'out' && e.request === false));
    expect((await s.cli.listSas())[0]).toMatchObject({ state: 'ESTABLISHED', remotePort: 4500 });
  });
});
