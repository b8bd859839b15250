/** One clear line for a responder socket that could not be bound (`wakelab responder`, `wakelab lab`, the Live view). */
import { WakeLabError } from '../../core/errors.ts';
import type { ResponderConfig } from '../../core/ike/responder-config.ts';

export function listenError(e: unknown, cfg: ResponderConfig): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${cfg.listen.address} ports ${cfg.listen.ikePort}/${cfg.listen.nattPort}`;
  if (code === 'EADDRINUSE') return new WakeLabError('BUSY', `cannot listen on ${where}: a port is in use (is charon or another WakeLab running?)`);
  if (code === 'EACCES') return new WakeLabError('INVALID_ARGUMENT', `cannot listen on ${where}: permission denied (ports below 1024 need root)`);
  if (code === 'EADDRNOTAVAIL') return new WakeLabError('INVALID_ARGUMENT', `cannot listen on ${where}: no such address on this machine`);
  return e;
}
