/**
 * A responder configuration (responder-config.ts) from a strongSwan swanctl.conf: the subset a
 * road-warrior gateway with pre-shared keys uses (swanctl.conf(5)):
 *
 *   connections.<conn>: version, local_addrs, local_port, proposals, rekey_time, rand_time,
 *     dpd_delay, mobike, pools, local.{auth = psk, id}, remote.{auth = psk, id},
 *     children.<child>: local_ts, esp_proposals, rekey_time, rand_time, dpd_action
 *   pools.<pool>.addrs (one prefix)
 *   secrets.ike-*: id / id-*, secret
 *
 * One connection and one child are taken (the first of each); everything else that is set is
 * reported as not imported, never silently dropped. Times take strongSwan's s/m/h/d suffixes.
 * NAT-T keepalives (charon.keep_alive) live in strongswan.conf, not here.
 */
import { WakeLabError } from '../errors.ts';
import { parseCidr, parseIpv4 } from '../net/ipv4.ts';
import { parseSettings, type SettingsSection } from './swanctl-syntax.ts';

export interface SwanctlImport {
  /** A responder configuration object, to be checked with parseResponderConfig. */
  readonly config: Record<string, unknown>;
  /** What was set in the file and is not imported, one line each. */
  readonly warnings: string[];
}

const UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** strongSwan time values: "30", "30s", "5m", "4h", "1d". */
function seconds(value: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(value.trim());
  if (!m) throw new WakeLabError('INVALID_ARGUMENT', `${where}: expected a time such as 30s, 5m, 4h or 1d, got ${JSON.stringify(value)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const yes = (value: string): boolean => /^(yes|true|1|enabled)$/i.test(value.trim());

/** Reads `key` from `s` and marks it used. */
class Reader {
  private readonly used = new Set<string>();
  constructor(
    readonly s: SettingsSection,
    readonly path: string,
  ) {}

  get(key: string): string | undefined {
    this.used.add(key);
    return this.s.settings.get(key);
  }

  section(name: string): Reader | undefined {
    this.used.add(name);
    const sub = this.s.sections.get(name);
    return sub ? new Reader(sub, `${this.path}.${name}`) : undefined;
  }

  /** Settings and sections present but never read. */
  unused(): string[] {
    return [...this.s.settings.keys(), ...this.s.sections.keys()].filter((k) => !this.used.has(k)).map((k) => `${this.path}.${k}: not imported`);
  }
}

export function importSwanctl(text: string, label: string): SwanctlImport {
  const includes: string[] = [];
  const root = parseSettings(text, label, includes);
  const warnings: string[] = includes.map((f) => `include ${f}: not followed (put its settings in this file)`);
  const fail = (where: string, what: string): never => {
    throw new WakeLabError('INVALID_ARGUMENT', `${label}: ${where}: ${what}`);
  };

  const conns = root.sections.get('connections');
  const names = conns ? [...conns.sections.keys()] : [];
  if (!conns || names.length === 0) fail('connections', 'no connection defined');
  const connName = names[0]!;
  if (names.length > 1) warnings.push(`connections: only the first connection, "${connName}", is imported (${names.slice(1).join(', ')} left out)`);
  const conn = new Reader(conns!.sections.get(connName)!, `connections.${connName}`);
  const config: Record<string, unknown> = {};

  const version = conn.get('version');
  if (version !== undefined && version !== '0' && version !== '2') fail(`${conn.path}.version`, 'WakeLab speaks IKEv2 only (version = 2)');

  const localAddr = list(conn.get('local_addrs') ?? '')[0];
  const listen: Record<string, unknown> = {};
  if (localAddr !== undefined && localAddr !== '%any') {
    if (parseIpv4(localAddr) === null) fail(`${conn.path}.local_addrs`, `${JSON.stringify(localAddr)} is not an IPv4 address (WakeLab listens on one address, or on all)`);
    listen.address = localAddr;
  }
  const localPort = conn.get('local_port');
  if (localPort !== undefined) listen.ikePort = Number(localPort);
  if (Object.keys(listen).length > 0) config.listen = listen;

  const local = conn.section('local') ?? fail(`${conn.path}.local`, 'missing (it holds auth = psk and our id)');
  const localAuth = local.get('auth');
  if (localAuth !== 'psk') fail(`${local.path}.auth`, `WakeLab authenticates with pre-shared keys only (auth = psk), got ${JSON.stringify(localAuth ?? null)}`);
  const localId = local.get('id') ?? fail(`${local.path}.id`, 'missing: WakeLab needs its own identity');
  config.localId = localId;
  warnings.push(...local.unused());
  const remote = conn.section('remote');
  if (remote) {
    const auth = remote.get('auth');
    if (auth !== undefined && auth !== 'psk') fail(`${remote.path}.auth`, `WakeLab authenticates clients with pre-shared keys only (auth = psk), got ${JSON.stringify(auth)}`);
    remote.get('id'); // any identity with a secret is let in
    warnings.push(...remote.unused());
  }

  const ike: Record<string, unknown> = {};
  const proposals = list(conn.get('proposals') ?? '').filter((p) => p !== 'default');
  if (proposals.length > 0) ike.proposals = proposals;
  const ikeRekey = conn.get('rekey_time');
  if (ikeRekey !== undefined) ike.rekeyS = seconds(ikeRekey, `${label}: ${conn.path}.rekey_time`);
  // rand_time when set (charon's own default is over_time, 10 % of rekey_time; ours is 0).
  const ikeRand = conn.get('rand_time');
  if (ikeRand !== undefined) ike.rekeyJitterS = seconds(ikeRand, `${label}: ${conn.path}.rand_time`);
  if (Object.keys(ike).length > 0) config.ike = ike;

  const dpd: Record<string, unknown> = {};
  const dpdDelay = conn.get('dpd_delay');
  if (dpdDelay !== undefined) dpd.delayS = seconds(dpdDelay, `${label}: ${conn.path}.dpd_delay`);
  const mobike = conn.get('mobike');
  if (mobike !== undefined) config.mobike = yes(mobike);

  const poolNames = list(conn.get('pools') ?? '');
  if (poolNames.length === 0) fail(`${conn.path}.pools`, 'missing: WakeLab gives every client a virtual IP from a pool');
  if (poolNames.length > 1) warnings.push(`${conn.path}.pools: only the first pool, "${poolNames[0]}", is imported`);
  const pool = root.sections.get('pools')?.sections.get(poolNames[0]!) ?? fail(`pools.${poolNames[0]}`, 'not defined');
  const addrs = list(pool.settings.get('addrs') ?? '');
  if (addrs.length !== 1 || parseCidr(addrs[0]!) === null) fail(`pools.${poolNames[0]}.addrs`, `expected one IPv4 prefix such as 198.18.200.0/28, got ${JSON.stringify(pool.settings.get('addrs') ?? null)}`);
  config.pool = addrs[0];
  for (const k of pool.settings.keys()) if (k !== 'addrs') warnings.push(`pools.${poolNames[0]}.${k}: not imported`);

  const children = conn.section('children') ?? fail(`${conn.path}.children`, 'missing: WakeLab needs the child with the local networks (local_ts)');
  const childNames = [...children.s.sections.keys()];
  if (childNames.length === 0) fail(children.path, 'no child defined');
  if (childNames.length > 1) warnings.push(`${children.path}: only the first child, "${childNames[0]}", is imported`);
  const child = children.section(childNames[0]!)!;
  for (const other of childNames.slice(1)) children.section(other);
  const localTs = list(child.get('local_ts') ?? '');
  if (localTs.length === 0 || localTs.includes('dynamic')) fail(`${child.path}.local_ts`, 'expected the networks behind the gateway, such as 198.18.100.0/24');
  config.localTs = localTs;
  const esp: Record<string, unknown> = {};
  const espProposals = list(child.get('esp_proposals') ?? '').filter((p) => p !== 'default');
  if (espProposals.length > 0) esp.proposals = espProposals;
  const espRekey = child.get('rekey_time');
  if (espRekey !== undefined) esp.rekeyS = seconds(espRekey, `${label}: ${child.path}.rekey_time`);
  const espRand = child.get('rand_time');
  if (espRand !== undefined) esp.rekeyJitterS = seconds(espRand, `${label}: ${child.path}.rand_time`);
  if (Object.keys(esp).length > 0) config.esp = esp;
  const action = child.get('dpd_action');
  if (action !== undefined) {
    if (action === 'clear') dpd.action = 'clear';
    else {
      dpd.action = 'keep';
      warnings.push(`${child.path}.dpd_action = ${action}: imported as "keep" (the SA is kept after a failed liveness check; a responder does not restart or trap)`);
    }
  }
  if (Object.keys(dpd).length > 0) config.dpd = dpd;
  warnings.push(...child.unused(), ...children.unused(), ...conn.unused());

  const secrets: { id: string; psk: string }[] = [];
  const secretSections = root.sections.get('secrets');
  for (const [name, s] of secretSections?.sections ?? []) {
    if (!name.startsWith('ike')) {
      warnings.push(`secrets.${name}: only ike secrets (pre-shared keys) are imported`);
      continue;
    }
    const secret = s.settings.get('secret');
    if (secret === undefined) fail(`secrets.${name}.secret`, 'missing');
    for (const [k, id] of s.settings) {
      if (k !== 'id' && !k.startsWith('id-')) continue;
      // Our own identity is in swanctl's secret too (it is shared); we look up the client's.
      if (id !== localId && !secrets.some((x) => x.id === id)) secrets.push({ id, psk: secret! });
    }
  }
  if (secrets.length === 0) fail('secrets', 'no ike secret with a client identity (id = ...)');
  config.secrets = secrets;
  return { config, warnings };
}
