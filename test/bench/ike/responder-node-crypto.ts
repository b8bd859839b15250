/**
 * A what-if for the IKE benchmark, not what WakeLab ships: WakeLab's Responder and UdpHost exactly
 * as `wakelab responder` builds them (src-main/node/ike/run-responder.ts), one text log line per
 * event on stdout as the CLI writes, but with the benchmark's node:crypto suite (node-suite.ts:
 * OpenSSL X25519, HMAC and AES-CBC) instead of the noble suite. It shows how much of the gap to
 * charon the pure-JavaScript crypto accounts for.
 *
 *   node --import tsx test/bench/ike/responder-node-crypto.ts CONFIG.json
 */
import { readFileSync } from 'node:fs';
import { ikePolicyOf } from '../../../src-main/core/ike/policy.ts';
import { parseResponderConfig } from '../../../src-main/core/ike/responder-config.ts';
import { Responder } from '../../../src-main/core/ike/responder.ts';
import { textLine } from '../../../src-main/node/ike/log-line.ts';
import { UdpHost } from '../../../src-main/node/ike/udp-host.ts';
import { checkAgainstNoble, createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: responder-node-crypto.ts CONFIG.json');
checkAgainstNoble();
const cfg = parseResponderConfig(JSON.parse(readFileSync(path, 'utf8')), path);
const responder = new Responder(createNodeSuite(), ikePolicyOf(cfg), { ike: cfg.listen.ikePort, natt: cfg.listen.nattPort });
const host = new UdpHost(responder, {
  address: cfg.listen.address,
  localAddress: cfg.listen.address,
  ports: [cfg.listen.ikePort, cfg.listen.nattPort],
  onEvent: (e) => {
    if (e.kind !== 'keepalive') process.stdout.write(textLine(e) + '\n');
  },
});
const [ike, natt] = await host.start();
process.stdout.write(`WakeLab responder listening on ${cfg.listen.address} ports ${ike} and ${natt} as "${cfg.localId}" (node:crypto suite)\n`);
const stop = (): void => {
  void host.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
