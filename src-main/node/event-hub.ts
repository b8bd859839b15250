/**
 * Fan-out of the contract's events to whoever listens (the Electron window, bridge clients,
 * tests). Listeners that throw are dropped from that delivery, never from the hub's caller.
 */
import type { EventName, LabEvents } from '../contract.ts';

/** (name, payload) pairs: checking the name narrows the payload (TypeScript's dependent parameters). */
type Listener = (...args: { [E in EventName]: [event: E, payload: LabEvents[E]] }[EventName]) => void;

export class EventHub {
  private readonly listeners = new Set<Listener>();

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: LabEvents[E]): void {
    for (const l of [...this.listeners]) {
      try {
        (l as (event: E, payload: LabEvents[E]) => void)(event, payload);
      } catch {
        // A broken listener (a closed socket, a destroyed window) must not stop the work.
      }
    }
  }
}
