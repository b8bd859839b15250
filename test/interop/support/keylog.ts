/**
 * Reads IKE and ESP keys out of a charon filelog written with `ike = 4` and `chd = 4`
 * (charon.ts configures that). Debian's strongSwan 5.9.8 has no save-keys plugin, so this is how a
 * capture of a charon peer gets decrypted; WakeLab's responder exports the same rows itself.
 *
 * Log shape (filelog with time_format and ike_name = yes):
 *
 *   00:05:05.309 13[IKE] <home|1> Sk_ei secret => 16 bytes @ 0x7fce2c002300
 *   00:05:05.309 13[IKE] <home|1>    0: 5D D3 E1 AB A3 A9 56 D5 FD 72 A0 9F 46 7A 3A 7C  ].....V..r..Fz:|
 *
 * A `label => N bytes @ addr` line opens a binary dump whose hex rows follow from the same thread.
 * State is kept per IKE_SA unique id (`<name|id>`), or per thread when a line has none.
 *  - SPIs: the `natd_chunk` dump starts with SPIi and SPIr; the last one with a non-zero SPIr.
 *  - IKE algorithms: `selected proposal: IKE:...`; keys: `Sk_{d,ai,ar,ei,er,pi,pr} secret`.
 *  - CHILD_SA: `selected proposal: ESP:...`, `{encryption,integrity} {initiator,responder} key`,
 *    then `CHILD_SA name{n} established with SPIs <in>_i <out>_o`. Initiator keys protect what the
 *    exchange initiator sends, and the side that last parsed a *response* initiated the exchange.
 */

export interface IkeSaKeys {
  ikeName: string;
  uniqueId: string;
  /** 16 hex digits each. */
  spiI: string;
  spiR: string;
  /** charon's names, e.g. AES_CBC with 128, HMAC_SHA2_256_128 (null for AEAD), PRF_HMAC_SHA2_256, MODP_3072. */
  encr: string;
  encrBits: number;
  integ: string | null;
  prf: string | null;
  dh: string | null;
  /** Hex keys (AEAD keys include the salt; skAi/skAr are empty for AEAD). */
  skD: string;
  skEi: string;
  skEr: string;
  skAi: string;
  skAr: string;
  skPi: string;
  skPr: string;
}

export interface EspSaKeys {
  ikeName: string;
  uniqueId: string;
  childName: string;
  childId: string;
  /** 8 hex digits, as charon prints it. */
  spi: string;
  /** As seen from the charon that wrote the log. */
  direction: 'in' | 'out';
  encr: string;
  encrBits: number;
  integ: string | null;
  encKey: string;
  intKey: string;
}

export interface CharonKeys {
  ike: IkeSaKeys[];
  esp: EspSaKeys[];
}

interface Entry {
  sa: string;
  saName: string;
  text: string;
  label: string | null;
  data: number[];
}

const LINE = /^(?:\S+ )?(\d+)\[(\w+)\] (?:<([^>]*)> )?(.*)$/;
const DUMP_HEADER = /^(.+?) => (\d+) bytes @ (?:0x)?[0-9a-fA-F]+$/;
const DUMP_ROW = /^\s*(\d+): ((?:[0-9A-F]{2} )*[0-9A-F]{2})(?: {2}|$)/;

function entries(log: string): Entry[] {
  const out: Entry[] = [];
  const openDump = new Map<string, Entry>();
  for (const line of log.split('\n')) {
    const m = LINE.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const [, thread, , ctx, text] = m as unknown as [string, string, string, string | undefined, string];
    const bar = ctx?.lastIndexOf('|') ?? -1;
    const sa = ctx === undefined ? `thread-${thread}` : ctx.slice(bar + 1);
    const saName = ctx === undefined || bar < 0 ? '' : ctx.slice(0, bar);
    const row = DUMP_ROW.exec(text);
    const open = openDump.get(thread);
    if (row && open && Number(row[1]) === open.data.length) {
      for (const h of row[2]!.split(' ')) open.data.push(parseInt(h, 16));
      continue;
    }
    const header = DUMP_HEADER.exec(text.trim());
    const entry: Entry = { sa, saName, text: text.trim(), label: header ? header[1]!.trim() : null, data: [] };
    out.push(entry);
    if (header) openDump.set(thread, entry);
    else openDump.delete(thread);
  }
  return out;
}

const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');

/** Splits `AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072` into its parts. */
export function parseProposal(p: string): { encr: string; encrBits: number; integ: string | null; prf: string | null; dh: string | null } {
  const parts = p.split('/');
  const first = parts[0] ?? '';
  const bits = /^(.*)_(\d+)$/.exec(first);
  const isNumberedAead = /^(AES_GCM|AES_CCM)_\d+$/.test(first); // AES_GCM_16 without a key size
  const r = { encr: bits && !isNumberedAead ? bits[1]! : first, encrBits: bits && !isNumberedAead ? Number(bits[2]) : 0, integ: null as string | null, prf: null as string | null, dh: null as string | null };
  for (const t of parts.slice(1)) {
    if (t.startsWith('PRF_')) r.prf = t;
    else if (/^(HMAC_|AES_XCBC|AES_CMAC|AUTH_)/.test(t)) r.integ = t;
    else if (/^(MODP_|ECP_|CURVE_|ECC_|BRAINPOOL|NTRU|KE_|ML_KEM)/.test(t)) r.dh = t;
  }
  return r;
}

