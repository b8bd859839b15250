/**
 * Packet captures inside a namespace (dumpcap, about 10 MB each; `tshark -w` would be about
 * 170 MB) and reading them back with tshark, decrypting IKEv2 and ESP from keys in Wireshark's
 * UAT formats (interop-testbed.md). tshark runs with an empty private config directory, so a
 * user's Wireshark preferences never change what a test sees.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EspSaKeys, IkeSaKeys } from './keylog.ts';
import type { Role, Topology } from './netns.ts';
import { bin } from './prereq.ts';
import { pollFor, run, sleep, type Tracked } from './proc.ts';

export { parseCharonKeys, type CharonKeys, type EspSaKeys, type IkeSaKeys } from './keylog.ts';

export class Capture {
  private constructor(
    readonly path: string,
    readonly iface: string,
    private readonly proc: Tracked,
  ) {}

  /**
   * Starts dumpcap on `iface` in the namespace of `role`, writing pcapng to `path`; resolves once
   * dumpcap has opened the interface (the file has its header). Owned by the topology.
   */
  static async start(topo: Topology, role: Role, iface: string, path: string, opts: { filter?: string; startTimeoutMs?: number } = {}): Promise<Capture> {
    mkdirSync(dirname(path), { recursive: true });
    const argv = [bin('dumpcap'), '-q', '-i', iface, '-w', path];
    if (opts.filter) argv.push('-f', opts.filter);
    const proc = topo.spawn(role, `dumpcap ${role}/${iface}`, argv, `${path}.log`);
    await pollFor(`dumpcap on ${role}/${iface} to open ${path}`, opts.startTimeoutMs ?? 5000, () => {
      if (!proc.running) throw new Error(`dumpcap on ${role}/${iface} exited early (${JSON.stringify(proc.exit)}); see ${path}.log`);
      try {
        return statSync(path).size > 0 ? true : undefined;
      } catch {
        return undefined;
      }
    });
    return new Capture(path, iface, proc);
  }

  get pid(): number {
    return this.proc.pid;
  }

  /**
   * Stops dumpcap (SIGTERM lets it finish the file); bounded, SIGKILL fallback. libpcap hands
   * packets over in blocks (dumpcap's read timeout is 250 ms) and what is still in the kernel at
   * SIGTERM is lost, so first wait until the file has not grown for `quietMs` (at most `maxWaitMs`).
   */
  async stop(opts: { quietMs?: number; maxWaitMs?: number } = {}): Promise<void> {
    const quietMs = opts.quietMs ?? 600;
    const deadline = performance.now() + (opts.maxWaitMs ?? 3000);
    let size = -1;
    let since = performance.now();
    while (this.proc.running && performance.now() < deadline) {
      const now = statSync(this.path).size;
      if (now !== size) {
        size = now;
        since = performance.now();
      } else if (performance.now() - since >= quietMs) break;
      await sleep(50);
    }
    const r = await this.proc.stop(5000, 2000);
    if (!r.stopped) throw new Error(`dumpcap ${this.pid} did not stop`);
  }
}

// ---- Wireshark UAT rows -------------------------------------------------------------------

/** Wireshark's IKEv2 encryption name for a charon algorithm, or null when Wireshark has none. */
export function wiresharkIkeEncr(encr: string, bits: number): string | null {
  if (encr === 'AES_CBC') return `AES-CBC-${bits} [RFC3602]`;
  if (encr === 'AES_CTR') return `AES-CTR-${bits} [RFC5930]`;
  const aead = /^AES_(GCM|CCM)_(8|12|16)$/.exec(encr);
  if (aead) return `AES-${aead[1]}-${bits} with ${aead[2]} octet ICV [RFC5282]`;
  if (encr === '3DES_CBC') return '3DES [RFC2451]';
  if (encr === 'NULL') return 'NULL [RFC2410]';
  return null;
}

export function wiresharkIkeInteg(integ: string | null): string | null {
  if (integ === null) return 'NONE [RFC4306]';
  if (/^HMAC_SHA2_(256_128|384_192|512_256)$/.test(integ)) return `${integ} [RFC4868]`;
  if (integ === 'HMAC_SHA1_96') return 'HMAC_SHA1_96 [RFC2404]';
  if (integ === 'HMAC_MD5_96') return 'HMAC_MD5_96 [RFC2403]';
  return null;
}

