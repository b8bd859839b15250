/**
 * Values by UDP endpoint, an IPv4 address and a port, found without building an "address:port"
 * string: the gateway looks up the sender of every NAT-T keepalive (gateway.ts), and a string made
 * and hashed per datagram showed in the live lab's profiles (BENCHMARKS.md, "The live lab").
 */
import type { Endpoint } from '../ike/io.ts';

export class EndpointMap<V> {
  private readonly byPort = new Map<number, Map<string, V>>();

  get(e: Endpoint): V | undefined {
    return this.byPort.get(e.port)?.get(e.address);
  }

  set(e: Endpoint, value: V): void {
    let m = this.byPort.get(e.port);
    if (!m) this.byPort.set(e.port, (m = new Map()));
    m.set(e.address, value);
  }

  delete(e: Endpoint): void {
    const m = this.byPort.get(e.port);
    if (!m) return;
    m.delete(e.address);
    if (m.size === 0) this.byPort.delete(e.port);
  }
}
