// The `wakelab` command end to end: real processes, a temporary database.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/wakelab.js', import.meta.url).pathname;
const LAB = new URL('../../resources/responder/lab.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wakelab-cli-'));
const db = join(dir, 'lab.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wakelab(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, WAKELAB_DB: db, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('wakelab simulate', () => {
  it('prints one JSON document with the documented metrics and stores the run', () => {
    const r = wakelab('simulate', '--policy', 'strongswan-android', '--radio', 'lte', '--scenario', 'idle', '--hours', '2', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe(''); // no progress bar on a pipe
    const doc = JSON.parse(r.out);
    for (const k of ['energyJ', 'energyJPerHour', 'avgPowerMw', 'batteryPctPerDay', 'radioWakeups', 'radioWakeupsPerHour', 'radioWakeupsByCause', 'apWakeups', 'apWakeupsPerHour', 'connectedFraction', 'natMappingLosses', 'reconnects', 'detectionLatencyS', 'energyByCause']) {
      expect(doc.metrics, k).toHaveProperty(k);
    }
    expect(doc.metrics.durationS).toBe(7200);
    expect(doc.metrics.detectionLatencyS).toEqual({ gateway: null, client: null });
    expect(doc.runId).toBeGreaterThan(0);
    const shown = JSON.parse(wakelab('runs', 'show', String(doc.runId), '--json').out);
    expect(shown.metrics).toEqual(doc.metrics);
  });

  it('is byte-identical for the same seed', () => {
    const a = wakelab('simulate', '--policy', 'ios-dpd-high', '--scenario', 'interactive', '--hours', '3', '--seed', '5', '--json', '--no-store');
    const b = wakelab('simulate', '--policy', 'ios-dpd-high', '--scenario', 'interactive', '--hours', '3', '--seed', '5', '--json', '--no-store');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).runId).toBeNull();
  });

  it('applies --set overrides to the policy and the scenario', () => {
    const r = wakelab('simulate', '--policy', 'strongswan-android', '--hours', '1', '--json', '--no-store', '--set', 'policy.client.keepaliveS=600', '--set', 'scenario.natTimeoutS=30');
    const doc = JSON.parse(r.out);
    expect(doc.policy.client.keepaliveS).toBe(600);
    expect(doc.scenario.natTimeoutS).toBe(30);
    expect(doc.metrics.natMappingLosses).toBeGreaterThan(0);
  });

  it('reads a policy file', () => {
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ id: 'mine', name: 'Mine', client: { keepaliveS: 300 } }));
    const r = wakelab('simulate', '--policy', file, '--hours', '1', '--json', '--no-store');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).policy.id).toBe('mine');
  });
});

describe('wakelab compare', () => {
  it('gives { runs: [ { policy, metrics } ] } and marks the Pareto set', () => {
    const r = wakelab('compare', '--policy', 'strongswan-android', '--policy', 'ios-dpd-medium', '--policy', 'battery-lean', '--hours', '24', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.runs.map((x: { policy: { id: string } }) => x.policy.id)).toEqual(['strongswan-android', 'ios-dpd-medium', 'battery-lean']);
    expect(doc.runs.some((x: { pareto: boolean }) => x.pareto)).toBe(true);
    const [app, ios] = doc.runs.map((x: { metrics: { avgPowerMw: number } }) => x.metrics.avgPowerMw);
    expect(app / ios).toBeGreaterThan(1.7);
    // The same inputs through simulate give the same metrics.
    const single = JSON.parse(wakelab('simulate', '--policy', 'ios-dpd-medium', '--json', '--no-store').out);
    expect(single.metrics).toEqual(doc.runs[1].metrics);
  });

  it('prints CSV with a header and one row per policy', () => {
    const r = wakelab('compare', '--policy', 'charon-dpd30', '--policy', 'android-offload', '--hours', '1', '--csv', '--no-store', '--set', 'scenario.natTimeoutS=300');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^policy_id,policy_name,energy_j,/);
    expect(lines.length).toBe(3);
  });

  it('refuses policy overrides in compare', () => {
    const r = wakelab('compare', '--policy', 'charon-dpd30', '--set', 'policy.client.keepaliveS=5', '--no-store');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/must start with "scenario\." or "radio\."/);
  });
});

