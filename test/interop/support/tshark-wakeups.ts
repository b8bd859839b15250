/**
 * Radio wakeups derived from a packet capture without WakeLab's IKE code: tshark's own dissectors
 * say what each datagram between the gateway and its client is, and a fresh RadioModel (the
 * simulator's, src-main/core/radio) turns them into wakeups. The live lab's estimate of the same
 * session (docs/lab.md) must come out the same.
 *
 * What a datagram is, from cleartext fields only (no keys needed, the view of any observer):
 *
 * - `udpencap.nat_keepalive`: the one-octet NAT-T keepalive (RFC 3948 2.3);
 * - `esp.spi`: ESP (RFC 4303);
 * - IKEv2 (`isakmp.*`): the exchange type from the header; for INFORMATIONAL, the Next Payload of
 *   the Encrypted payload's generic header (its first inner payload, cleartext by RFC 7296 3.14)
 *   tells a Delete (42) from a liveness check (0: empty). A response is matched to its request by
 *   SPIs, message ID and which side asked, and has its request's class.
 *
 * Classes and causes are those of docs/lab.md ("How packets become wakeups"): IKE_SA_INIT, IKE_AUTH
 * and Delete are `reconnect`; other INFORMATIONAL exchanges `dpd`; CREATE_CHILD_SA `rekey`;
 * keepalives `keepalive`; ESP `data`. The radio gets each datagram's time, direction (what the
 * gateway received, the client sent: uplink) and IPv4 length.
 */
import { CAUSE, CAUSES, type Cause } from '../../../src-main/core/causes.ts';
import type { RadioProfile } from '../../../src-main/core/radio/profile.ts';
import { RadioModel } from '../../../src-main/core/radio/radio-model.ts';
import { tshark } from './capture.ts';

/** IKEv2 exchange types (RFC 7296 3.1). */
export const EXCHANGE = { IKE_SA_INIT: 34, IKE_AUTH: 35, CREATE_CHILD_SA: 36, INFORMATIONAL: 37 } as const;
/** IKEv2 payload type Delete (RFC 7296 3.2). */
const PAYLOAD_DELETE = 42;

export type WireKind = 'ike' | 'esp' | 'keepalive' | 'other';
export type WireClass = 'ike-setup' | 'dpd' | 'rekey' | 'delete' | 'keepalive' | 'data' | 'control' | 'invalid';

export interface WireDatagram {
  frame: number;
  /** Seconds since the first datagram of the capture (kept exact to the nanosecond tshark prints). */
  t: number;
  /** 'in': the gateway received it (the client's uplink). */
  dir: 'in' | 'out';
  /** The IPv4 packet's length (ip.len): UDP payload + 28. */
  ipBytes: number;
  kind: WireKind;
  /** IKE only: exchange type, R flag, message ID, SPIs, and the Encrypted payload's Next Payload. */
  exchange: number | null;
  response: boolean | null;
  messageId: number | null;
  spis: string | null;
  skNext: number | null;
  cls: WireClass;
}

const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'ip.src',
  'ip.dst',
  'ip.len',
  'frame.protocols',
  'udpencap.nat_keepalive',
  'esp.spi',
  'isakmp.ispi',
  'isakmp.rspi',
  'isakmp.exchangetype',
  'isakmp.flag_r',
  'isakmp.messageid',
  'isakmp.nextpayload',
] as const;

/**
 * The IKE, ESP and keepalive datagrams between `gateway` and its peers in a capture (UDP 500 and
 * 4500), in capture order, classified as above. Works on a live capture and on a pcapng exported
 * by `wakelab sessions export` (heads only): there the Encrypted payload is cut, `skNext` is null
 * and an INFORMATIONAL request is classed `control`.
 */
