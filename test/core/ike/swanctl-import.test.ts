// Importing a strongSwan swanctl.conf into a responder configuration (swanctl.conf(5) subset).
import { describe, expect, it } from 'vitest';
import { importSwanctl } from '../../../src-main/core/ike/swanctl-import.ts';
import { parseSettings } from '../../../src-main/core/ike/swanctl-syntax.ts';
import { parseResponderConfig } from '../../../src-main/core/ike/responder-config.ts';

// A road-warrior gateway as swanctl.conf(5) and strongSwan's examples write one.
const GATEWAY = `# WakeLab lab gateway
connections {
  rw {
    version = 2
    local_addrs = 198.18.2.2
    pools = vpool
    proposals = aes128-sha256-x25519, aes256gcm16-prfsha256-curve25519
    rekey_time = 4h
    dpd_delay = 30s
    mobike = no
    unique = replace          # not imported: said so
    local {
      auth = psk
      id = gw.wakelab
    }
    remote {
      auth = psk
    }
    children {
      net {
        local_ts = 198.18.100.0/24, 198.18.101.0/24
        esp_proposals = aes128gcm16
        rekey_time = 1h
        rand_time = 5m
        dpd_action = restart
        start_action = none
      }
    }
  }
}
pools {
  vpool { addrs = 198.18.200.0/28 }
}
secrets {
  ike-phones {
    id-gw = gw.wakelab
    id-1 = phone-1@wakelab
    id-2 = phone-2@wakelab
    secret = "a # secret with spaces"
  }
  eap-alice {
    id = alice
    secret = x
  }
}
`;

describe('importSwanctl', () => {
  it('turns a road-warrior gateway into a valid responder configuration, listing what it left out', () => {
    const { config, warnings } = importSwanctl(GATEWAY, 'swanctl.conf');
    const cfg = parseResponderConfig(config);
    expect(cfg.listen.address).toBe('198.18.2.2');
    expect(cfg.localId).toBe('gw.wakelab');
    expect(cfg.secrets).toEqual([
      { id: 'phone-1@wakelab', psk: 'a # secret with spaces' },
      { id: 'phone-2@wakelab', psk: 'a # secret with spaces' },
    ]);
    expect(cfg.ike).toEqual({ proposals: ['aes128-sha256-x25519', 'aes256gcm16-prfsha256-curve25519'], rekeyS: 14400, rekeyJitterS: 0 });
    expect(cfg.esp).toMatchObject({ proposals: ['aes128gcm16'], rekeyS: 3600, rekeyJitterS: 300 });
    expect(cfg.pool).toBe('198.18.200.0/28');
    expect(cfg.localTs).toEqual(['198.18.100.0/24', '198.18.101.0/24']);
    expect(cfg.dpd).toMatchObject({ delayS: 30, action: 'keep' });
    expect(cfg.mobike).toBe(false);
    expect(warnings).toEqual([
      'connections.rw.children.net.dpd_action = restart: imported as "keep" (the SA is kept after a failed liveness check; a responder does not restart or trap)',
      'connections.rw.children.net.start_action: not imported',
      'connections.rw.unique: not imported',
      'secrets.eap-alice: only ike secrets (pre-shared keys) are imported',
    ]);
  });

  it.each([
    ['IKEv1', GATEWAY.replace('version = 2', 'version = 1'), /connections\.rw\.version: WakeLab speaks IKEv2 only/],
    ['certificates', GATEWAY.replace('auth = psk\n      id = gw.wakelab', 'auth = pubkey\n      id = gw.wakelab'), /connections\.rw\.local\.auth: WakeLab authenticates with pre-shared keys only/],
    ['no pool', GATEWAY.replace('    pools = vpool\n', ''), /connections\.rw\.pools: missing/],
    ['an address range', GATEWAY.replace('addrs = 198.18.200.0/28', 'addrs = 198.18.200.10-198.18.200.20'), /pools\.vpool\.addrs: expected one IPv4 prefix/],
    ['dynamic local_ts', GATEWAY.replace('local_ts = 198.18.100.0/24, 198.18.101.0/24', 'local_ts = dynamic'), /children\.net\.local_ts: expected the networks/],
    ['a bad time', GATEWAY.replace('dpd_delay = 30s', 'dpd_delay = soon'), /connections\.rw\.dpd_delay: expected a time such as 30s/],
    ['no secret for a client', GATEWAY.replace(/secrets \{[\s\S]*$/, ''), /secrets: no ike secret with a client identity/],
  ])('refuses %s, naming the setting', (_name, text, message) => {
    expect(() => importSwanctl(text, 'swanctl.conf')).toThrow(message);
  });

  it('parses the settings syntax: comments, quotes, braces on one line, and names the line of an error', () => {
    const s = parseSettings('a { b = "x # y" # comment\n c { d = 1 } }\ne = 2', 't');
    expect(s.sections.get('a')!.settings.get('b')).toBe('x # y');
    expect(s.sections.get('a')!.sections.get('c')!.settings.get('d')).toBe('1');
    expect(s.settings.get('e')).toBe('2');
    expect(() => parseSettings('a {\n b = "open\n}', 't')).toThrow(/t:2: unterminated quoted value/);
    expect(() => parseSettings('a {\n b = 1\n', 't')).toThrow(/t: 1 section\(s\) not closed/);
    expect(() => parseSettings('}', 't')).toThrow(/t:1: "}" without an open section/);
    expect(() => parseSettings('what is this', 't')).toThrow(/t:1: expected "name \{", "key = value" or "\}"/);
    const includes: string[] = [];
    parseSettings('include conf.d/*.conf', 't', includes);
    expect(includes).toEqual(['conf.d/*.conf']);
  });
});