export function wiresharkEspEncr(encr: string): string | null {
  if (encr === 'AES_CBC') return 'AES-CBC [RFC3602]';
  if (encr === 'AES_CTR') return 'AES-CTR [RFC3686]';
  const gcm = /^AES_GCM_(8|12|16)$/.exec(encr);
  if (gcm) return `AES-GCM with ${gcm[1]} octet ICV [RFC4106]`;
  if (encr === '3DES_CBC') return 'TripleDES-CBC [RFC2451]';
  if (encr === 'NULL') return 'NULL';
  return null;
}

export function wiresharkEspInteg(integ: string | null): string | null {
  if (integ === null) return 'NULL';
  const m = /^HMAC_SHA2_(256|384|512)_(128|192|256)$/.exec(integ);
  if (m) return `HMAC-SHA-${m[1]}-${m[2]} [RFC4868]`;
  if (integ === 'HMAC_SHA1_96') return 'HMAC-SHA-1-96 [RFC2404]';
  return null;
}

/** One `ikev2_decryption_table` row (SPIs and keys unquoted hex), or null if Wireshark lacks the algorithm. */
export function ikeUatRow(k: IkeSaKeys): string | null {
  const encr = wiresharkIkeEncr(k.encr, k.encrBits);
  const integ = wiresharkIkeInteg(k.integ);
  if (!encr || !integ) return null;
  return `${k.spiI},${k.spiR},${k.skEi},${k.skEr},"${encr}",${k.skAi},${k.skAr},"${integ}"`;
}

/** One `esp_sa` row (any addresses), or null if Wireshark lacks the algorithm. */
export function espUatRow(k: EspSaKeys): string | null {
  const encr = wiresharkEspEncr(k.encr);
  const integ = wiresharkEspInteg(k.integ);
  if (!encr || !integ) return null;
  const auth = k.integ === null ? '""' : `"0x${k.intKey}"`;
  return `"IPv4","*","*","0x${k.spi}","${encr}","0x${k.encKey}","${integ}",${auth}`;
}

/** tshark `-o` arguments that decrypt with these keys (rows Wireshark cannot use are left out). */
export function decryptionArgs(keys: { ike?: IkeSaKeys[]; esp?: EspSaKeys[] }): string[] {
  const args: string[] = [];
  for (const k of keys.ike ?? []) {
    const row = ikeUatRow(k);
    if (row) args.push('-o', `uat:ikev2_decryption_table:${row}`);
  }
  const esp = (keys.esp ?? []).map(espUatRow).filter((r): r is string => r !== null);
  if (esp.length > 0) args.push('-o', 'esp.enable_encryption_decode:TRUE');
  for (const row of esp) args.push('-o', `uat:esp_sa:${row}`);
  return args;
}

// ---- tshark ---------------------------------------------------------------------------------

export interface TsharkOptions {
  ike?: IkeSaKeys[];
  esp?: EspSaKeys[];
  /** Display filter (-Y). */
  filter?: string;
  /** Further arguments, e.g. ['-V', '-O', 'isakmp'] or ['-T', 'fields', '-e', 'frame.number']. */
  args?: string[];
  timeoutMs?: number;
}

/** Runs `tshark -r file` with the decryption tables; returns stdout. */
export async function tshark(file: string, opts: TsharkOptions = {}): Promise<string> {
  const configDir = join(dirname(file), '.wireshark-config');
  mkdirSync(configDir, { recursive: true });
  const argv = [bin('tshark'), '-n', '-r', file, ...decryptionArgs(opts)];
  if (opts.filter) argv.push('-Y', opts.filter);
  argv.push(...(opts.args ?? []));
  const r = await run(argv, { timeoutMs: opts.timeoutMs ?? 30_000, env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir } });
  return r.stdout;
}

/** `tshark -T json` output (one object per frame). */
export async function tsharkJson(file: string, opts: TsharkOptions = {}): Promise<Array<{ _source: { layers: Record<string, unknown> } }>> {
  const out = await tshark(file, { ...opts, args: ['-T', 'json', ...(opts.args ?? [])] });
  return out.trim() === '' ? [] : (JSON.parse(out) as Array<{ _source: { layers: Record<string, unknown> } }>);
}

