/**
 * NAT detection, RFC 7296 section 2.23: in IKE_SA_INIT each side sends
 *
 *   N(NAT_DETECTION_SOURCE_IP)      = SHA-1(SPIi | SPIr | IP | Port) of the address and port it
 *                                     sends from (one or more, if it does not know which is used)
 *   N(NAT_DETECTION_DESTINATION_IP) = the same over the address and port it sends to
 *
 * with the SPIs as they stand in the message's header (SPIr is zero in the first request), the
 * address in network order (4 octets for IPv4, 16 for IPv6) and the port in two octets. The
 * receiver compares them with the addresses the datagram actually carried: no SOURCE_IP matching
 * means the sender is behind a NAT; a DESTINATION_IP not matching means the receiver is.
 */
import { concatBytes, equalBytes } from '../bytes/hex.ts';
import { expectBytes, expectInt } from '../crypto/args.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { NotifyStatus, PayloadType } from './constants.ts';
import type { Payload, PayloadOf } from './wire/payloads.ts';

/** An address (4 or 16 octets) and UDP port, as an IP and UDP header carry them. */
export interface NatEndpoint {
  readonly address: Uint8Array;
  readonly port: number;
}

export interface NatDetection {
  /** The sender of the message is behind a NAT (no NAT_DETECTION_SOURCE_IP matched). */
  readonly peerBehindNat: boolean;
  /** We, the receiver, are behind a NAT (NAT_DETECTION_DESTINATION_IP did not match). */
  readonly selfBehindNat: boolean;
}

/** RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port). */
export function natDetectionHash(suite: CryptoSuite, spiI: Uint8Array, spiR: Uint8Array, address: Uint8Array, port: number): Uint8Array {
  expectBytes('spiI', spiI, 8, 'an IKE SA (RFC 7296 3.1)');
  expectBytes('spiR', spiR, 8, 'an IKE SA (RFC 7296 3.1)');
  expectBytes('address', address);
  if (address.length !== 4 && address.length !== 16) throw new RangeError(`"address" expected 4 or 16 bytes, got ${address.length}`);
  expectInt('port', port, 0, 65535);
  return suite.hash('sha1', concatBytes(spiI, spiR, address, Uint8Array.of(port >>> 8, port & 0xff)));
}

type Notify = PayloadOf<typeof PayloadType.N>;

const dataOf = (payloads: readonly Payload[], notifyType: number): Uint8Array[] =>
  payloads.filter((p): p is Notify => p.type === PayloadType.N && p.notifyType === notifyType).map((n) => n.data);

/**
 * What the NAT-D notifies of a received message say, given the source and destination the
 * datagram arrived with; undefined when the message lacks either kind (the peer does no NAT
 * detection, so the answer must carry none either, 2.23).
 */
export function natDetected(
  suite: CryptoSuite,
  spiI: Uint8Array,
  spiR: Uint8Array,
  payloads: readonly Payload[],
  received: { readonly source: NatEndpoint; readonly destination: NatEndpoint },
): NatDetection | undefined {
  const sources = dataOf(payloads, NotifyStatus.NAT_DETECTION_SOURCE_IP);
  const destinations = dataOf(payloads, NotifyStatus.NAT_DETECTION_DESTINATION_IP);
  if (sources.length === 0 || destinations.length === 0) return undefined;
  const source = natDetectionHash(suite, spiI, spiR, received.source.address, received.source.port);
  const destination = natDetectionHash(suite, spiI, spiR, received.destination.address, received.destination.port);
  return {
    peerBehindNat: !sources.some((d) => equalBytes(d, source)),
    selfBehindNat: !destinations.some((d) => equalBytes(d, destination)),
  };
}

/**
 * The two notifies for a message we send from `self` to `peer` (2.23), with the SPIs of its
 * header: NAT_DETECTION_SOURCE_IP, then NAT_DETECTION_DESTINATION_IP.
 */
export function natDetectionNotifies(suite: CryptoSuite, spiI: Uint8Array, spiR: Uint8Array, self: NatEndpoint, peer: NatEndpoint): Notify[] {
  const n = (notifyType: number, e: NatEndpoint): Notify => ({
    type: PayloadType.N,
    protocolId: 0,
    spi: new Uint8Array(0),
    notifyType,
    data: natDetectionHash(suite, spiI, spiR, e.address, e.port),
  });
  return [n(NotifyStatus.NAT_DETECTION_SOURCE_IP, self), n(NotifyStatus.NAT_DETECTION_DESTINATION_IP, peer)];
}
