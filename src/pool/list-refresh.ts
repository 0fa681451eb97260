// A backend's lists fetched again after its list_changed: one refresh per kind at a time (a burst of list_changed
// during one costs one more refresh, not one each), and the change reported once, when the manifest holds it.
import type { Logger } from 'pino';
import { fetchLists, type ListKind, type Lists } from './listing.js';
import type { Wire } from './wire.js';

/** What refreshing needs from its instance. */
export interface RefreshDeps {
  /** The running backend's wire and capabilities; undefined when it is not running (nothing to refresh). */
  source(): { wire: Wire; capabilities: Record<string, unknown> } | undefined;
  /** Keeps a refreshed list (in the manifest, and the cache on disk). */
  keep(lists: Partial<Lists>): void;
  /** How long one list request may take. */
  timeoutMs(): number;
  /** The list changed and the manifest already holds the new one. */
  changed(kind: ListKind): void;
  log: Logger;
}

/** The list refreshes of one instance. */
export class ListRefresh {
  /** A refresh in flight per kind; `again` when another list_changed came meanwhile. */
  private readonly running = new Map<ListKind, { again: boolean }>();

  constructor(private readonly deps: RefreshDeps) {}

  /** The backend said a list changed: re-list it (or once more, after the refresh in flight). */
  request(kind: ListKind): void {
    const running = this.running.get(kind);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.running.set(kind, state);
    void (async () => {
      let ok = false;
      do {
        state.again = false;
        const source = this.deps.source();
        if (!source) break;
        try {
          const timeoutMs = this.deps.timeoutMs();
          this.deps.keep(await fetchLists((m, p) => source.wire.request(m, p, { timeoutMs }), source.capabilities, [kind]));
          ok = true;
        } catch (err) {
          ok = false;
          this.deps.log.warn({ err: (err as Error).message, kind }, 'refreshing a list after list_changed failed');
        }
      } while (state.again);
      this.running.delete(kind);
      if (ok) this.deps.changed(kind);
    })();
  }
}
