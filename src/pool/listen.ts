// A modern backend's change notifications arrive only on a `subscriptions/listen` stream: one is kept open per ready
// instance, replaced (new one first, old one cancelled once the new is acknowledged) when the set of subscribed
// resource URIs changes, and re-opened, with backoff, whenever it ends.
import type { Logger } from 'pino';
import { McplexError } from '../protocol/errors.js';
import type { JsonRpcId, JsonRpcNotification, Params } from '../protocol/jsonrpc.js';
import { META } from '../protocol/modern.js';
import type { RequestOptions } from '../router/backend-peer.js';
import { Cancellation } from '../protocol/cancel.js';

/** How long a new listen may take to be acknowledged before the change it carries is reported done anyway. */
const ACK_WAIT_MS = 10_000;
/** Re-opening a listen that keeps ending waits from this long… */
const MIN_REOPEN_MS = 500;
/** …up to this long. */
const MAX_REOPEN_MS = 30_000;

/** Sends a `subscriptions/listen` request with these params. */
export type ListenSender = (params: Params, opts: RequestOptions) => Promise<unknown>;

/** Which notification kinds to ask for (beyond resource updates). */
export interface ListenKinds {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
}

interface Listen {
  id?: JsonRpcId;
  readonly stop: Cancellation;
  /** Settles when the backend acknowledged it, or it ended first. */
  readonly ack: Promise<void>;
  settle(): void;
}

/** Keeps one `subscriptions/listen` open on a backend while `alive()` says the instance is ready. */
export class Listener {
  private current?: Listen;
  /** Every listen still open (the current one, and one being replaced), by backend id. */
  private readonly open = new Map<string, Listen>();
  private uris: readonly string[] = [];
  private replacing: Promise<void> = Promise.resolve();
  private stopped = false;
  private failures = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly send: ListenSender,
    private readonly kinds: ListenKinds,
    private readonly log: Logger,
    private readonly alive: () => boolean,
  ) {}

  /** Opens the first listen. */
  start(): void {
    void this.replace();
  }

  /** Listens for updates of exactly these URIs from now on; resolves once the backend acknowledged the new filter. */
  watch(uris: readonly string[]): Promise<void> {
    this.uris = [...uris];
    this.replacing = this.replacing.then(() => this.replace());
    return this.replacing;
  }

  /** Handles `notifications/subscriptions/acknowledged` (true if it was one). */
  acknowledged(n: JsonRpcNotification): boolean {
    if (n.method !== 'notifications/subscriptions/acknowledged') return false;
    const id = (n.params?._meta as Params | undefined)?.[META.subscriptionId];
    const listen = this.open.get(String(id));
    if (listen) {
      this.failures = 0;
      listen.settle();
    }
    return true;
  }

  /** Cancels every listen; nothing is re-opened. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const l of this.open.values()) l.stop.abort();
    this.open.clear();
    this.current = undefined;
  }

  /** Opens a listen with the current filter and, once it is acknowledged, cancels the one it replaces. */
  private async replace(): Promise<void> {
    if (this.stopped || !this.alive()) return;
    clearTimeout(this.timer);
    const previous = this.current;
    const next = this.openListen();
    this.current = next;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([next.ack, new Promise<void>((r) => (timer = setTimeout(r, ACK_WAIT_MS)))]);
    clearTimeout(timer);
    if (previous && previous !== this.current) this.cancel(previous);
  }

  private openListen(): Listen {
    let settle!: () => void;
    const ack = new Promise<void>((r) => (settle = r));
    const listen: Listen = { stop: new Cancellation(), ack, settle };
    const notifications: Params = { ...this.kinds };
    if (this.uris.length) notifications.resourceSubscriptions = [...this.uris];
    const onSent = (id: JsonRpcId) => {
      listen.id = id;
      this.open.set(String(id), listen);
    };
    void this.send({ notifications }, { signal: listen.stop, onSent }).then(
      () => this.ended(listen),
      (err: Error) => this.ended(listen, err),
    );
    return listen;
  }

  private cancel(listen: Listen): void {
    this.open.delete(String(listen.id));
    listen.stop.abort();
  }

  /** A listen ended (answered by the backend, or its stream or connection gone): the current one is re-opened. */
  private ended(listen: Listen, err?: Error): void {
    this.open.delete(String(listen.id));
    listen.settle();
    if (listen !== this.current || this.stopped || !this.alive() || (err instanceof McplexError && err.code === 'CANCELLED')) return;
    const delay = Math.min(MAX_REOPEN_MS, MIN_REOPEN_MS * 2 ** this.failures++);
    this.log.info({ err: err?.message, retryMs: delay }, 'the subscriptions/listen stream ended; re-opening it');
    this.timer = setTimeout(() => void this.replace(), delay);
    this.timer.unref();
  }
}
