// Hot configuration: watch config.yaml, the gateway .env and each live workspace's .env/.mcplex.yaml; validate, swap, reconcile.
import path from 'node:path';
import { diffServers, isEmptyDiff } from '../config/diff.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { FileWatcher } from '../config/watch.js';
import { isWorkspaceServerKey } from '../catalog/catalog.js';
import type { Session } from '../session/session.js';
import type { Hub } from './hub.js';

const LIST_CHANGED = ['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed'];

/** How long the list_changed of an edit waits for the edits that come with it (one notification for them all). */
const NOTIFY_SETTLE_MS = 150;

/** Applies edits without restarting anything that did not change. */
export class Reloader {
  private readonly watcher: FileWatcher;
  private queue: Promise<void> = Promise.resolve();
  private readonly toNotify = new Set<Session>();
  private notifyTimer?: NodeJS.Timeout;

  constructor(readonly hub: Hub, private readonly configPath: string, private readonly homeEnvPath: string, private readonly trustPath: string) {
    this.watcher = new FileWatcher((file) => void this.apply(file));
    this.watcher.add(configPath);
    this.watcher.add(homeEnvPath);
    this.watcher.add(trustPath);
  }

  /** Watches a workspace's `.env` and `.mcplex.yaml` (once per workspace). */
  watchWorkspace(dir: string): void {
    this.watcher.add(path.join(dir, '.env'));
    this.watcher.add(path.join(dir, '.mcplex.yaml'));
  }

  /** Applies a change to one watched file now (after any queued ones); the watcher's later event is harmless. */
  apply(file: string): Promise<void> {
    this.queue = this.queue.then(() => this.changed(file)).catch((err: Error) => this.hub.log.error({ err: err.message }, 'reload failed'));
    return this.queue;
  }

  async close(): Promise<void> {
    clearTimeout(this.notifyTimer);
    await this.watcher.close();
  }

  private async changed(file: string): Promise<void> {
    const log = this.hub.log;
    if (file === this.configPath) {
      await this.reloadConfig();
    } else if (file === this.trustPath) {
      // Trusting starts nothing by itself; untrusting stops what no longer may run.
      const affected = [...this.hub.sessions.values()].filter((s) => s.catalog.servers().some((v) => v.scope === 'workspace'));
      log.info({ file, sessions: affected.length }, 'workspace trust changed');
      this.reconcile(affected, () => this.hub.reloadTrust(), new Set(), true, true);
    } else if (file === this.homeEnvPath) {
      log.info({ file }, 'gateway .env changed');
      this.reconcile([...this.hub.sessions.values()], () => this.hub.reloadHomeEnv(), new Set(), true);
    } else {
      const dir = path.dirname(file);
      const affected = [...this.hub.sessions.values()].filter((s) => s.init.workspace === dir);
      log.info({ file, sessions: affected.length }, 'workspace file changed');
      this.reconcile(affected, () => affected.forEach((s) => s.catalog.reloadWorkspace()), new Set(), true, true);
    }
  }

  private async reloadConfig(): Promise<void> {
    let next;
    try {
      next = await loadConfig(this.configPath);
    } catch (err) {
      this.hub.refuse(err instanceof ConfigError ? err.message : `${this.configPath}: ${(err as Error).message}`);
      return;
    }
    const before = this.hub.config();
    const diff = diffServers(before.servers, next.servers);
    if (before.gateway.port !== next.gateway.port || before.gateway.host !== next.gateway.host) {
      this.hub.log.warn('gateway.port and gateway.host take effect at the next daemon start (mcplex restart)');
    }
    this.hub.log.info(diff, 'config reloaded');
    const touched = new Set([...diff.removed, ...diff.changed]);
    this.reconcile([...this.hub.sessions.values()], () => this.hub.setConfig(next), touched, !isEmptyDiff(diff));
  }

  /**
   * Applies a change, then drains every instance that a session used before and no session resolves to now
   * (or may no longer run: untrusted), or that now resolves to a different config. Unchanged instances keep their processes.
   * After a trust or workspace-file change, a workspace server's instance that no open session resolves to is drained
   * too: it may run a definition no longer trusted, and with no session nothing would re-check it until it idles out.
   */
  private reconcile(affected: Session[], apply: () => void, touchedServers: ReadonlySet<string>, notify: boolean, workspaceServers = false): void {
    const pool = this.hub.pool;
    const usedBefore = new Set(affected.flatMap((s) => s.catalog.servers().map((v) => v.resolved.key)));
    const shownBefore = new Map(affected.map((s) => [s, shown(s)]));
    apply();
    const wanted = new Map<string, string>();
    for (const s of this.hub.sessions.values()) for (const v of s.catalog.servers()) if (!v.untrusted) wanted.set(v.resolved.key, v.resolved.configHash);
    for (const inst of pool.list()) {
      const hash = wanted.get(inst.key);
      const unclaimed = usedBefore.has(inst.key) || touchedServers.has(inst.name) || (workspaceServers && isWorkspaceServerKey(inst.key));
      const stale = hash === undefined ? unclaimed : hash !== inst.resolved.configHash;
      if (stale) void pool.drain(inst.key, 'its configuration changed or was removed');
    }
    if (notify) for (const s of affected) if (shown(s) !== shownBefore.get(s)) this.listsChanged(s);
  }

  /**
   * Tells a session its lists changed, once for the edits of a moment: `mcplex add` writes config.yaml, the .env and
   * trust.json one after the other, and the client should re-list once, after the last.
   */
  private listsChanged(session: Session): void {
    this.toNotify.add(session);
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = undefined;
      const sessions = [...this.toNotify];
      this.toNotify.clear();
      for (const s of sessions) if (this.hub.sessions.has(s.id)) for (const method of LIST_CHANGED) s.notify(method);
    }, NOTIFY_SETTLE_MS);
  }
}

/** What a session's lists are made of: its servers, each with its resolved config and whether it may run. */
function shown(s: Session): string {
  return JSON.stringify(s.catalog.servers().map((v) => [v.name, v.resolved.configHash, v.untrusted ?? false]));
}