describe('catalog commands', () => {
  it('lists presets, profiles and scenarios', () => {
    expect(wakelab('presets').out).toMatch(/battery-lean/);
    expect(wakelab('profiles').out).toMatch(/nr-sa/);
    expect(wakelab('scenarios').out).toMatch(/client-vanishes/);
    expect(wakelab('profiles', 'show', 'lte').out).toMatch(/LONG_DRX/);
  });

  it('validates a profile file, naming the bad field', () => {
    const bad = join(dir, 'bad-profile.json');
    const lte = JSON.parse(readFileSync(new URL('../../resources/radio-profiles/lte.json', import.meta.url), 'utf8'));
    lte.promotion.durationS = -1;
    writeFileSync(bad, JSON.stringify(lte));
    const r = wakelab('profiles', 'validate', bad);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/promotion\.durationS: must be at least 0/);
    lte.promotion.durationS = 0.3;
    lte.id = 'my-lte';
    writeFileSync(bad, JSON.stringify(lte));
    expect(wakelab('profiles', 'validate', bad).out).toMatch(/^ok/);
  });
});

describe('runs', () => {
  it('lists, exports as JSON and CSV, and deletes', () => {
    const id = JSON.parse(wakelab('simulate', '--policy', 'android-offload', '--hours', '1', '--json').out).runId as number;
    expect(wakelab('runs', 'list').out).toMatch(new RegExp(`\\b${id}\\b.*android-offload`));
    const json = JSON.parse(wakelab('runs', 'export', String(id)).out);
    expect(json.wakeups.length).toBe(json.metrics.radioWakeups);
    const csv = wakelab('runs', 'export', String(id), '--format', 'csv', '--wakeups').out.trim().split('\n');
    expect(csv[0]).toBe('seq,t_s,cause,state_left,energy_j,ap_woken');
    expect(csv.length).toBe(json.metrics.radioWakeups + 1);
    expect(wakelab('runs', 'delete', String(id)).code).toBe(0);
    const gone = wakelab('runs', 'show', String(id));
    expect(gone.code).toBe(2);
    expect(gone.err).toMatch(/no run/);
  });
});

describe('fixes from review', () => {
  it('warns on stderr when a scenario event falls after the end of the run', () => {
    const r = wakelab('simulate', '--policy', 'strongswan-android', '--scenario', 'client-vanishes', '--hours', '1', '--json', '--no-store');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^wakelab: warning: scenario event client-vanishes at 21600 s is after the end of the run/);
    expect(JSON.parse(r.out).metrics.detected.gateway).toBeNull();
  });

  it('records --hours as an override and leaves the stored built-in scenario as defined', () => {
    expect(wakelab('simulate', '--policy', 'ios-dpd-low').code).toBe(0); // stores the built-in idle, 24 h
    const doc = JSON.parse(wakelab('simulate', '--policy', 'ios-dpd-high', '--hours', '0.5', '--json').out);
    expect(doc.overrides).toEqual(['scenario.durationS=1800']);
    expect(doc.scenario.durationS).toBe(1800);
    const d = new Database(db, { readonly: true });
    const row = d.prepare("SELECT json FROM scenarios WHERE id = 'idle'").get() as { json: string };
    d.close();
    expect(JSON.parse(row.json).durationS).toBe(86400);
  });

  it('refuses a user file that reuses a built-in id, but accepts the built-in file itself', () => {
    const file = join(dir, 'my-lte.json');
    writeFileSync(file, readFileSync(new URL('../../resources/radio-profiles/lte.json', import.meta.url)));
    const r = wakelab('simulate', '--policy', 'strongswan-android', '--radio', file, '--hours', '1', '--no-store');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the id "lte" belongs to a built-in radio profile/);
    const builtin = new URL('../../resources/radio-profiles/lte.json', import.meta.url).pathname;
    expect(wakelab('simulate', '--policy', 'strongswan-android', '--radio', builtin, '--hours', '1', '--no-store').code).toBe(0);
  });

  it('reports an unwritable --out in one line', () => {
    const id = JSON.parse(wakelab('simulate', '--policy', 'android-offload', '--hours', '1', '--json').out).runId as number;
    const r = wakelab('runs', 'export', String(id), '--out', join(dir, 'no', 'such', 'dir.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wakelab: cannot write .*: no such directory\n$/);
  });

  it('lists the valid user profiles and warns about a broken one', () => {
    const userDir = join(dir, 'config', 'wakelab', 'radio-profiles');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, 'broken.json'), '{ not json');
    const lte = JSON.parse(readFileSync(new URL('../../resources/radio-profiles/lte.json', import.meta.url), 'utf8'));
    writeFileSync(join(userDir, 'mine.json'), JSON.stringify({ ...lte, id: 'mine', name: 'Mine' }));
    const r = wakelab('profiles');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/mine\s+user\s+Mine/);
    expect(r.err).toMatch(/warning: skipped: .*broken\.json: not valid JSON/);
    rmSync(userDir, { recursive: true });
  });

  it('shows every number of a profile with its source', () => {
    const out = wakelab('profiles', 'show', 'umts').out;
    expect(out).toMatch(/tail\.1\.promoteAboveBytes\.uplink\s+543\s+AT&T/);
    expect(out).toMatch(/tail\.1\.promotion\.durationS\s+1\.5/);
  });
});

