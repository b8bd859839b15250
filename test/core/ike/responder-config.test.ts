// The responder's configuration file: defaults as charon has them, every error naming its field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResponderConfig } from '../../../src-main/core/ike/responder-config.ts';

const example = JSON.parse(readFileSync(new URL('../../../resources/responder/lab.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const minimal = { localId: 'gw.wakelab', secrets: [{ id: 'cli.probe', psk: 'x' }], pool: '198.18.200.0/28', localTs: ['198.18.100.0/24'] };

describe('parseResponderConfig', () => {
  it('accepts the shipped example', () => {
    const c = parseResponderConfig(example);
    expect(c.listen).toEqual({ address: '0.0.0.0', ikePort: 500, nattPort: 4500, receive: 'batched' });
    expect(c.dpd.retransmit).toEqual({ timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 });
  });

  it("fills in charon's defaults", () => {
    const c = parseResponderConfig(minimal);
    expect(c.ike.rekeyS).toBe(14400);
    expect(c.esp.rekeyS).toBe(3600);
    expect(c.dpd).toMatchObject({ delayS: 30, action: 'clear' });
    expect(c.ike.proposals[0]).toBe('aes128-sha256-prfsha256-curve25519');
    expect(c.esp).toMatchObject({ replayWindow: 128, backend: 'native' });
    expect(c.virtualHost).toEqual({ echoPort: 7, discardPort: 9, push: [] });
    expect(c.mobike).toBe(true);
  });

  it.each([
    [{ ...minimal, pool: '198.18.200.1/28' }, /pool: must be an IPv4 prefix/],
    [{ ...minimal, localTs: ['10.0.0.0/33'] }, /localTs.0: must be an IPv4 prefix/],
    [{ ...minimal, listen: { ikePort: 70000 } }, /listen.ikePort: must be at most 65535/],
    [{ ...minimal, listen: { ikePort: 4500 } }, /listen.nattPort must differ/],
    [{ ...minimal, secrets: [] }, /secrets: needs at least one/],
    [{ ...minimal, secrets: [{ id: 'a', psk: 'x' }, { id: 'a', psk: 'y' }] }, /secrets.1.id: "a" has a secret already/],
    [{ ...minimal, dpd: { retransmit: { tries: 1000 } } }, /dpd.retransmit.tries: must be at most 20/],
    [{ ...minimal, dpd: { action: 'restart' } }, /dpd.action/],
    [{ ...minimal, localId: 'has space' }, /localId: must not contain spaces/],
    [{ ...minimal, extra: 1 }, /unknown field "extra"/],
    [{ ...minimal, ike: { proposals: ['aes128-sha256-prfsha256-curve25519', 'aes128-md4-modp2048'] } }, /ike.proposals.1: .*md4/],
    [{ ...minimal, esp: { proposals: ['blowfish'] } }, /esp.proposals.0: .*blowfish/],
    [{ ...minimal, esp: { replayWindow: 5000 } }, /esp.replayWindow: must be at most 4096/],
    [{ ...minimal, esp: { backend: 'wolfssl' } }, /esp.backend/],
    [{ ...minimal, virtualHost: { address: '198.18.100' } }, /virtualHost.address: must be an IPv4 address/],
    [{ ...minimal, virtualHost: { push: [{ port: 5000, bytes: 100, everyS: 0 }] } }, /virtualHost.push.0.everyS: must be above 0/],
  ])('refuses %j', (input, message) => {
    expect(() => parseResponderConfig(input)).toThrow(message);
  });
});
