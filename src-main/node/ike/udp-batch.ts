/**
 * Batched receive on a node:dgram socket: the addon in native/esp-crypto (src/udp_batch.c) reads
 * up to SLOTS datagrams per recvmmsg(2) into one buffer, and JavaScript is called once per batch,
 * instead of node:dgram's recvmsg, Buffer, address object and callback per datagram (under an ESP
 * flood, most of the responder's CPU: BENCHMARKS.md, "ESP through the testbed").
 *
 * Node keeps the socket: it binds, sends and closes it; only its reading is stopped. The datagram
 * handed on is a view of the batch buffer, valid until the callback returns: a caller that keeps
 * the bytes must copy them. Linux only; elsewhere, without the addon, or where node:dgram's
 * handle is not where Node 20 keeps it, `attachBatchReceiver` says why and the caller reads with
 * node:dgram as before.
 */
import type dgram from 'node:dgram';
import { loadEspAddon } from '../crypto/native-suite.ts';

/** Datagrams per recvmmsg. */
const SLOTS = 32;
/** Each slot holds the largest UDP payload over IPv4: 65,535 - 20 (IPv4 header) - 8 (UDP), RFC 768. */
const SLOT_BYTES = 65_536;
/** Per slot (udp_batch.c): length, IPv4 source (host order), source port, flags. */
const META_INTS = 4;
const FLAG_TRUNCATED = 1;
const FLAG_NOT_IPV4 = 2;
/** Source address strings kept for reuse, by their 32-bit value (a new string per datagram otherwise). */
const ADDRESS_CACHE_MAX = 4096;

export type OnDatagram = (bytes: Uint8Array, address: string, port: number) => void;

export interface BatchReceiver {
  /** Stops reading (before the socket closes; node:dgram's reading is not started again). */
  close(): void;
}

/** What node:dgram keeps of the socket's libuv handle (lib/internal/dgram.js, Node 20). */
interface UdpHandle {
  readonly fd: number;
  recvStop(): number;
}

/** The socket's handle, found without the deprecated `_handle` getter (DEP0112). */
function udpHandle(socket: dgram.Socket): UdpHandle | null {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const state = key ? (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> } | undefined>)[key] : undefined;
  const h = state?.handle;
  return h && Number.isInteger(h.fd) && (h.fd as number) >= 0 && typeof h.recvStop === 'function' ? (h as UdpHandle) : null;
}

function formatAddress(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/**
 * Reads a bound socket's datagrams in batches from now on. Returns the receiver, or why it cannot
 * (one line; node:dgram then still reads the socket).
 */
export function attachBatchReceiver(socket: dgram.Socket, onDatagram: OnDatagram): BatchReceiver | string {
  if (process.platform !== 'linux') return 'batched receive needs Linux (recvmmsg)';
  const load = loadEspAddon();
  if (!load.ok) return load.reason;
  const addon = load.addon;
  const open = addon.udpRecvOpen;
  const close = addon.udpRecvClose;
  if (!open || !close) return 'the native addon has no batched receive (rebuild it: npm install)';
  const handle = udpHandle(socket);
  if (!handle) return "node:dgram's socket handle is not where Node 20 keeps it";
  const data = new Uint8Array(SLOTS * SLOT_BYTES);
  const meta = new Int32Array(SLOTS * META_INTS);
  const names = new Map<number, string>();
  let closed = false;
  const onBatch = (count: number): void => {
    // `closed`: a datagram's handler may close the receiver; the rest of the batch is dropped.
    for (let i = 0; i < count && !closed; i++) {
      const m = i * META_INTS;
      // Cannot happen on a udp4 socket with 64 KiB slots; dropped as the kernel would a bad datagram.
      if ((meta[m + 3]! & (FLAG_TRUNCATED | FLAG_NOT_IPV4)) !== 0) continue;
      const a = meta[m + 1]!;
      let address = names.get(a);
      if (address === undefined) {
        if (names.size >= ADDRESS_CACHE_MAX) names.clear();
        address = formatAddress(a);
        names.set(a, address);
      }
      const at = i * SLOT_BYTES;
      onDatagram(data.subarray(at, at + meta[m]!), address, meta[m + 2]!);
    }
  };
  let receiver: ReturnType<typeof open>;
  try {
    receiver = open(handle.fd, data, meta, SLOTS, onBatch);
  } catch (e) {
    return String((e as Error).message ?? e);
  }
  if (handle.recvStop() !== 0) {
    close(receiver);
    return "node:dgram's reading could not be stopped";
  }
  // The addon holds `onBatch` strongly, and `onBatch`'s closure holds `receiver`: an open receiver
  // is never collected, so it reads until closed (close it before the socket).
  return {
    close() {
      if (closed) return;
      closed = true;
      close(receiver);
    },
  };
}
