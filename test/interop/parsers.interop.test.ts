// The harness's parsers on small synthetic inputs in the formats charon 5.9.8, swanctl, conntrack
// and tshark 4.0 print (taken from real runs). Needs nothing from the machine, so it always runs.
import { describe, expect, it } from 'vitest';
import { espUatRow, ikeUatRow, parseIkeVerbose } from './support/capture.ts';
import { parseListSas } from './support/charon.ts';
import { parseCharonKeys, parseProposal } from './support/keylog.ts';
import { parseConntrack } from './support/netns.ts';

/** Lines as charon's filelog writes a `%B` chunk: a header, then hex rows of 16 with an ASCII column. */
function dump(prefix: string, label: string, bytes: number[]): string[] {
  const lines = [`${prefix} ${label} => ${bytes.length} bytes @ 0x7f0b44003320`];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.slice(off, off + 16);
    const hex = row.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${prefix} ${String(off).padStart(4)}: ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines;
}

const seq = (n: number, start: number): number[] => Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');

describe('charon key log parser', () => {
  const spiI = [0xad, 0xca, 0xf9, 0x2c, 0xca, 0x90, 0x37, 0xce];
  const spiR = [0x6b, 0xbc, 0x26, 0x3b, 0x16, 0x7b, 0x75, 0x30];
  const natd = (r: number[]) => [...spiI, ...r, 0xc6, 0x12, 0x02, 0x02, 0x01, 0xf4];
  const keys = { d: seq(32, 0), ai: seq(32, 0x20), ar: seq(32, 0x40), ei: seq(16, 0x60), er: seq(16, 0x70), pi: seq(32, 0x80), pr: seq(32, 0xa0) };
  const ikeKeys = (p: string) => Object.entries(keys).flatMap(([k, v]) => dump(p, `Sk_${k} secret`, v));
  const childKeys = (p: string) => [
    ...dump(p, 'encryption initiator key', seq(16, 1)),
    ...dump(p, 'encryption responder key', seq(16, 2)),
    ...dump(p, 'integrity initiator key', seq(32, 3)),
    ...dump(p, 'integrity responder key', seq(32, 4)),
  ];

  it('reads an initiator log: SPIs from NAT-D, IKE keys, ESP keys by direction', () => {
    const p = '00:05:05.295 13[IKE] <home|1>';
    const log = [
      '00:05:05.246 16[IKE] <home|1> initiating IKE_SA home[1] to 198.18.2.2',
      ...dump('00:05:05.260 16[IKE] <home|1>', 'natd_chunk', natd([0, 0, 0, 0, 0, 0, 0, 0])),
      '00:05:05.295 13[ENC] <home|1> parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]',
      '00:05:05.295 13[CFG] <home|1> selected proposal: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519',
      ...dump(p, 'natd_chunk', natd(spiR)),
      '00:05:05.297 02[NET] waiting for data on sockets',
      ...ikeKeys(p),
      '00:05:05.326 11[ENC] <home|1> parsed IKE_AUTH response 1 [ IDr AUTH CPRP(ADDR) SA TSi TSr ]',
      '00:05:05.328 11[CFG] <home|1> selected proposal: ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ',
      ...childKeys('00:05:05.328 11[CHD] <home|1>'),
      '00:05:05.328 11[IKE] <home|1> CHILD_SA home{1} established with SPIs 7137b52b_i 03176705_o and TS 198.18.200.1/32 === 198.18.100.0/24',
    ].join('\n');
    const k = parseCharonKeys(log);
    expect(k.ike).toEqual([
      {
        ikeName: 'home',
        uniqueId: '1',
        spiI: 'adcaf92cca9037ce',
        spiR: '6bbc263b167b7530',
        encr: 'AES_CBC',
        encrBits: 128,
        integ: 'HMAC_SHA2_256_128',
        prf: 'PRF_HMAC_SHA2_256',
        dh: 'CURVE_25519',
        skD: hex(keys.d),
        skAi: hex(keys.ai),
        skAr: hex(keys.ar),
        skEi: hex(keys.ei),
        skEr: hex(keys.er),
        skPi: hex(keys.pi),
        skPr: hex(keys.pr),
      },
    ]);
    // We initiated (parsed a response): outbound uses the initiator keys.
    expect(k.esp.map((e) => [e.direction, e.spi, e.encKey, e.intKey])).toEqual([
      ['out', '03176705', hex(seq(16, 1)), hex(seq(32, 3))],
      ['in', '7137b52b', hex(seq(16, 2)), hex(seq(32, 4))],
    ]);
    expect(ikeUatRow(k.ike[0]!)).toBe(
      `adcaf92cca9037ce,6bbc263b167b7530,${hex(keys.ei)},${hex(keys.er)},"AES-CBC-128 [RFC3602]",${hex(keys.ai)},${hex(keys.ar)},"HMAC_SHA2_256_128 [RFC4868]"`,
    );
    expect(espUatRow(k.esp[0]!)).toBe(`"IPv4","*","*","0x03176705","AES-CBC [RFC3602]","0x${hex(seq(16, 1))}","HMAC-SHA-256-128 [RFC4868]","0x${hex(seq(32, 3))}"`);
  });

  it('reads a responder log: keys before the SPI is known, unnamed SA lines, interleaved threads', () => {
    const log = [
      '00:14:14.761 13[ENC] <1> parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]',
      '00:14:14.761 13[CFG] <1> selected proposal: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519',
      ...dump('00:14:14.764 15[IKE] <1>', 'Sk_d secret', seq(48, 0)).slice(0, 2),
      '00:14:14.764 02[NET] received packet: from 198.18.2.1[4500] to 198.18.2.2[4500]',
      ...dump('00:14:14.764 15[IKE] <1>', 'Sk_d secret', seq(48, 0)).slice(2),
      ...dump('00:14:14.764 15[IKE] <1>', 'Sk_ei secret', seq(36, 5)),
      ...dump('00:14:14.764 15[IKE] <1>', 'Sk_er secret', seq(36, 6)),
      ...dump('00:14:14.764 15[IKE] <1>', 'Sk_pi secret', seq(48, 7)),
      ...dump('00:14:14.764 15[IKE] <1>', 'Sk_pr secret', seq(48, 8)),
      ...dump('00:14:14.765 15[IKE] <1>', 'natd_chunk', natd(spiR)),
      '00:14:14.764 15[ENC] <1> parsed IKE_AUTH request 1 [ IDi IDr AUTH SA TSi TSr ]',
      '00:14:14.764 15[IKE] <rw|1> IKE_SA rw[1] established between 198.18.2.2[gw]...198.18.2.1[cli]',
      '00:14:14.764 15[CFG] <rw|1> selected proposal: ESP:AES_GCM_16_128/NO_EXT_SEQ',
      ...dump('00:14:14.764 15[CHD] <rw|1>', 'encryption initiator key', seq(20, 1)),
      ...dump('00:14:14.764 15[CHD] <rw|1>', 'encryption responder key', seq(20, 2)),
      '00:14:14.764 15[IKE] <rw|1> CHILD_SA net{1} established with SPIs 8884d9e1_i 7a61dc76_o and TS 198.18.100.0/24 === 198.18.200.1/32',
    ].join('\n');
    const k = parseCharonKeys(log);
    expect(k.ike).toHaveLength(1);
    expect(k.ike[0]).toMatchObject({ ikeName: 'rw', spiR: '6bbc263b167b7530', encr: 'AES_GCM_16', encrBits: 256, integ: null, skD: hex(seq(48, 0)), skEi: hex(seq(36, 5)), skAi: '' });
    expect(ikeUatRow(k.ike[0]!)).toBe(`adcaf92cca9037ce,6bbc263b167b7530,${hex(seq(36, 5))},${hex(seq(36, 6))},"AES-GCM-256 with 16 octet ICV [RFC5282]",,,"NONE [RFC4306]"`);
    // The responder parsed a request: its outbound SA uses the responder keys.
    expect(k.esp.map((e) => [e.direction, e.spi, e.encKey])).toEqual([
      ['out', '7a61dc76', hex(seq(20, 2))],
      ['in', '8884d9e1', hex(seq(20, 1))],
    ]);
    expect(espUatRow(k.esp[0]!)).toBe(`"IPv4","*","*","0x7a61dc76","AES-GCM with 16 octet ICV [RFC4106]","0x${hex(seq(20, 2))}","NULL",""`);
  });

  it('splits proposals; Wireshark rows are null for what Wireshark 4.0 cannot decrypt', () => {
    expect(parseProposal('CHACHA20_POLY1305_256/PRF_HMAC_SHA2_256/MODP_3072')).toEqual({ encr: 'CHACHA20_POLY1305', encrBits: 256, integ: null, prf: 'PRF_HMAC_SHA2_256', dh: 'MODP_3072' });
    expect(parseProposal('AES_CBC_256/HMAC_SHA2_384_192/NO_EXT_SEQ')).toMatchObject({ encr: 'AES_CBC', encrBits: 256, integ: 'HMAC_SHA2_384_192', dh: null });
    const base = { ikeName: 'x', uniqueId: '1', childName: 'c', childId: '1', spi: '01020304', direction: 'out' as const, encKey: 'aa', intKey: '' };
    expect(espUatRow({ ...base, encr: 'CHACHA20_POLY1305', encrBits: 256, integ: null })).toBeNull();
  });
});

