/**
 * What happens to an IKE SA over its life, whoever drives the exchange: it is established (and
 * INITIAL_CONTACT clears older SAs of the same identity, RFC 7296 2.4), gets CHILD_SAs, schedules
 * its liveness checks (2.4) and rekeys (2.8), and goes away with its CHILD_SAs.
 */
import { formatIpv4 } from '../../net/ipv4.ts';
import type { ChildSa } from '../child-sa.ts';
import type { IkeSa } from '../ike-sa.ts';
import type { Env } from './env.ts';

type Down = Extract<import('../io.ts').IkeEvent, { kind: 'ike-down' }>['reason'];

/**
 * When a new SA is to be rekeyed: `base` seconds from now, less a random part of up to `jitterS`
 * (swanctl rand_time, 2.8: "randomize the lifetime"), drawn from the suite's random source.
 */
export function rekeyDue(env: Env, now: number, base: number, jitterS = 0): number {
  if (base <= 0) return Infinity;
  if (jitterS <= 0) return now + base;
  const r = env.suite.randomBytes(4);
  const u = (((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0) / 2 ** 32;
  return now + Math.max(base - u * Math.min(jitterS, base), 0);
}

/** The SA is up; INITIAL_CONTACT (2.4) was already acted on when the peer was authenticated. */
export function establish(env: Env, sa: IkeSa, now: number): void {
  sa.state = 'established';
  sa.establishedAt = now;
  if (env.policy.ikeRekeyS > 0) sa.rekeyAt = rekeyDue(env, now, env.policy.ikeRekeyS, env.policy.ikeRekeyJitterS);
  scheduleDpd(env, sa, now);
  env.out.event({ kind: 'ike-up', sa: sa.name, peerId: sa.peerId, peer: sa.peer, virtualIp: sa.virtualIp === null ? null : formatIpv4(sa.virtualIp) });
}

export function childUp(env: Env, sa: IkeSa, child: ChildSa, rekeyOf: number | null, now: number): void {
  sa.children.push(child);
  if (env.policy.espRekeyS > 0) child.rekeyAt = rekeyDue(env, now, env.policy.espRekeyS, env.policy.espRekeyJitterS);
  env.out.event({ kind: 'child-up', sa: sa.name, child: child.info(), rekeyOf });
}

export function childDown(env: Env, sa: IkeSa, child: ChildSa, reason: string): void {
  const i = sa.children.indexOf(child);
  if (i >= 0) sa.children.splice(i, 1);
  env.out.event({ kind: 'child-down', sa: sa.name, spiIn: child.spiIn, reason });
}

/** 2.4: the next liveness check, `delayS` after the last authenticated inbound packet. */
export function scheduleDpd(env: Env, sa: IkeSa, now: number): void {
  sa.dpdAt = env.policy.dpd.delayS > 0 && sa.state === 'established' ? now + env.policy.dpd.delayS : Infinity;
}

/** Forgets an IKE SA and its CHILD_SAs, telling the data plane. */
export function destroy(env: Env, sa: IkeSa, reason: Down): void {
  for (const c of [...sa.children]) childDown(env, sa, c, reason);
  sa.state = 'dead';
  sa.pending = null;
  sa.dpdAt = Infinity;
  sa.rekeyAt = Infinity;
  env.remove(sa);
  env.out.event({ kind: 'ike-down', sa: sa.name, reason });
}

/**
 * 2.18: an IKE SA made by a rekey starts with message IDs 0 both ways and the peer's identity and
 * NAT state. It is registered but not yet in charge (handOver does that); in a collision (2.8.2)
 * it may never be.
 */
export function adopt(env: Env, old: IkeSa, next: IkeSa, now: number): void {
  next.expectId = 0;
  next.nextId = 0;
  next.state = 'established';
  next.establishedAt = now;
  next.peerId = old.peerId;
  next.peerBehindNat = old.peerBehindNat;
  next.selfBehindNat = old.selfBehindNat;
  next.mobike = old.mobike;
  env.add(next);
}

/**
 * 2.18: the adopted IKE SA from a rekey takes over the virtual IP and the CHILD_SAs; the old one
 * only waits for its Delete.
 */
export function handOver(env: Env, old: IkeSa, next: IkeSa, now: number): void {
  next.virtualIp = old.virtualIp;
  next.children.push(...old.children.splice(0));
  if (env.policy.ikeRekeyS > 0) next.rekeyAt = rekeyDue(env, now, env.policy.ikeRekeyS, env.policy.ikeRekeyJitterS);
  old.state = 'rekeyed';
  old.dpdAt = Infinity;
  old.rekeyAt = Infinity;
  // The virtual IP now belongs to the new SA: it must not be released with the old one.
  old.virtualIp = null;
  env.current(next);
  scheduleDpd(env, next, now);
  env.out.event({ kind: 'ike-rekeyed', sa: old.name, newSa: next.name });
}