/** A minimal road-warrior swanctl.conf in the test folder, with `auth` as given. */
function swanctl(auth: string): string {
  const file = join(dir, `swanctl-${auth}.conf`);
  writeFileSync(
    file,
    `connections {\n  rw {\n    pools = vpool\n    unique = never\n    local {\n      auth = ${auth}\n      id = gw.wakelab\n    }\n    children {\n      net {\n        local_ts = 198.18.100.0/24\n      }\n    }\n  }\n}\npools {\n  vpool {\n    addrs = 198.18.200.0/28\n  }\n}\nsecrets {\n  ike-1 {\n    id = phone@wakelab\n    secret = "s3cret"\n  }\n}\n`,
  );
  return file;
}

describe('wakelab import-swanctl', () => {
  it('prints a responder configuration and warns about what it did not import', () => {
    const r = wakelab('import-swanctl', swanctl('psk'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ localId: 'gw.wakelab', pool: '198.18.200.0/28', localTs: ['198.18.100.0/24'], secrets: [{ id: 'phone@wakelab', psk: 's3cret' }] });
    expect(r.err.trim()).toBe('wakelab: warning: connections.rw.unique: not imported');
  });

  it('writes --out with mode 0600 (it holds the pre-shared keys)', () => {
    const out = join(dir, 'imported.json');
    expect(wakelab('import-swanctl', swanctl('psk'), '--out', out).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8')).localId).toBe('gw.wakelab');
  });
});

describe('errors: one line on stderr, exit status 2, never a stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown preset', ['simulate', '--policy', 'nope'], /unknown policy preset "nope"; known: strongswan-android/],
    ['unknown --set key', ['simulate', '--policy', 'strongswan-android', '--set', 'policy.client.keepalive=3'], /unknown key .* known keys: .*keepaliveS/],
    ['invalid value', ['simulate', '--policy', 'strongswan-android', '--set', 'policy.client.keepaliveS=-3'], /client\.keepaliveS: must be at least 0/],
    ['bad --hours', ['simulate', '--policy', 'strongswan-android', '--hours', '0'], /--hours must be a number greater than 0/],
    ['not a number', ['simulate', '--policy', 'strongswan-android', '--seed', 'x'], /--seed must be a number/],
    ['missing option', ['simulate'], /required option '--policy/],
    ['unknown command', ['frobnicate'], /unknown command/],
    ['missing file', ['simulate', '--policy', '/nonexistent/p.json'], /no such file/],
    ['newer database', ['--db', '__NEWER__', 'runs'], /newer than this WakeLab understands/],
    ['responder: bad --seq-jump', ['responder', '--config', LAB, '--restore', LAB, '--seq-jump', '-5'], /--seq-jump: expected a whole number of packets, got "-5"/],
    ['responder: bad --stats-every', ['responder', '--config', LAB, '--stats-every', '0'], /--stats-every: expected seconds above 0/],
    ['import-swanctl: no such file', ['import-swanctl', '/nonexistent/swanctl.conf'], /\/nonexistent\/swanctl\.conf: no such file/],
    ['import-swanctl: certificates', ['import-swanctl', '__SWANCTL_PUBKEY__'], /connections\.rw\.local\.auth: WakeLab authenticates with pre-shared keys only/],
    ['responder: not a snapshot', ['responder', '--config', LAB, '--restore', LAB], /snapshot .*lab\.json: kind/],
    ['lab: unknown radio profile', ['lab', '--config', '__LAB__{"radio":"lte-9000"}'], /radio profile "lte-9000" is unknown; known: lte/],
    ['lab: unknown field', ['lab', '--config', '__LAB__{"radios":"lte"}'], /lab configuration .*: unknown field "radios"/],
    ['lab: responder file missing', ['lab', '--config', '__LAB__{"responder":"missing.json"}'], /missing\.json: no such file/],
    ['lab: bad responder field', ['lab', '--config', '__LAB__{"responder":{"localId":"gw","secrets":[{"id":"c","psk":"pppppppppppppppp"}],"pool":"10.0.0.0/33"}}'], /lab configuration .*: responder: pool: must be an IPv4 prefix/],
    ['lab: database locked by another program', ['--db', '__LOCKED__', 'lab', '--config', '__LAB__{}'], /busy, another program is writing to it; try again/],
    ['lab: port in use', ['lab', '--config', '__LAB__{"busy":true}'], /cannot listen on 127\.0\.0\.1 ports \d+\/\d+: a port is in use/],
    ['fleet: unknown policy', ['fleet', '--config', '__FLEET__{"groups":[{"name":"a","policy":"no-such-policy","count":1}]}'], /unknown policy preset "no-such-policy"; known: strongswan-android/],
    ['fleet: a group name twice', ['fleet', '--config', '__FLEET__{"groups":[{"name":"a","policy":"strongswan-android","count":1},{"name":"a","policy":"ios-dpd-high","count":1}]}'], /groups\.1\.name: "a" is used twice/],
    ['fleet: ports past 65535', ['fleet', '--config', '__FLEET__{"local":{"firstPort":65000},"groups":[{"name":"a","policy":"strongswan-android","count":600}]}'], /local\.firstPort: 600 clients need ports 65000 to 65599, past 65535/],
    ['fleet: bad status interval', ['fleet', '--config', '__FLEET__{"groups":[{"name":"a","policy":"strongswan-android","count":1}]}', '--status-every', '0'], /--status-every: expected real seconds above 0/],
    ['sessions: no such session', ['sessions', 'show', '99'], /no session 99; see `wakelab sessions list`/],
    ['sessions: export without a format', ['sessions', 'export', '1'], /give --pcapng FILE, --json FILE or both/],
    ['sessions: bad id', ['sessions', 'show', 'x'], /session id must be a positive whole number/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const busy = args.some((a) => a.includes('"busy"')) ? await bindUdp() : null;
    args = args.map((a) => (a.startsWith('__LAB__') ? labFile(JSON.parse(a.slice(7)), busy?.port) : a.startsWith('__FLEET__') ? fleetFile(JSON.parse(a.slice(9))) : a));
    const locked = join(dir, 'locked.db');
    let holder: Database.Database | null = null;
    if (args.includes('__LOCKED__')) {
      // A WakeLab database another program holds a write transaction on (for longer than the 5 s busy timeout).
      expect(wakelab('--db', locked, 'sessions', 'list').code).toBe(0);
      holder = new Database(locked);
      holder.exec('BEGIN IMMEDIATE');
      args = args.map((a) => (a === '__LOCKED__' ? locked : a));
    }
    const newer = join(dir, 'newer.db');
    if (args.includes('__NEWER__')) {
      const d = new Database(newer);
      d.pragma('user_version = 99');
      d.close();
    }
    const before = args.includes('__NEWER__') ? readFileSync(newer) : null;
    const r = wakelab(...args.map((a) => (a === '__NEWER__' ? newer : a === '__SWANCTL_PUBKEY__' ? swanctl('pubkey') : a)));
    if (before) expect(readFileSync(newer).equals(before)).toBe(true); // refused, never damaged
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wakelab: /);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    busy?.close();
    if (holder) {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});

/** A lab configuration file: a loopback responder (on `ikePort` when given) with `patch` over it. */
function labFile(patch: Record<string, unknown>, ikePort?: number): string {
  const { busy: _busy, ...rest } = patch;
  const port = ikePort ?? 40000 + (process.pid % 1000) * 2;
  const responder = { listen: { address: '127.0.0.1', ikePort: port, nattPort: port + 1 }, localId: 'gw.wakelab', secrets: [{ id: 'cli', psk: 'x'.repeat(20) }], pool: '198.18.200.0/28', localTs: ['198.18.100.0/24'] };
  const f = join(dir, `lab-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify({ responder, ...rest }));
  return f;
}

/** A fleet configuration file with `patch` over a minimal one. */
function fleetFile(patch: Record<string, unknown>): string {
  const f = join(dir, `fleet-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify({ psk: 'p'.repeat(20), ...patch }));
  return f;
}

/** A UDP socket bound on loopback, so a lab's port is in use. */
function bindUdp(): Promise<{ port: number; close: () => void }> {
  return new Promise((ok) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => ok({ port: s.address().port, close: () => s.close() }));
  });
}