export interface IkeMessage {
  frame: number;
  exchange: string;
  messageId: number;
  /** Sent by the original initiator of the IKE_SA (the I flag). */
  fromInitiator: boolean;
  response: boolean;
  /** Had an Encrypted (SK) payload, and tshark decrypted it. */
  encrypted: boolean;
  decrypted: boolean;
  /** tshark's verdict on the Integrity Checksum Data, null when it did not check. */
  integrity: 'correct' | 'incorrect' | null;
  /**
   * Payload names in order, inner ones included once decrypted (proposals and transforms left
   * out), e.g. "Encrypted and Authenticated", "Identification - Initiator", "Notify: INITIAL_CONTACT".
   */
  payloads: string[];
}

/** The IKEv2 messages in a capture, decrypted with `ike` keys, as tshark's verbose text reports them. */
export async function ikeMessages(file: string, ike: IkeSaKeys[] = [], timeoutMs?: number): Promise<IkeMessage[]> {
  const text = await tshark(file, { ike, filter: 'isakmp', args: ['-V', '-O', 'isakmp'], timeoutMs });
  return parseIkeVerbose(text);
}

export function parseIkeVerbose(text: string): IkeMessage[] {
  const out: IkeMessage[] = [];
  for (const block of text.split(/^(?=Frame \d+: )/m)) {
    const frame = /^Frame (\d+): /.exec(block);
    const exchange = /^\s*Exchange type: (.+?) \(\d+\)$/m.exec(block);
    if (!frame || !exchange) continue;
    const flags = /^\s*Flags: 0x[0-9a-f]+ \(([^)]*)\)$/m.exec(block)?.[1] ?? '';
    const mid = /^\s*Message ID: 0x([0-9a-f]+)$/m.exec(block);
    const icd = /Integrity Checksum Data: .*\[(correct|incorrect)/.exec(block);
    out.push({
      frame: Number(frame[1]),
      exchange: exchange[1]!,
      messageId: mid ? parseInt(mid[1]!, 16) : -1,
      fromInitiator: /(^|, )Initiator(,|$)/.test(flags),
      response: /(^|, )Response(,|$)/.test(flags),
      encrypted: /^\s*Payload: Encrypted and Authenticated/m.test(block),
      decrypted: /^\s*Decrypted Data \(/m.test(block),
      integrity: (icd?.[1] as 'correct' | 'incorrect' | undefined) ?? null,
      payloads: [...block.matchAll(/^\s*Payload: (.+?) \(\d+\)(?: - (\S+))?/gm)]
        .filter((m) => m[1] !== 'Proposal' && m[1] !== 'Transform')
        .map((m) => (m[2] ? `${m[1]}: ${m[2]}` : m[1]!)),
    });
  }
  return out;
}

export interface EspPacket {
  frame: number;
  spi: string;
  /** The inner IPv4 header, when tshark decrypted the packet. */
  inner: { src: string; dst: string; proto: number } | null;
  icmpType: number | null;
}

/** ESP packets in a capture, decrypted with `esp` keys. */
export async function espPackets(file: string, esp: EspSaKeys[], timeoutMs?: number): Promise<EspPacket[]> {
  const fields = ['frame.number', 'esp.spi', 'ip.src', 'ip.dst', 'ip.proto', 'icmp.type'];
  const out = await tshark(file, { esp, filter: 'esp', args: ['-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], timeoutMs });
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [frame, spi, src, dst, proto, icmp] = l.split('\t');
      const srcs = (src ?? '').split(',');
      const dsts = (dst ?? '').split(',');
      const protos = (proto ?? '').split(',');
      // The second IPv4 header, if any, is the decrypted inner packet.
      const inner = srcs.length > 1 ? { src: srcs[1]!, dst: dsts[1] ?? '', proto: Number(protos[1]) } : null;
      return { frame: Number(frame), spi: (spi ?? '').replace(/^0x/, ''), inner, icmpType: icmp ? Number(icmp.split(',')[0]) : null };
    });
}
