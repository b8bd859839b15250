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

/** The first of `n` consecutive free UDP ports between 20000 and 60000. */
export async function freeUdpPorts(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (40000 - n));
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await canBind(p);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free UDP ports found`);
}
