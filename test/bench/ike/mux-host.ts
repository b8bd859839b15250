/**
 * Many sans-IO Initiators on one pair of UDP sockets (IKE and NAT-T), for the load driver. An
 * incoming datagram goes to the Initiator whose SPIi it carries (the first 8 octets of the IKE
 * header, after the 4-octet non-ESP marker on the NAT-T port, RFC 3948 2.2). One timer every
 * 50 ms ticks the Initiators whose deadline has passed (retransmissions, which loopback should
 * never need; they are counted).
 */
import dgram from 'node:dgram';
import type { Initiator } from '../../../src-main/core/ike/initiator.ts';
import type { Endpoint } from '../../../src-main/core/ike/io.ts';

export interface Slot {
  readonly initiator: Initiator;
  readonly startedAt: number;
  /** Datagrams this Initiator sent (2 when nothing was retransmitted). */
  sends: number;
  done: (slot: Slot) => void;
  /** Being deleted (retire): done once the Delete is answered, not when up. */
  retiring?: boolean;
}

const monotonic = (): number => Number(process.hrtime.bigint()) / 1e9;

export class MuxHost {
  private readonly slots = new Map<bigint, Slot>();
  private ike!: dgram.Socket;
  private natt!: dgram.Socket;
  private timer: NodeJS.Timeout | null = null;
  ports = { ike: 0, natt: 0 };
  /** Datagrams for no SPI we know (late retransmissions of finished handshakes). */
  strays = 0;
  sendErrors = 0;
  readonly clock = monotonic;

  constructor(readonly address: string) {}

  async start(): Promise<{ ike: number; natt: number }> {
    const bind = async (): Promise<dgram.Socket> => {
      const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
      await new Promise<void>((ok, fail) => {
        s.once('error', fail);
        s.bind({ address: this.address, port: 0, exclusive: true }, () => {
          s.off('error', fail);
          ok();
        });
      });
      s.on('error', () => this.sendErrors++);
      return s;
    };
    this.ike = await bind();
    this.natt = await bind();
    this.ports = { ike: this.ike.address().port, natt: this.natt.address().port };
    this.ike.on('message', (m, r) => this.onMessage(m, r, this.ports.ike, 0));
    this.natt.on('message', (m, r) => this.onMessage(m, r, this.ports.natt, 4));
    this.timer = setInterval(() => this.tickAll(), 50);
    return this.ports;
  }

  /** Starts one handshake: `connect` runs the Initiator's connect; `done` is called once, when it is up or failed. */
  add(initiator: Initiator, peer: Endpoint, done: (slot: Slot) => void): void {
    const now = this.clock();
    const slot: Slot = { initiator, startedAt: now, sends: 0, done };
    initiator.connect(now, { address: this.address, port: this.ports.ike }, peer);
    const out = initiator.drain();
    const first = out.find((o) => o.kind === 'send');
    if (!first || first.kind !== 'send') throw new Error('the Initiator sent no IKE_SA_INIT request');
    this.slots.set(Buffer.from(first.bytes.buffer, first.bytes.byteOffset, 8).readBigUInt64BE(0), slot);
    this.flush(slot, out);
  }

  /** Deletes a finished handshake's IKE SA (INFORMATIONAL with Delete, RFC 7296 1.4.1); `done` once answered or given up. */
  retire(slot: Slot, done: (slot: Slot) => void): void {
    const sa = slot.initiator.ikeSa;
    if (!sa || slot.initiator.phase !== 'up') return done(slot);
    const spi = Buffer.from(sa.spiI.buffer, sa.spiI.byteOffset, 8).readBigUInt64BE(0);
    slot.done = done;
    slot.retiring = true;
    this.slots.set(spi, slot);
    slot.initiator.close(this.clock());
    this.flush(slot, slot.initiator.drain());
    this.settle(spi, slot);
  }

  get inFlight(): number {
    return this.slots.size;
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo, port: number, skip: number): void {
    if (msg.length < skip + 28) return void this.strays++;
    const spi = msg.readBigUInt64BE(skip);
    const slot = this.slots.get(spi);
    if (!slot) return void this.strays++;
    slot.initiator.receive(this.clock(), new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: rinfo.address, port: rinfo.port }, { address: this.address, port });
    this.flush(slot, slot.initiator.drain());
    this.settle(spi, slot);
  }

  private settle(spi: bigint, slot: Slot): void {
    const phase = slot.initiator.phase;
    if ((phase === 'up' && !slot.retiring) || phase === 'failed' || phase === 'closed') {
      this.slots.delete(spi);
      slot.done(slot);
    }
  }

  private flush(slot: Slot, out: ReturnType<Initiator['drain']>): void {
    for (const o of out) {
      if (o.kind !== 'send') continue;
      slot.sends++;
      const s = o.from.port === this.ports.natt ? this.natt : this.ike;
      s.send(o.bytes, o.to.port, o.to.address);
    }
  }

  private tickAll(): void {
    const now = this.clock();
    for (const [spi, slot] of this.slots) {
      if (slot.initiator.nextDeadline() > now) continue;
      slot.initiator.tick(now);
      this.flush(slot, slot.initiator.drain());
      this.settle(spi, slot);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.ike, this.natt].map((s) => new Promise<void>((done) => s.close(() => done()))));
  }
}
