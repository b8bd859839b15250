// Free UDP ports on loopback for tests that run a responder or a fleet: a random block (so test
// files running at the same time rarely meet) whose every port could be bound a moment ago.
import dgram from 'node:dgram';

function canBind(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      done(false);
    });
    s.bind({ port, address: '127.0.0.1', exclusive: true }, () => s.close(() => done(true)));
  });
}

/**
 * Below Linux's default ephemeral range (net.ipv4.ip_local_port_range, 32768-60999): a port chosen
 * here is never handed to another test's bind(0) between the choice and its use.
 */
const LOW = 20000;
const HIGH = 32768;

/** The first of `n` consecutive free UDP ports between 20000 and 32767. */
export async function freeUdpPorts(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOW + Math.floor(Math.random() * (HIGH - LOW - n));
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await canBind(p);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free UDP ports found`);
}
