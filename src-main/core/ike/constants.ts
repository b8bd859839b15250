/**
 * IKEv2 protocol numbers, named as RFC 7296 and the IANA "Internet Key Exchange Version 2 (IKEv2)
 * Parameters" registry name them. Every table is `as const` so names and numbers stay in one place;
 * `nameOf` turns a number back into its name for logs.
 */

/** RFC 7296 3.1: Exchange Type. */
export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
} as const;

/** RFC 7296 3.1: header Flags. */
export const HeaderFlag = {
  /** Initiator: set by the original initiator of the IKE SA. */
  I: 0x08,
  /** Version: the sender can speak a higher major version. */
  V: 0x10,
  /** Response. */
  R: 0x20,
} as const;

/** RFC 7296 3.2: Next Payload Type values (IANA "IKEv2 Payload Types"); RFC 7383 for SKF. */
export const PayloadType = {
  NONE: 0,
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  /** Ni and Nr share one type. */
  Nonce: 40,
  N: 41,
  D: 42,
  V: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  SKF: 53,
} as const;

/** RFC 7296 3.3.1: Protocol ID. */
export const ProtocolId = { IKE: 1, AH: 2, ESP: 3 } as const;

/** RFC 7296 3.3.2: Transform Type. (RFC 9370 renames 4 "Key Exchange Method"; 4 is the D-H group.) */
export const TransformType = { ENCR: 1, PRF: 2, INTEG: 3, DH: 4, ESN: 5 } as const;

/** Transform Type 1 IDs (RFC 7296 3.3.2; AES-GCM: RFC 4106 for ESP, RFC 5282 for IKE; RFC 7634 ChaCha20-Poly1305). */
export const EncrId = {
  ENCR_3DES: 3,
  ENCR_NULL: 11,
  ENCR_AES_CBC: 12,
  ENCR_AES_CTR: 13,
  ENCR_AES_GCM_8: 18,
  ENCR_AES_GCM_12: 19,
  ENCR_AES_GCM_16: 20,
  ENCR_CHACHA20_POLY1305: 28,
} as const;

/** Transform Type 2 IDs (RFC 7296 3.3.2; RFC 4868). */
export const PrfId = { PRF_HMAC_SHA1: 2, PRF_HMAC_SHA2_256: 5, PRF_HMAC_SHA2_384: 6, PRF_HMAC_SHA2_512: 7 } as const;

/** Transform Type 3 IDs (RFC 7296 3.3.2; RFC 4868). */
export const IntegId = {
  NONE: 0,
  AUTH_HMAC_SHA1_96: 2,
  AUTH_HMAC_SHA2_256_128: 12,
  AUTH_HMAC_SHA2_384_192: 13,
  AUTH_HMAC_SHA2_512_256: 14,
} as const;

/** Transform Type 4 IDs: Diffie-Hellman groups (RFC 7296 3.3.2; RFC 3526; RFC 5903; RFC 8031). */
export const DhGroup = {
  NONE: 0,
  MODP_1024: 2,
  MODP_2048: 14,
  MODP_3072: 15,
  ECP_256: 19,
  ECP_384: 20,
  CURVE25519: 31,
} as const;

/** Transform Type 5 IDs (RFC 7296 3.3.2). */
export const EsnId = { NO_ESN: 0, ESN: 1 } as const;

/** RFC 7296 3.3.5: Transform Attribute Type (TV format when the AF bit is set). */
export const TransformAttr = { KEY_LENGTH: 14 } as const;
export const ATTR_FORMAT_TV = 0x8000;

/** RFC 7296 3.5: ID Type. */
export const IdType = {
  ID_IPV4_ADDR: 1,
  ID_FQDN: 2,
  ID_RFC822_ADDR: 3,
  ID_IPV6_ADDR: 5,
  ID_DER_ASN1_DN: 9,
  ID_DER_ASN1_GN: 10,
  ID_KEY_ID: 11,
} as const;

/** RFC 7296 3.8: Auth Method (RFC 7427 adds Digital Signature). */
export const AuthMethod = {
  RSA_DIGITAL_SIGNATURE: 1,
  SHARED_KEY_MIC: 2,
  DSS_DIGITAL_SIGNATURE: 3,
  ECDSA_SHA256_P256: 9,
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  DIGITAL_SIGNATURE: 14,
} as const;

/** RFC 7296 3.13.1: TS Type. */
export const TsType = { TS_IPV4_ADDR_RANGE: 7, TS_IPV6_ADDR_RANGE: 8 } as const;