export async function wireDatagrams(file: string, gateway: string, timeoutMs?: number): Promise<WireDatagram[]> {
  const out = await tshark(file, {
    filter: 'udp.port == 500 || udp.port == 4500',
    args: ['-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])],
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  const rows = out.split('\n').filter((l) => l.trim() !== '');
  let base: { s: number; ns: number } | null = null;
  const list: WireDatagram[] = [];
  for (const line of rows) {
    const f = Object.fromEntries(FIELDS.map((name, i) => [name, line.split('\t')[i] ?? ''])) as Record<(typeof FIELDS)[number], string>;
    // Seconds and nanoseconds apart: an epoch time as one double keeps only about 0.2 us.
    const [sec, frac = '0'] = f['frame.time_epoch'].split('.');
    const when = { s: Number(sec), ns: Number(frac.padEnd(9, '0').slice(0, 9)) };
    base ??= when;
    const protocols = f['frame.protocols'].split(':');
    const first = (v: string): string => v.split(',')[0] ?? '';
    const kind: WireKind = f['udpencap.nat_keepalive'] !== '' ? 'keepalive' : protocols.includes('esp') ? 'esp' : protocols.includes('isakmp') ? 'ike' : 'other';
    const ike = kind === 'ike';
    const next = f['isakmp.nextpayload'].split(',').filter((v) => v !== '').map(Number);
    list.push({
      frame: Number(f['frame.number']),
      t: when.s - base.s + (when.ns - base.ns) / 1e9,
      dir: f['ip.src'].split(',')[0] === gateway ? 'out' : 'in',
      ipBytes: Number(first(f['ip.len'])),
      kind,
      exchange: ike ? Number(first(f['isakmp.exchangetype'])) : null,
      response: ike ? isTrue(first(f['isakmp.flag_r'])) : null,
      messageId: ike ? Number(first(f['isakmp.messageid'])) : null,
      spis: ike ? `${first(f['isakmp.ispi'])}_${first(f['isakmp.rspi'])}` : null,
      // The IKE header's Next Payload is Encrypted (46); the one after it is the Encrypted payload's.
      skNext: ike && next[0] === 46 && next.length > 1 ? next[1]! : null,
      cls: 'invalid',
    });
  }
  classify(list);
  return list;
}

const isTrue = (v: string): boolean => v === '1' || v === 'True' || v === 'true';

/** Sets `cls` on each datagram (a response gets its request's class). */
export function classify(list: WireDatagram[]): void {
  const requests = new Map<string, WireClass>();
  for (const d of list) {
    if (d.kind === 'keepalive') d.cls = 'keepalive';
    else if (d.kind === 'esp') d.cls = 'data';
    else if (d.kind !== 'ike') d.cls = 'invalid';
    else {
      // Who asked: the sender of a request, the receiver of a response.
      const asker = d.response ? (d.dir === 'in' ? 'out' : 'in') : d.dir;
      const key = `${d.spis}/${d.messageId}/${asker}`;
      if (d.response) d.cls = requests.get(key) ?? requestClass(d);
      else requests.set(key, (d.cls = requestClass(d)));
    }
  }
}

function requestClass(d: WireDatagram): WireClass {
  switch (d.exchange) {
    case EXCHANGE.IKE_SA_INIT:
    case EXCHANGE.IKE_AUTH:
      return 'ike-setup';
    case EXCHANGE.CREATE_CHILD_SA:
      return 'rekey';
    case EXCHANGE.INFORMATIONAL:
      if (d.skNext === PAYLOAD_DELETE) return 'delete';
      return d.skNext === 0 ? 'dpd' : 'control';
    default:
      return 'control';
  }
}

/** docs/lab.md, "How packets become wakeups". */
const CAUSE_OF: Readonly<Record<WireClass, Cause>> = {
  'ike-setup': 'reconnect',
  delete: 'reconnect',
  dpd: 'dpd',
  control: 'dpd',
  rekey: 'rekey',
  keepalive: 'keepalive',
  data: 'data',
  invalid: 'data',
};

export function causeOfClass(cls: WireClass): Cause {
  return CAUSE_OF[cls];
}

export interface ModelWakeup {
  /** Seconds since the first datagram. */
  t: number;
  cause: Cause;
}

/**
 * The radio wakeups of a client with `profile` that exchanges `list` with the gateway, from a
 * fresh RadioModel fed in time order. `shiftGapsS` moves every datagram that comes more than 1 s
 * after the one before it by that much more (or less): a robustness probe (see the test).
 */
export function modelWakeups(list: readonly WireDatagram[], profile: RadioProfile, shiftGapsS = 0): ModelWakeup[] {
  const sorted = [...list].sort((a, b) => a.t - b.t);
  const radio = new RadioModel(profile, { startS: sorted[0]?.t ?? 0, record: true });
  let shift = 0;
  let prev: number | null = null;
  for (const d of sorted) {
    if (prev !== null && d.t - prev > 1) shift += shiftGapsS;
    prev = d.t;
    radio.packet(d.t + shift, d.dir === 'in', d.ipBytes, CAUSE[causeOfClass(d.cls)]);
  }
  const log = radio.log!;
  return log.time.map((t, i) => ({ t, cause: CAUSES[log.cause[i]!]! }));
}

/** Wakeups per cause. */
export function countByCause(causes: readonly Cause[]): Partial<Record<Cause, number>> {
  const out: Partial<Record<Cause, number>> = {};
  for (const c of causes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

/** How long a lone packet keeps the radio out of idle: promotion plus every tail stage, s. */
export function tailAfterWakeupS(profile: RadioProfile): number {
  return profile.promotion.durationS + profile.tail.reduce((s, st) => s + st.durationS, 0);
}
