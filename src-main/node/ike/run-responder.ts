/**
 * `wakelab responder`: the IKEv2 responder with its ESP data plane and virtual host (the core's
 * Gateway) on real UDP sockets. Builds the engine from a validated configuration, hosts it
 * (udp-host.ts), logs each event as one line, and keeps the Wireshark key tables up to date when
 * asked to.
 */
import { randomBytes } from 'node:crypto';
import { createNobleSuite } from '../../core/crypto/noble-suite.ts';
import { Gateway } from '../../core/gateway/gateway.ts';
import { gatewayOptionsOf } from '../../core/gateway/options.ts';
import { restoreSnapshot, takeSnapshot } from '../../core/gateway/snapshot.ts';
import type { Snapshot } from '../../core/gateway/snapshot-schema.ts';
import type { IkeEvent } from '../../core/ike/io.ts';
import type { ResponderConfig } from '../../core/ike/responder-config.ts';
import type { Responder } from '../../core/ike/responder.ts';
import { espBackend, type EspBackendName } from '../crypto/native-suite.ts';
import { checkAgainstNoble, checkEspAgainstNoble, createNodeSuite } from '../crypto/node-suite.ts';
import { UdpHost, type ReceivePath } from './udp-host.ts';
import { writeWiresharkKeys } from './wireshark-keys.ts';

export interface ResponderRunOptions {
  readonly onEvent: (e: IkeEvent, t: number) => void;
  /** Keep ikev2_decryption_table and esp_sa in this folder current (secrets). */
  readonly wiresharkDir?: string;
  /** Report every datagram as a `traffic` event (costs an object a packet); default false. */
  readonly traffic?: boolean;
  /** Carry on with the SAs of this snapshot (core/gateway/snapshot.ts) once listening. */
  readonly restore?: { readonly snapshot: Snapshot; readonly seqJump: number };
  /** Seconds on a monotonic clock (default: the UDP host's). */
  readonly clock?: () => number;
  /** Engine seconds per real second (udp-host.ts; default 1). */
  readonly timeScale?: number;
}

export interface RunningResponder {
  readonly gateway: Gateway;
  readonly responder: Responder;
  readonly ports: { ike: number; natt: number };
  /** Which ESP backend runs (`native` asked for but not loadable runs `node`, with `fallback` saying why). */
  readonly espBackend: { readonly name: EspBackendName; readonly detail: string; readonly fallback?: string };
  /** How the sockets are read (`listen.receive`; `batched` asked for but not possible reads with `dgram`, `fallback` saying why). */
  readonly receive: ReceivePath;
  /** The SAs' state now (secrets). */
  snapshot(): Snapshot;
  /** Runs an action on the engine now (a policy change) and sends what it produced. */
  act(fn: (now: number) => void): void;
  close(): Promise<void>;
}

/**
 * What a start fell back from, to warn about once: the ESP backend's reason, else the receive
 * path's (a missing addon is the reason for both, and said once).
 */
export function fallbackWarning(r: Pick<RunningResponder, 'espBackend' | 'receive'>): string | undefined {
  return r.espBackend.fallback ?? r.receive.fallback;
}

export async function runResponder(cfg: ResponderConfig, o: ResponderRunOptions): Promise<RunningResponder> {
  checkAgainstNoble(); // OpenSSL must agree with the reference suite before it is trusted
  const suite = createNodeSuite();
  const backend = espBackend(cfg.esp.backend, { node: () => suite, noble: () => createNobleSuite((n) => new Uint8Array(randomBytes(n))) });
  if (backend.name === 'native') checkEspAgainstNoble(backend.suite, 'native'); // the addon too, before it is trusted
  const gateway = new Gateway({ ...gatewayOptionsOf(cfg, { ike: suite, esp: backend.suite }), traffic: o.traffic === true });
  const responder = gateway.responder;
  const host: UdpHost = new UdpHost(gateway, {
    address: cfg.listen.address,
    localAddress: cfg.listen.address,
    ports: [cfg.listen.ikePort, cfg.listen.nattPort],
    receive: cfg.listen.receive,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.timeScale ? { timeScale: o.timeScale } : {}),
    onEvent: (e) => {
      o.onEvent(e, host.engineTime);
      if (o.wiresharkDir && (e.kind === 'ike-up' || e.kind === 'child-up' || e.kind === 'ike-rekeyed' || e.kind === 'child-down' || e.kind === 'ike-down' || e.kind === 'ike-restored')) {
        writeWiresharkKeys(o.wiresharkDir, responder.ikeSas);
      }
    },
  });
  const [ike, natt] = await host.start();
  const restore = o.restore;
  if (restore) host.act((now) => restoreSnapshot(gateway, now, restore.snapshot, { seqJump: restore.seqJump }));
  return {
    gateway,
    responder,
    ports: { ike: ike!, natt: natt! },
    espBackend: { name: backend.name, detail: backend.detail, ...(backend.fallback ? { fallback: backend.fallback } : {}) },
    receive: host.receivePath,
    snapshot: () => takeSnapshot(gateway, host.clock(), new Date().toISOString()),
    act: (fn) => host.act(fn),
    close: () => host.close(),
  };
}
