// The client configuration file: defaults, the shipped example, errors naming the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClientConfig } from '../../../src-main/core/ike/client-config.ts';
import { clientPolicyOf } from '../../../src-main/core/ike/policy.ts';

const example = JSON.parse(readFileSync(new URL('../../../resources/client/client.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const minimal = { server: { address: '198.18.2.2' }, localId: 'cli.probe', psk: 'x' };

describe('parseClientConfig', () => {
  it('accepts the shipped example, whose policy is the strongSwan Android app’s retransmission', () => {
    const c = parseClientConfig(example);
    expect(c.retransmit).toMatchObject({ timeoutS: 2, base: 1.4, tries: 3 });
    expect(clientPolicyOf(c).keepaliveS).toBe(45);
  });

  it("fills in charon's defaults", () => {
    const c = parseClientConfig(minimal);
    expect(c).toMatchObject({ keepaliveS: 20, virtualIp: true, remoteTs: ['0.0.0.0/0'], local: { ikePort: 500, nattPort: 4500 }, server: { ikePort: 500, nattPort: 4500 } });
    expect(c.dpd.delayS).toBe(0);
  });

  it.each([
    [{ ...minimal, server: { address: 'gw' } }, /server.address: must be an IPv4 address/],
    [{ ...minimal, psk: '' }, /psk: must not be empty/],
    [{ ...minimal, ike: { proposals: ['aes128-md5-modp1024'] } }, /ike.proposals.0: .*md5/],
    [{ ...minimal, local: { ikePort: 4500 } }, /local.nattPort must differ/],
    [{ ...minimal, keepaliveS: -1 }, /keepaliveS: must be at least 0/],
    [{ ...minimal, surprise: true }, /unknown field "surprise"/],
  ])('refuses %j', (input, message) => {
    expect(() => parseClientConfig(input)).toThrow(message);
  });
});
