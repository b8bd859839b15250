/**
 * Bytes on the wire (IPv4 packet size, UDP-encapsulated on port 4500) of what the simulated client
 * and gateway exchange. Sources: strongswan-behaviour.md, "Sizes seen on the wire with charon
 * (AES-CBC/SHA-256)"; values marked assumption are ours.
 */
export const WIRE = {
  /** NAT-T keepalive: 20 IP + 8 UDP + 1 byte 0xFF (RFC 3948 section 2.3). */
  keepalive: 29,
  /** Empty INFORMATIONAL request or response (DPD): IKE 80 bytes, IP 112. */
  dpd: 112,
  /** CREATE_CHILD_SA rekey: IKE 208 + 4 non-ESP marker + 8 UDP + 20 IP. Response assumed the same size. */
  rekey: 240,
  /** IKE_SA_INIT request and response on port 500: IKE 352 / 248 + 8 UDP + 20 IP. */
  ikeSaInitRequest: 380,
  ikeSaInitResponse: 276,
  /** IKE_AUTH with PSK, CP and one CHILD_SA. Assumption: about 460 / 380 bytes. */
  ikeAuthRequest: 460,
  ikeAuthResponse: 380,
  /** ESP overhead around an inner packet: 164 - 84 = 80 bytes with AES-CBC/HMAC-SHA-256 in UDP. */
  espOverhead: 80,
  /** Inner payload of a TCP acknowledgement that answers a push (assumption: IP 20 + TCP 32). */
  tcpAck: 52,
  /** Largest inner packet; bigger data is split (assumption: 1400 bytes fits a 1500-byte path). */
  innerMtu: 1400,
} as const;