interface IkeState {
  spis: [string, string] | null;
  alg: ReturnType<typeof parseProposal> | null;
  keys: Record<string, string>;
  waiting: Array<Omit<IkeSaKeys, 'spiI' | 'spiR'>>;
}

interface ChildState {
  lastParsed: 'request' | 'response' | null;
  alg: ReturnType<typeof parseProposal> | null;
  keys: Record<string, string>;
}

/** All IKE_SA and ESP SA keys found in a charon log. */
export function parseCharonKeys(log: string): CharonKeys {
  const ike: IkeSaKeys[] = [];
  const esp: EspSaKeys[] = [];
  const ikeState = new Map<string, IkeState>();
  const childState = new Map<string, ChildState>();
  const ikeOf = (sa: string): IkeState => {
    let s = ikeState.get(sa);
    if (!s) ikeState.set(sa, (s = { spis: null, alg: null, keys: {}, waiting: [] }));
    return s;
  };
  const childOf = (sa: string): ChildState => {
    let s = childState.get(sa);
    if (!s) childState.set(sa, (s = { lastParsed: null, alg: null, keys: {} }));
    return s;
  };

  const all = entries(log);
  for (const e of all) {
    if (e.label === 'natd_chunk' && e.data.length >= 16 && e.data.slice(8, 16).some((b) => b !== 0)) {
      const s = ikeOf(e.sa);
      s.spis = [hex(e.data.slice(0, 8)), hex(e.data.slice(8, 16))];
      for (const w of s.waiting.splice(0)) ike.push({ ...w, spiI: s.spis[0], spiR: s.spis[1] });
      continue;
    }
    let m = /^selected proposal: IKE:(\S+)/.exec(e.text);
    if (m) {
      ikeOf(e.sa).alg = parseProposal(m[1]!);
      continue;
    }
    m = /^Sk_(d|ai|ar|ei|er|pi|pr) secret$/.exec(e.label ?? '');
    if (m) {
      const s = ikeOf(e.sa);
      s.keys[m[1]!] = hex(e.data);
      if (m[1] === 'pr') {
        // Sk_pr is derived last: the set is complete.
        const alg = s.alg ?? { encr: 'AES_CBC', encrBits: (s.keys.ei?.length ?? 32) * 4, integ: 'HMAC_SHA2_256_128', prf: null, dh: null };
        const k = s.keys;
        const row = { ikeName: e.saName, uniqueId: e.sa, ...alg, skD: k.d ?? '', skEi: k.ei ?? '', skEr: k.er ?? '', skAi: k.ai ?? '', skAr: k.ar ?? '', skPi: k.pi ?? '', skPr: k.pr ?? '' };
        s.keys = {};
        // The responder logs its keys before it builds the NAT-D payloads that show its SPI.
        if (s.spis && s.spis[1] !== '0000000000000000') ike.push({ ...row, spiI: s.spis[0], spiR: s.spis[1] });
        else s.waiting.push(row);
      }
      continue;
    }
    m = /^parsed \S+ (request|response) /.exec(e.text);
    if (m) {
      childOf(e.sa).lastParsed = m[1] as 'request' | 'response';
      continue;
    }
    m = /^selected proposal: ESP:(\S+)/.exec(e.text);
    if (m) {
      const c = childOf(e.sa);
      c.alg = parseProposal(m[1]!);
      c.keys = {};
      continue;
    }
    m = /^(encryption|integrity) (initiator|responder) key$/.exec(e.label ?? '');
    if (m) {
      childOf(e.sa).keys[`${m[1]![0]}${m[2]![0]}`] = hex(e.data);
      continue;
    }
    m = /CHILD_SA (.+?)\{(\d+)\} established with SPIs ([0-9a-f]+)_i ([0-9a-f]+)_o/.exec(e.text);
    if (m) {
      const c = childOf(e.sa);
      if (!c.alg || !c.keys.ei) continue;
      const weInitiated = c.lastParsed === 'response';
      const mine = weInitiated ? 'i' : 'r';
      const theirs = weInitiated ? 'r' : 'i';
      const base = { ikeName: e.saName, uniqueId: e.sa, childName: m[1]!, childId: m[2]!, encr: c.alg.encr, encrBits: c.alg.encrBits, integ: c.alg.integ };
      esp.push({ ...base, spi: m[4]!, direction: 'out', encKey: c.keys[`e${mine}`] ?? '', intKey: c.keys[`i${mine}`] ?? '' });
      esp.push({ ...base, spi: m[3]!, direction: 'in', encKey: c.keys[`e${theirs}`] ?? '', intKey: c.keys[`i${theirs}`] ?? '' });
      c.alg = null;
      c.keys = {};
    }
  }
  // The responder's first lines for an IKE_SA come before it has a name: take the SA's later one.
  const names = new Map<string, string>();
  for (const e of all) if (e.saName !== '' && !e.sa.startsWith('thread-')) names.set(e.sa, e.saName);
  for (const k of [...ike, ...esp]) if (k.ikeName === '') k.ikeName = names.get(k.uniqueId) ?? '';
  return { ike, esp };
}
