// `mcplex doctor`'s run-time check: start a server once, exactly as the daemon would (same resolution, same start), then stop it.
import path from 'node:path';
import pino from 'pino';
import type { Config, ServerConfig } from '../config/types.js';
import { readEnvFile } from '../env/dotenv.js';
import { redactor } from '../env/redact.js';
import { resolveServer } from '../env/resolve.js';
import { findWorkspace } from '../env/workspace.js';
import type { HomePaths } from '../home/paths.js';
import { Instance } from '../pool/instance.js';
import { ManifestCache } from '../pool/manifest.js';
import { VERSION } from '../version.js';

/** How one start went: its tool count, or the error a client would get (redacted). */
export type ProbeResult = { ok: true; tools: number } | { ok: false; error: string };

/** Starts `server` of `config` as the daemon would for a session in `cwd`, waits for its tools, and stops it. */
export async function probeServer(name: string, server: ServerConfig, config: Config, paths: HomePaths, cwd: string): Promise<ProbeResult> {
  const workspace = findWorkspace(cwd);
  let resolved;
  try {
    resolved = resolveServer(name, server, {
      gatewayEnv: config.gateway.env,
      homeEnv: readEnvFile(paths.env),
      workspaceEnv: server.sharing === 'global' ? {} : readEnvFile(path.join(workspace, '.env')),
      workspace,
      systemEnv: process.env,
      daemonEnv: process.env,
      sessionId: 'doctor',
      configDir: config.dir,
    });
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const inst = new Instance(resolved, server, {
    log: pino({ level: 'silent' }),
    cache: new ManifestCache(paths.cache),
    gateway: () => config.gateway,
    version: VERSION,
    redact: redactor(resolved.secrets),
  }, {});
  try {
    await inst.ensureStarted();
    return { ok: true, tools: inst.manifest?.tools.length ?? 0 };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    await inst.stop('doctor check done');
  }
}
