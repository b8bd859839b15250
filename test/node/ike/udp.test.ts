// The responder and the initiator on real UDP sockets over loopback, through the node adapter.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { loadEspAddon } from '../../../src-main/node/crypto/native-suite.ts';
import { runResponder, type RunningResponder } from '../../../src-main/node/ike/run-responder.ts';
import { responderConfig } from '../../core/ike/support/net.ts';
import { cleanupAfterEach, loopbackClient } from '../support/loopback.ts';

// Ports from the process id, so parallel test processes do not collide.
const base = 20000 + (process.pid % 2000) * 4;
const cleanup = cleanupAfterEach();

describe('IKE over UDP on loopback', () => {
  it('establishes, answers DPD, exports Wireshark keys, and deletes', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'wakelab-keys-'));
    cleanup(() => rmSync(keys, { recursive: true, force: true }));
    const rEvents: IkeEvent[] = [];
    const cfg = responderConfig({ listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, dpd: { delayS: 1 } });
    const responder: RunningResponder = await runResponder(cfg, { onEvent: (e) => rEvents.push(e), wiresharkDir: keys });
    cleanup(() => responder.close());
    // The default ESP backend: the native addon where it is built, else node:crypto with the reason.
    expect(responder.espBackend.name).toBe(loadEspAddon().ok ? 'native' : 'node');
    expect(responder.espBackend.fallback === undefined).toBe(loadEspAddon().ok);
    // Its sockets are read in batches (listen.receive's default) wherever the addon runs.
    if (loadEspAddon().ok && process.platform === 'linux') expect(responder.receive).toEqual({ name: 'batched' });
    else expect(responder.receive.fallback).toMatch(/^listen\.receive "batched": .+; using node:dgram$/);

    const client = await loopbackClient(cfg, base, 9);
    cleanup(() => client.host.close());
    const { initiator, host } = client;
    await client.until((e) => e.kind === 'child-up', 5000, 'IKE_AUTH');
    expect(rEvents.find((e) => e.kind === 'ike-up')).toMatchObject({ peerId: 'cli.wakelab', virtualIp: '198.18.200.1' });

    // The responder's DPD after 1 s of silence is answered.
    await client.until((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'in', 5000, 'DPD');
    const table = readFileSync(join(keys, 'ikev2_decryption_table'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(table).toHaveLength(1);
    expect(table[0]).toMatch(/^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{32},[0-9a-f]{32},"AES-CBC-128 \[RFC3602\]",[0-9a-f]{64},[0-9a-f]{64},"HMAC_SHA2_256_128 \[RFC4868\]"$/);
    const esp = readFileSync(join(keys, 'esp_sa'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(esp).toHaveLength(2);

    const gone = client.until(() => initiator.phase === 'closed', 5000, 'delete');
    host.act((t) => initiator.close(t));
    await gone;
    await new Promise((r) => setTimeout(r, 50));
    expect(responder.responder.ikeSas).toHaveLength(0);
  });
});
