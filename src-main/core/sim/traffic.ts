/**
 * Application traffic through the tunnel: none, periodic downlink pushes (each acknowledged by one
 * small uplink packet), Poisson interactive sessions of request/response packets, or a recorded
 * packet trace replayed at its own times.
 */
import type { Rng } from '../rng.ts';
import { traceFromArrays, type PacketTrace } from '../trace/trace.ts';
import type { Client } from './client.ts';
import type { Gateway } from './gateway.ts';
import type { Traffic } from './scenario.ts';
import { WIRE } from './wire-sizes.ts';
import type { World } from './world.ts';

export function scheduleTraffic(w: World, traffic: Traffic, client: Client, gateway: Gateway, rng: Rng, endS: number): void {
  switch (traffic.kind) {
    case 'idle':
      return;
    case 'periodic-push': {
      const push = (t: number): void => {
        if (t > endS) return;
        w.q.at(t, () => {
          gateway.sendData(traffic.bytes, WIRE.tcpAck);
          push(t + traffic.periodS);
        });
      };
      push(traffic.periodS);
      return;
    }
    case 'interactive': {
      const meanGap = 3600 / traffic.sessionsPerHour;
      const session = (start: number): void => {
        if (start > endS) return;
        w.q.at(start, () => {
          const end = start + rng.exponential(traffic.meanSessionS);
          const tick = (t: number): void => {
            if (t > end || t > endS) return;
            w.q.at(t, () => {
              client.sendData(traffic.upBytes, traffic.downBytes);
              tick(t + traffic.packetIntervalS);
            });
          };
          tick(start);
          session(end + rng.exponential(meanGap));
        });
      };
      session(rng.exponential(meanGap));
      return;
    }
    case 'trace':
      scheduleTrace(w, traceFromArrays(traffic.time, traffic.direction, traffic.bytes), client, gateway, endS);
      return;
  }
}

/** Replays a columnar trace: uplink packets from the client, downlink from the gateway (inner bytes). */
export function scheduleTrace(w: World, trace: PacketTrace, client: Client, gateway: Gateway, endS: number): void {
  const { time, up, bytes } = trace;
  // One event at a time, so a long trace does not fill the queue up front.
  const step = (i: number): void => {
    if (i >= time.length || time[i]! > endS) return;
    w.q.at(time[i]!, () => {
      if (up[i] === 1) client.sendData(bytes[i]!);
      else gateway.sendData(bytes[i]!);
      step(i + 1);
    });
  };
  step(0);
}
