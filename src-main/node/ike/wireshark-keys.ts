/**
 * Wireshark key tables for the SAs a WakeLab engine holds, so a capture of its traffic decrypts
 * (interop-testbed.md, "What was seen"): `ikev2_decryption_table` (SPIi, SPIr, SK_ei, SK_er, the
 * encryption algorithm, SK_ai, SK_ar, the integrity algorithm) and `esp_sa` (one row per direction
 * of each CHILD_SA). These are secrets: whoever reads them can decrypt and forge the traffic.
 */
import { toHex } from '../../core/bytes/hex.ts';
import { EncrId, IntegId } from '../../core/ike/constants.ts';
import type { IkeSa } from '../../core/ike/ike-sa.ts';
import { writeFileAtomic } from '../files.ts';
import { join } from 'node:path';

/** Wireshark's IKEv2 encryption names (its ikev2_decryption_table choices). */
function ikeEncrName(encr: number, keyLength?: number): string | null {
  if (encr === EncrId.ENCR_AES_CBC) return `AES-CBC-${keyLength ?? 128} [RFC3602]`;
  if (encr === EncrId.ENCR_AES_GCM_16) return `AES-GCM-${keyLength ?? 128} with 16 octet ICV [RFC5282]`;
  if (encr === EncrId.ENCR_AES_GCM_12) return `AES-GCM-${keyLength ?? 128} with 12 octet ICV [RFC5282]`;
  if (encr === EncrId.ENCR_AES_GCM_8) return `AES-GCM-${keyLength ?? 128} with 8 octet ICV [RFC5282]`;
  return null;
}

function ikeIntegName(integ?: number): string {
  switch (integ) {
    case IntegId.AUTH_HMAC_SHA2_256_128:
      return 'HMAC_SHA2_256_128 [RFC4868]';
    case IntegId.AUTH_HMAC_SHA2_384_192:
      return 'HMAC_SHA2_384_192 [RFC4868]';
    case IntegId.AUTH_HMAC_SHA2_512_256:
      return 'HMAC_SHA2_512_256 [RFC4868]';
    case IntegId.AUTH_HMAC_SHA1_96:
      return 'HMAC_SHA1_96 [RFC2404]';
    default:
      return 'NONE [RFC4306]';
  }
}

/** Wireshark's ESP names (its esp_sa choices). */
function espEncrName(encr: number): string | null {
  if (encr === EncrId.ENCR_AES_CBC) return 'AES-CBC [RFC3602]';
  if (encr === EncrId.ENCR_AES_GCM_16) return 'AES-GCM with 16 octet ICV [RFC4106]';
  if (encr === EncrId.ENCR_AES_GCM_12) return 'AES-GCM with 12 octet ICV [RFC4106]';
  if (encr === EncrId.ENCR_AES_GCM_8) return 'AES-GCM with 8 octet ICV [RFC4106]';
  return null;
}

function espIntegName(integ?: number): string {
  switch (integ) {
    case IntegId.AUTH_HMAC_SHA2_256_128:
      return 'HMAC-SHA-256-128 [RFC4868]';
    case IntegId.AUTH_HMAC_SHA2_384_192:
      return 'HMAC-SHA-384-192 [RFC4868]';
    case IntegId.AUTH_HMAC_SHA2_512_256:
      return 'HMAC-SHA-512-256 [RFC4868]';
    case IntegId.AUTH_HMAC_SHA1_96:
      return 'HMAC-SHA-1-96 [RFC2404]';
    default:
      return 'NULL';
  }
}

/** The ikev2_decryption_table rows (SPIs and keys in unquoted hex, names quoted). */
export function ikev2Rows(sas: readonly IkeSa[]): string[] {
  const rows: string[] = [];
  for (const sa of sas) {
    const encr = ikeEncrName(sa.transforms.encr, sa.transforms.keyLength);
    if (!encr || sa.state === 'dead') continue;
    const k = sa.keys;
    rows.push([toHex(sa.spiI), toHex(sa.spiR), toHex(k.SK_ei), toHex(k.SK_er), `"${encr}"`, toHex(k.SK_ai), toHex(k.SK_ar), `"${ikeIntegName(sa.transforms.integ)}"`].join(','));
  }
  return rows;
}

/** The esp_sa rows: one per direction of every CHILD_SA, any addresses. */
export function espRows(sas: readonly IkeSa[]): string[] {
  const rows: string[] = [];
  for (const sa of sas) {
    for (const c of sa.children) {
      const encr = espEncrName(c.transforms.encr);
      if (!encr) continue;
      for (const [spi, keys] of [
        [c.spiIn, c.keysIn],
        [c.spiOut, c.keysOut],
      ] as const) {
        const integ = keys.integ && keys.integ.length > 0 ? `0x${toHex(keys.integ)}` : '';
        rows.push(['"IPv4"', '"*"', '"*"', `"0x${spi.toString(16).padStart(8, '0')}"`, `"${encr}"`, `"0x${toHex(keys.encr)}"`, `"${espIntegName(c.transforms.integ)}"`, `"${integ}"`].join(','));
      }
    }
  }
  return rows;
}

/** Writes both tables into `dir` (Wireshark reads them from its personal configuration folder). */
export function writeWiresharkKeys(dir: string, sas: readonly IkeSa[]): void {
  const warning = '# WakeLab key export: secrets. Whoever reads this file can decrypt and forge the traffic.\n';
  writeFileAtomic(join(dir, 'ikev2_decryption_table'), warning + ikev2Rows(sas).map((r) => r + '\n').join(''));
  writeFileAtomic(join(dir, 'esp_sa'), warning + espRows(sas).map((r) => r + '\n').join(''));
}
