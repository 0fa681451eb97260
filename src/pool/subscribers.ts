// Which sessions subscribe to which resource URIs on one instance: the backend hears of a URI (in its era's way) when
// its first subscriber comes and when its last one leaves.
import { McplexError } from '../protocol/errors.js';
import type { SessionSend, Wire } from './wire.js';

/** The backend the subscriptions are held at. */
export interface SubscribedBackend {
  name: string;
  /** Starts the backend if needed (through its breaker). */
  start(): Promise<void>;
  /** The backend's wire, if it has one now. */
  wire(): Wire | undefined;
  /** True while the backend is ready. */
  ready(): boolean;
}

/** Resource subscriptions of one instance, by URI. */
export class Subscribers {
  private readonly byUri = new Map<string, Set<string>>();

  constructor(private readonly backend: SubscribedBackend) {}

  /** Subscribes a session to a resource; the backend hears of it with the first subscriber only. */
  async subscribe(uri: string, sessionId: string, send: SessionSend): Promise<unknown> {
    const subs = this.byUri.get(uri) ?? new Set<string>();
    const first = subs.size === 0;
    subs.add(sessionId);
    this.byUri.set(uri, subs);
    if (!first) return {};
    try {
      await this.backend.start();
      const wire = this.backend.wire();
      if (!wire) throw new McplexError('BACKEND_CLOSED', `server "${this.backend.name}" went away; retry`);
      await wire.watch(uri, true, [...this.byUri.keys()], send);
    } catch (err) {
      subs.delete(sessionId);
      if (subs.size === 0 && this.byUri.get(uri) === subs) this.byUri.delete(uri);
      throw err;
    }
    return {};
  }

  /** Unsubscribes a session; the backend hears of it when the last subscriber leaves. */
  async unsubscribe(uri: string, sessionId: string, send: SessionSend): Promise<unknown> {
    const subs = this.byUri.get(uri);
    if (!subs?.delete(sessionId)) return {};
    if (subs.size === 0) {
      this.byUri.delete(uri);
      const wire = this.backend.wire();
      if (wire && this.backend.ready()) await wire.watch(uri, false, [...this.byUri.keys()], send);
    }
    return {};
  }

  /** Sessions subscribed to a resource URI. */
  of(uri: string): ReadonlySet<string> {
    return this.byUri.get(uri) ?? new Set();
  }

  /** Every URI some session subscribes to. */
  uris(): string[] {
    return [...this.byUri.keys()];
  }

  /** Tells a backend that started again what its sessions still subscribe to (a new process knows of none). */
  async renew(send: SessionSend): Promise<void> {
    const wire = this.backend.wire();
    const uris = [...this.byUri.keys()];
    if (!wire || !uris.length) return;
    for (const uri of uris) await wire.watch(uri, true, uris, send);
  }
}
