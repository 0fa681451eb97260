// The resources one session subscribed to, each subscription held at the instance whose server offers the URI.
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import type { DirectSurface } from '../surface/direct.js';
import { Cancellation, type CancelSignal } from '../protocol/cancel.js';

/** What subscribing needs from its session. */
export interface SubscriptionsDeps {
  sessionId: string;
  catalog: Catalog;
  direct: DirectSurface;
  /** The set of subscribed URIs changed (it is part of the session's saved state). */
  changed(): void;
  log: Logger;
}

/** One session's resource subscriptions. */
export class ResourceSubscriptions {
  private readonly uris = new Set<string>();

  constructor(private readonly deps: SubscriptionsDeps) {}

  /** Subscribes or unsubscribes the session at the server that offers the URI. */
  async change(method: 'resources/subscribe' | 'resources/unsubscribe', uri: string, signal: CancelSignal): Promise<unknown> {
    const view = await this.deps.direct.resourceTarget(uri);
    const inst = this.deps.catalog.instance(view);
    const id = this.deps.sessionId;
    const opts = { signal, sessionId: id };
    const result = method === 'resources/subscribe' ? await inst.subscribe(uri, id, opts) : await inst.unsubscribe(uri, id, opts);
    if (method === 'resources/subscribe') this.uris.add(uri);
    else this.uris.delete(uri);
    this.deps.changed();
    return result;
  }

  /** Every URI subscribed to. */
  list(): string[] {
    return [...this.uris];
  }

  /** Makes saved subscriptions again (each on the server that owns the URI); one that fails is logged and left out. */
  async renew(uris: readonly string[]): Promise<void> {
    await Promise.all(
      uris.map((uri) =>
        this.change('resources/subscribe', uri, new Cancellation()).catch((err: Error) =>
          this.deps.log.warn({ uri, err: err.message }, 'could not renew a resource subscription'),
        ),
      ),
    );
  }
}