/** RFC 7296 3.15: CFG Type. */
export const CfgType = { CFG_REQUEST: 1, CFG_REPLY: 2, CFG_SET: 3, CFG_ACK: 4 } as const;

/** RFC 7296 3.15.1: Configuration Attribute types. */
export const CfgAttr = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
} as const;

/** RFC 7296 3.10.1: Notify Message Types, errors (below 16384). */
export const NotifyError = {
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
  NO_PROPOSAL_CHOSEN: 14,
  INVALID_KE_PAYLOAD: 17,
  AUTHENTICATION_FAILED: 24,
  SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35,
  INTERNAL_ADDRESS_FAILURE: 36,
  FAILED_CP_REQUIRED: 37,
  TS_UNACCEPTABLE: 38,
  INVALID_SELECTORS: 39,
  TEMPORARY_FAILURE: 43,
  CHILD_SA_NOT_FOUND: 44,
} as const;

/** Notify Message Types, status (16384 and up): RFC 7296 3.10.1 and the RFCs named. */
export const NotifyStatus = {
  INITIAL_CONTACT: 16384,
  SET_WINDOW_SIZE: 16385,
  ADDITIONAL_TS_POSSIBLE: 16386,
  IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388,
  NAT_DETECTION_DESTINATION_IP: 16389,
  COOKIE: 16390,
  USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392,
  REKEY_SA: 16393,
  ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
  NON_FIRST_FRAGMENTS_ALSO: 16395,
  /** RFC 4555 (MOBIKE) 16396..16402. */
  MOBIKE_SUPPORTED: 16396,
  ADDITIONAL_IP4_ADDRESS: 16397,
  ADDITIONAL_IP6_ADDRESS: 16398,
  NO_ADDITIONAL_ADDRESSES: 16399,
  UPDATE_SA_ADDRESSES: 16400,
  COOKIE2: 16401,
  NO_NATS_ALLOWED: 16402,
  /** RFC 4478. */
  AUTH_LIFETIME: 16403,
  /** RFC 4739. */
  MULTIPLE_AUTH_SUPPORTED: 16404,
  ANOTHER_AUTH_FOLLOWS: 16405,
  /** RFC 5685. */
  REDIRECT_SUPPORTED: 16406,
  REDIRECT: 16407,
  REDIRECTED_FROM: 16408,
  /** RFC 5998. */
  EAP_ONLY_AUTHENTICATION: 16417,
  /** RFC 6023. */
  CHILDLESS_IKEV2_SUPPORTED: 16418,
  /** RFC 6290. */
  QUICK_CRASH_DETECTION: 16419,
  /** RFC 6311. */
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420,
  IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED: 16421,
  IKEV2_MESSAGE_ID_SYNC: 16422,
  IPSEC_REPLAY_COUNTER_SYNC: 16423,
  /** RFC 7383. */
  IKEV2_FRAGMENTATION_SUPPORTED: 16430,
  /** RFC 7427. */
  SIGNATURE_HASH_ALGORITHMS: 16431,
} as const;

/** RFC 7296 3.1: the only major version this speaks. */
export const IKE_MAJOR_VERSION = 2;
export const IKE_MINOR_VERSION = 0;
/** RFC 7296 3.1: the fixed IKE header. */
export const IKE_HEADER_LENGTH = 28;
/** RFC 7296 3.2: the generic payload header. */
export const PAYLOAD_HEADER_LENGTH = 4;
/** RFC 3948 2.2: the non-ESP marker before IKE messages on port 4500. */
export const NON_ESP_MARKER_LENGTH = 4;
/** RFC 3948 2.3: a NAT-keepalive packet is the single octet 0xFF. */
export const NATT_KEEPALIVE = 0xff;

/** The name of a number in one of the tables above, or "#n" when it is not there. */
export function nameOf(table: Readonly<Record<string, number>>, value: number): string {
  let names = NAMES.get(table);
  if (!names) {
    // The first name wins where two share a value, as a scan in declaration order would find.
    names = new Map();
    for (const [k, v] of Object.entries(table)) if (!names.has(v)) names.set(v, k);
    NAMES.set(table, names);
  }
  return names.get(value) ?? `#${value}`;
}

/** Each table's names by value, built on first use (nameOf runs for every logged exchange). */
const NAMES = new WeakMap<object, Map<number, string>>();
