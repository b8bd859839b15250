// Shared by the ESP tests: both CryptoSuite backends (the noble reference with a seeded random
// source, and node:crypto), the ESP vector files (provenance in test/vectors/README.md), and a
// raw sealer for packets that sealEsp would never build (bad padding, odd next headers).
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { CryptoSuite } from '../../../src-main/core/crypto/suite.ts';
import { ESP_HEADER_BYTES, writeU32 } from '../../../src-main/core/esp/packet.ts';
import { authData, espLayout, splitSeq, type EspSa, type EspSeq } from '../../../src-main/core/esp/transform.ts';
import { createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';
import { seededRandom } from '../crypto/fixtures.ts';
import gcmJson from '../../vectors/esp/draft-mcgrew-gcm-test-01.json';
import linuxJson from '../../vectors/esp/linux-xfrm-esp-reference-packets.json';
import rfc7634Json from '../../vectors/esp/rfc7634-appendix-a.json';

export const draftMcgrew = gcmJson;
export const linuxXfrm = linuxJson;
export const rfc7634 = rfc7634Json;

/** [name, suite]: every ESP test that touches crypto runs on both. */
export const BACKENDS: ReadonlyArray<readonly [string, CryptoSuite]> = [
  ['noble', createNobleSuite(seededRandom(4303))],
  ['node', createNodeSuite()],
];

/**
 * An ESP packet with `text` (payload, padding, trailer: anything, but a whole number of blocks)
 * encrypted and authenticated exactly as sealEsp would, so its ICV verifies.
 */
export function sealRawText(suite: CryptoSuite, sa: EspSa, seq: EspSeq, esn: boolean, text: Uint8Array, iv: Uint8Array): Uint8Array {
  const layout = espLayout(sa.cipher);
  const [high, low] = splitSeq(seq, esn);
  const textAt = ESP_HEADER_BYTES + layout.ivBytes;
  const packet = new Uint8Array(textAt + text.length + layout.icvBytes);
  writeU32(packet, 0, sa.spi);
  writeU32(packet, 4, low);
  packet.set(iv, ESP_HEADER_BYTES);
  packet.set(text, textAt);
  const { aad, icvTail } = authData(layout, packet, high, esn);
  const ivView = packet.subarray(ESP_HEADER_BYTES, textAt);
  suite.encryptDetached(sa.cipher, sa.keys, ivView, packet.subarray(textAt, textAt + text.length), aad, packet.subarray(textAt + text.length), icvTail);
  return packet;
}
