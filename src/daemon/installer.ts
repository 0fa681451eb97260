// install_server / remove_server for a session: edit the right files, apply them at once, check the server starts (else undo), and stop what was removed.
import path from 'node:path';
import { applyInstall, applyRemove, installedServer, planInstall, planRemove, type EditTarget, type InstallRequest } from '../config/install.js';
import { definitionHash } from '../home/trust.js';
import type { Catalog, EditOptions, ServerEditor } from '../catalog/catalog.js';
import type { Reloader } from './reload.js';

/** What an install or remove did (or would do), for the tool result. */
export type EditOutcome = Record<string, unknown>;

/** How long a remove waits for the removed server's instances to finish their calls and stop. */
const REMOVE_WAIT_MS = 30_000;

/** Applies install/remove edits on behalf of sessions; global edits without confirm only show what they would write. */
export class Installer implements ServerEditor {
  constructor(
    private readonly reloader: Reloader,
    private readonly configPath: string,
    private readonly homeEnv: string,
    /** Records trust in a workspace server definition (what the user's own session installs is trusted as written); returns its undo. */
    private readonly trust: (workspace: string, servers: Record<string, string>) => () => void,
  ) {}

  private target(scope: EditOptions['scope'], workspace: string): EditTarget {
    return scope === 'global'
      ? { kind: 'global', configFile: this.configPath, envFile: this.homeEnv }
      : { kind: 'workspace', configFile: path.join(workspace, '.mcplex.yaml'), envFile: path.join(workspace, '.env') };
  }

  /** Applies edited files now (the .env first, so the server resolves with its values). */
  private async reload(target: EditTarget, envChanged: boolean): Promise<void> {
    if (envChanged) await this.reloader.apply(target.envFile);
    await this.reloader.apply(target.configFile);
  }

  /**
   * Installs a server; resolves once its tools are discoverable. A server that cannot start is uninstalled again
   * (both files put back) and the error says why; one still missing variables is kept, with what to set.
   */
  async install(catalog: Catalog, workspace: string, req: InstallRequest, opts: EditOptions): Promise<EditOutcome> {
    const target = this.target(opts.scope, workspace);
    const plan = planInstall(req, target, { globalServers: Object.keys(this.reloader.hub.config().servers), pathVar: process.env.PATH ?? '' });
    const envFile = plan.envKeys.length ? { envFile: target.envFile, envKeys: plan.envKeys } : {};
    const notes = plan.notes.length ? { notes: plan.notes } : {};
    if (opts.scope === 'global' && !opts.confirm) {
      return { applied: false, wouldWrite: { file: target.configFile, yaml: plan.text, ...envFile }, ...notes, hint: 'call again with confirm: true to apply' };
    }
    const untrust = opts.scope === 'workspace' ? this.trust(workspace, { [req.server]: definitionHash(installedServer(plan)) }) : () => undefined;
    const undoFiles = applyInstall(plan, req.env);
    const undo = () => {
      undoFiles();
      untrust();
    };
    await this.reload(target, plan.envKeys.length > 0);
    const done = { applied: true, server: req.server, scope: opts.scope, file: target.configFile, ...envFile, ...notes };
    const view = catalog.find(req.server);
    if (view.resolved.missing.length) {
      const missing = view.resolved.missing;
      return { ...done, tools: [], missingEnv: missing, hint: `set ${missing.join(', ')} in ${target.envFile}; the server starts on first use after that` };
    }
    try {
      const manifest = await catalog.manifest(view, true);
      return { ...done, tools: manifest?.tools.map((t) => t.name) ?? [] };
    } catch (err) {
      undo();
      await this.reload(target, plan.envKeys.length > 0);
      throw new Error(`installing "${req.server}" was undone (${target.configFile}${plan.envKeys.length ? ` and ${target.envFile}` : ''} are as they were): ${(err as Error).message}`);
    }
  }

  /** Removes a server and its own .env variables; resolves once its instances have stopped (or are still finishing calls after 30 s). */
  async remove(workspace: string, server: string, opts: EditOptions): Promise<EditOutcome> {
    const target = this.target(opts.scope, workspace);
    const plan = planRemove(server, target);
    if (opts.scope === 'global' && !opts.confirm) {
      return { applied: false, wouldWrite: { file: target.configFile, yaml: plan.text, ...(plan.envKeys.length ? { envFile: target.envFile, removesEnvKeys: plan.envKeys } : {}) }, hint: 'call again with confirm: true to apply' };
    }
    const pool = this.reloader.hub.pool;
    const running = pool.list().filter((i) => i.name === server);
    applyRemove(plan);
    await this.reload(target, plan.envKeys.length > 0);
    const draining = running.filter((i) => !pool.list().includes(i));
    const stopped = await Promise.race([
      Promise.all(draining.map((i) => i.whenStopped())).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), REMOVE_WAIT_MS).unref()),
    ]);
    return {
      applied: true,
      server,
      scope: opts.scope,
      file: target.configFile,
      stopped: draining.length,
      ...(plan.envKeys.length ? { envFile: target.envFile, removedEnvKeys: plan.envKeys } : {}),
      ...(stopped ? {} : { hint: 'its instances are still finishing calls in flight; they stop when those end' }),
    };
  }
}
