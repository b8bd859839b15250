/**
 * The UDP sink of the `esp-testbed` benchmark for charon as the gateway: in the gateway
 * namespace on the protected host's address (on lo there), it counts the datagrams that charon's
 * libipsec decrypted and the kernel delivered, as WakeLab's virtual host counts `udpDiscarded`.
 *
 *   node --import tsx test/bench/esp-testbed/sink.ts <address> <port> [<every seconds>]
 *
 * Prints `{"kind":"listening","port":..}` once bound (port 0: any free port), then `{"kind":"count","n":..,"bytes":..}` every
 * `every` seconds (default 1) and once more on SIGTERM: the cadence of `wakelab responder
 * --stats-every <s>`, so that the benchmark samples both counts the same way.
 */
import dgram from 'node:dgram';

const [address, portText, everyText = '1'] = process.argv.slice(2);
const port = Number(portText);
const every = Number(everyText);
if (!address || !(Number.isInteger(port) && port >= 0 && port < 65536) || !(every > 0)) {
  process.stderr.write('usage: sink.ts <address> <port> [<every seconds>]\n');
  process.exit(2);
}
let n = 0;
let bytes = 0;
const print = (kind: string, extra: object = {}): void => {
  process.stdout.write(JSON.stringify({ kind, n, bytes, ...extra }) + '\n');
};
const sock = dgram.createSocket('udp4');
sock.on('message', (m) => {
  n++;
  bytes += m.length;
});
sock.on('error', (e) => {
  process.stderr.write(`sink: ${e.message}\n`);
  process.exit(1);
});
sock.bind(port, address, () => {
  print('listening', { port: sock.address().port });
  setInterval(() => print('count'), every * 1000);
});
process.once('SIGTERM', () => {
  print('count');
  process.exit(0);
});
