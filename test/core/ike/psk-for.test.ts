// Pre-shared keys by identity, with strongSwan-style wildcards for fleets.
import { describe, expect, it } from 'vitest';
import { pskFor } from '../../../src-main/core/ike/policy.ts';

const k = (s: string) => new TextEncoder().encode(s);
const secrets = new Map([
  ['phone@wakelab', k('own')],
  ['*@fleet.wakelab', k('fleet')],
  ['*.android@fleet.wakelab', k('android')],
]);
const text = (u: Uint8Array | undefined) => (u ? new TextDecoder().decode(u) : undefined);

describe('pskFor', () => {
  it('prefers the identity\'s own key, then the longest matching wildcard, else none', () => {
    expect(text(pskFor(secrets, 'phone@wakelab'))).toBe('own');
    expect(text(pskFor(secrets, 'c7@fleet.wakelab'))).toBe('fleet');
    expect(text(pskFor(secrets, 'c7.android@fleet.wakelab'))).toBe('android');
    expect(pskFor(secrets, 'c7@other.example')).toBeUndefined();
    expect(pskFor(secrets, 'fleet.wakelab')).toBeUndefined();
  });
});