describe('tool output parsers', () => {
  it('swanctl --list-sas --pretty', () => {
    const text = `list-sa event {
  home {
    uniqueid = 1
    version = 2
    state = ESTABLISHED
    local-host = 198.18.1.2
    local-port = 4500
    remote-host = 198.18.2.2
    remote-port = 4500
    initiator = yes
    initiator-spi = adcaf92cca9037ce
    responder-spi = 6bbc263b167b7530
    nat-local = yes
    encr-alg = AES_CBC
    dh-group = CURVE_25519
    local-vips = [
      198.18.200.1
    ]
    child-sas {
      home-1 {
        name = home
        uniqueid = 1
        state = INSTALLED
        mode = TUNNEL
        encap = yes
        spi-in = 7137b52b
        spi-out = 03176705
        encr-alg = AES_CBC
        integ-alg = HMAC_SHA2_256_128
        packets-in = 3
        packets-out = 4
        local-ts = [
          198.18.200.1/32
        ]
        remote-ts = [
          198.18.100.0/24
        ]
      }
    }
  }
}
list-sas reply {
}
`;
    const [sa, ...rest] = parseListSas(text);
    expect(rest).toEqual([]);
    expect(sa).toMatchObject({ name: 'home', state: 'ESTABLISHED', initiator: true, remotePort: 4500, natLocal: true, natRemote: false, localVips: ['198.18.200.1'], initiatorSpi: 'adcaf92cca9037ce' });
    expect(sa!.children).toEqual([
      { name: 'home', uniqueid: '1', state: 'INSTALLED', mode: 'TUNNEL', encap: true, spiIn: '7137b52b', spiOut: '03176705', encrAlg: 'AES_CBC', integAlg: 'HMAC_SHA2_256_128', packetsIn: 3, packetsOut: 4, localTs: ['198.18.200.1/32'], remoteTs: ['198.18.100.0/24'] },
    ]);
  });

  it('conntrack -L', () => {
    const [e] = parseConntrack('udp      17 2 src=198.18.1.2 dst=198.18.2.2 sport=4500 dport=4500 src=198.18.2.2 dst=198.18.2.1 sport=4500 dport=1024 [ASSURED] mark=0 use=1\n');
    expect(e).toMatchObject({ proto: 'udp', timeoutS: 2, orig: { src: '198.18.1.2', sport: 4500 }, reply: { dst: '198.18.2.1', dport: 1024 }, assured: true });
  });

  it('tshark -V -O isakmp', () => {
    const text = `Frame 11: 130 bytes on wire (1040 bits), 130 bytes captured (1040 bits) on interface gw0, id 0
Ethernet II, Src: 12:81:e8:0c:c8:8b, Dst: 16:df:6b:2d:6d:0f
Internet Protocol Version 4, Src: 198.18.2.2, Dst: 198.18.2.1
User Datagram Protocol, Src Port: 4500, Dst Port: 4500
UDP Encapsulation of IPsec Packets
Internet Security Association and Key Management Protocol
    Initiator SPI: 0f3e0349cd6c4459
    Responder SPI: b25ed32da640fed9
    Next payload: Encrypted and Authenticated (46)
    Exchange type: INFORMATIONAL (37)
    Flags: 0x00 (Responder, No higher version, Request)
        .... 0... = Initiator: Responder
        ..0. .... = Response: Request
    Message ID: 0x00000000
    Length: 80
    Payload: Encrypted and Authenticated (46)
        Next payload: NONE / No Next Payload  (0)
        Initialization Vector: 669dcc2b8c89af1275bf747d53c6fb01 (16 bytes)
        Encrypted Data (16 bytes) <AES-CBC-128 [RFC3602]>
        Decrypted Data (16 bytes)
            Contained Data (0 bytes)
            Padding (15 bytes): 000000000000000000000000000000
            Pad Length: 15
        Integrity Checksum Data: 6ae58022860e681b42008b3569ed0102 (16 bytes) <HMAC_SHA2_256_128 [RFC4868]>[correct]

Frame 12: 350 bytes on wire (2800 bits), 350 bytes captured (2800 bits) on interface gw0, id 0
Internet Security Association and Key Management Protocol
    Exchange type: IKE_AUTH (35)
    Flags: 0x08 (Initiator, No higher version, Request)
    Message ID: 0x00000001
    Payload: Encrypted and Authenticated (46)
        Decrypted Data (240 bytes)
            Contained Data (239 bytes)
                Payload: Identification - Initiator (35)
                Payload: Notify (41) - INITIAL_CONTACT
                Payload: Security Association (33)
                    Payload: Proposal (2) # 1
                        Payload: Transform (3)
        Integrity Checksum Data: ddcb22fe207346f4332d9861b65f9aea (16 bytes) <HMAC_SHA2_256_128 [RFC4868]>[incorrect, should be 00]
`;
    expect(parseIkeVerbose(text)).toEqual([
      { frame: 11, exchange: 'INFORMATIONAL', messageId: 0, fromInitiator: false, response: false, encrypted: true, decrypted: true, integrity: 'correct', payloads: ['Encrypted and Authenticated'] },
      {
        frame: 12,
        exchange: 'IKE_AUTH',
        messageId: 1,
        fromInitiator: true,
        response: false,
        encrypted: true,
        decrypted: true,
        integrity: 'incorrect',
        payloads: ['Encrypted and Authenticated', 'Identification - Initiator', 'Notify: INITIAL_CONTACT', 'Security Association'],
      },
    ]);
  });
});
