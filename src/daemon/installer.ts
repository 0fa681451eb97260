// install_server / remove_server for a session: edit the right file, apply it at once, and wait until the tools are known.
import path from 'node:path';
import { applyInstall, installedServer, planInstall, planRemove, type EditTarget, type InstallRequest } from '../config/install.js';
import { writeAtomic } from '../config/edit.js';
import { definitionHash } from '../home/trust.js';
import type { Catalog, EditOptions, ServerEditor } from '../catalog/catalog.js';
import type { Reloader } from './reload.js';

/** What an install or remove did (or would do), for the tool result. */
export type EditOutcome = Record<string, unknown>;

/** Applies install/remove edits on behalf of sessions; global edits without confirm only show what they would write. */
export class Installer implements ServerEditor {
  constructor(
    private readonly reloader: Reloader,
    private readonly configPath: string,
    private readonly homeEnv: string,
    /** Records trust in a workspace server definition: what the user's own session installs is trusted as written. */
    private readonly trust: (workspace: string, servers: Record<string, string>) => void,
  ) {}

  private target(scope: EditOptions['scope'], workspace: string): EditTarget {
    return scope === 'global'
      ? { kind: 'global', configFile: this.configPath, envFile: this.homeEnv }
      : { kind: 'workspace', configFile: path.join(workspace, '.mcplex.yaml'), envFile: path.join(workspace, '.env') };
  }

  /** Installs a server; resolves once its tools are discoverable (or throws with the spawn error and stderr tail). */
  async install(catalog: Catalog, workspace: string, req: InstallRequest, opts: EditOptions): Promise<EditOutcome> {
    const target = this.target(opts.scope, workspace);
    const plan = planInstall(req, target);
    if (opts.scope === 'global' && !opts.confirm) {
      return { applied: false, wouldWrite: { file: target.configFile, yaml: plan.text, envFile: plan.envKeys.length ? target.envFile : undefined, envKeys: plan.envKeys }, hint: 'call again with confirm: true to apply' };
    }
    if (opts.scope === 'workspace') this.trust(workspace, { [req.server]: definitionHash(installedServer(plan)) });
    applyInstall(plan, req.env);
    await this.reloader.apply(target.configFile);
    const view = catalog.find(req.server);
    const manifest = await catalog.manifest(view, true);
    return {
      applied: true,
      server: req.server,
      scope: opts.scope,
      file: target.configFile,
      tools: manifest?.tools.map((t) => t.name) ?? [],
      ...(plan.envKeys.length ? { envFile: target.envFile, envKeys: plan.envKeys } : {}),
      ...(plan.missingEnv.length ? { missingEnv: plan.missingEnv, hint: `set ${plan.missingEnv.join(', ')} in ${target.envFile}` } : {}),
    };
  }

  /** Removes a server; its instances drain and stop. */
  async remove(workspace: string, server: string, opts: EditOptions): Promise<EditOutcome> {
    const target = this.target(opts.scope, workspace);
    const text = planRemove(server, target);
    if (opts.scope === 'global' && !opts.confirm) {
      return { applied: false, wouldWrite: { file: target.configFile, yaml: text }, hint: 'call again with confirm: true to apply' };
    }
    writeAtomic(target.configFile, text);
    await this.reloader.apply(target.configFile);
    return { applied: true, server, scope: opts.scope, file: target.configFile };
  }
}
