/**
 * One line per IKE event for `wakelab responder` / `wakelab client` logs: plain text by default,
 * one JSON object per line with --json-log. Keys never appear here.
 */
import type { ChildSaInfo, IkeEvent } from '../../core/ike/io.ts';

const ep = (e: { address: string; port: number }) => `${e.address}:${e.port}`;

/** The events that change an SA or the policy: what logs and the Live view show without --verbose. */
const LIFECYCLE = new Set<IkeEvent['kind']>(['ike-up', 'ike-down', 'ike-rekeyed', 'child-up', 'child-down', 'peer-moved', 'ike-restored', 'mid-sync', 'mobike-update', 'dpd-failed', 'policy-changed']);

export function isLifecycle(e: IkeEvent): boolean {
  return LIFECYCLE.has(e.kind);
}

export function textLine(e: IkeEvent): string {
  switch (e.kind) {
    case 'exchange':
      return `${e.sa} ${e.dir === 'in' ? '<-' : '->'} ${e.exchange} ${e.request ? 'request' : 'response'} #${e.messageId} ${e.summary}`;
    case 'ike-up':
      return `${e.sa} IKE SA established with "${e.peerId}" at ${ep(e.peer)}${e.virtualIp ? `, virtual IP ${e.virtualIp}` : ''}`;
    case 'ike-down':
      return `${e.sa} IKE SA gone (${e.reason})`;
    case 'ike-rekeyed':
      return `${e.sa} IKE SA rekeyed, now ${e.newSa}`;
    case 'child-up':
      return `${e.sa} CHILD_SA ${hex(e.child.spiIn)}_i ${hex(e.child.spiOut)}_o ${e.child.localTs.join(' ')} === ${e.child.remoteTs.join(' ')}${e.rekeyOf !== null ? ` (rekeys ${hex(e.rekeyOf)})` : ''}`;
    case 'child-down':
      return `${e.sa} CHILD_SA ${hex(e.spiIn)}_i gone (${e.reason})`;
    case 'peer-moved':
      return `${e.sa} peer now at ${ep(e.peer)}`;
    case 'ike-restored':
      return `${e.sa} IKE SA restored from a snapshot: "${e.peerId}" at ${ep(e.peer)}${e.virtualIp ? `, virtual IP ${e.virtualIp}` : ''}, ${e.children.length} CHILD_SA(s)`;
    case 'mid-sync':
      return `${e.sa} IKE message IDs ${e.ok ? 'synchronised (RFC 6311)' : 'not synchronised'}: next request ${e.nextId}, expecting ${e.expectId}`;
    case 'mobike-update':
      return `${e.sa} MOBIKE UPDATE_SA_ADDRESSES: peer at ${ep(e.peer)}${e.peerBehindNat ? ', behind a NAT' : ''}`;
    case 'dpd-failed':
      return `${e.sa} dead peer detection failed (action ${e.action})`;
    case 'drop':
      return `dropped a datagram from ${ep(e.from)}: ${e.reason} (${e.detail})`;
    case 'keepalive':
      return `NAT-T keepalive from ${ep(e.from)}`;
    case 'policy-changed':
      return `policy changed: ${Object.entries(e.changes).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`;
    case 'traffic':
      return `${e.dir === 'in' ? '<-' : '->'} ${ep(e.peer)} ${e.cls} ${e.ipBytes} B${e.sa ? ` ${e.sa}` : ''}${e.spi !== undefined ? ` SPI ${hex(e.spi)}` : ''}${e.messageId !== undefined ? ` #${e.messageId}${e.request ? ' request' : ' response'}` : ''}`;
  }
}

function hex(spi: number): string {
  return spi.toString(16).padStart(8, '0');
}

export function jsonLine(e: IkeEvent, t: number): string {
  const noKeys = (c: ChildSaInfo) => ({ ...c, keysIn: undefined, keysOut: undefined });
  return JSON.stringify({
    t: Math.round(t * 1000) / 1000,
    ...e,
    ...(e.kind === 'child-up' ? { child: noKeys(e.child) } : {}),
    ...(e.kind === 'ike-restored' ? { children: e.children.map(noKeys) } : {}),
    ...(e.kind === 'traffic' ? { head: Buffer.from(e.head).toString('hex') } : {}),
  });
}
