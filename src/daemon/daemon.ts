// Composition root: config → logger → pool → hub → front; writes daemon.json; stops everything in order on a signal.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, defaultConfig, loadConfig } from '../config/load.js';
import type { Config, Surface } from '../config/types.js';
import { findWorkspace } from '../env/workspace.js';
import { completeProcessEnvironment, withSafeDefaults } from '../env/base.js';
import { startFront, type Front } from '../front/server.js';
import { WsTransport } from '../front/ws-transport.js';
import { HttpSessions } from '../front/http-sessions.js';
import type { MessageTransport } from '../protocol/transport.js';
import { createLogger } from '../observe/logger.js';
import { AuditLog } from '../observe/audit.js';
import { ManifestCache } from '../pool/manifest.js';
import { startMaintenance } from '../pool/maintenance.js';
import { ProcessRegistry } from '../supervisor/registry.js';
import { Pool } from '../pool/pool.js';
import type { ShimHello } from '../protocol/shim-hello.js';
import { Session } from '../session/session.js';
import { Hub } from './hub.js';
import { Reloader } from './reload.js';
import { Installer } from './installer.js';
import type { HomePaths } from '../home/paths.js';
import { removeDaemonInfo, writeDaemonInfo } from '../home/state-file.js';
import { secureHome } from '../home/private.js';
import { daemonToken } from '../home/token.js';
import { TrustStore } from '../home/trust.js';
import { metricsText, statusSnapshot } from './status.js';
import { processIdentity } from '../supervisor/process-info.js';
import { VERSION } from '../version.js';
import type { WebSocket } from 'ws';

export interface DaemonOptions {
  paths: HomePaths;
  configPath: string;
  /** True when the config path was given explicitly (a missing file is then an error). */
  configExplicit: boolean;
  port?: number;
  foreground: boolean;
  releaseLock: () => void;
}

/**
 * The config to start with. A missing default config means no servers yet. An invalid one stops a foreground
 * `serve` (exit 2 with every problem); a background daemon (started by a shim) starts with no servers and
 * reports the problems, so clients see them in list_servers instead of hanging, and fixing the file applies it.
 */
async function readConfig(opts: DaemonOptions): Promise<{ config: Config; refused?: string }> {
  try {
    return { config: await loadConfig(opts.configPath) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (err.missing && !opts.configExplicit) return { config: defaultConfig(opts.paths.home) };
    if (opts.foreground) throw err;
    return { config: defaultConfig(path.dirname(opts.configPath)), refused: err.message };
  }
}

/** Runs the daemon until SIGTERM/SIGINT; the caller already holds the singleton lock. */
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const { paths } = opts;
  // A stop requested while starting (e.g. during the orphan sweep) waits for startup, so nothing is left half-done.
  let signalled: ((sig: string) => void) | undefined;
  const early: string[] = [];
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => (signalled ? signalled(sig) : early.push(sig)));
  secureHome(paths);
  completeProcessEnvironment();
  const log = createLogger({ file: paths.log, stderr: opts.foreground });
  const { config, refused } = await readConfig(opts);
  const started = Date.now();
  const token = daemonToken(paths.token);
  const registry = new ProcessRegistry(paths.run);
  const orphans = await registry.sweep(log);
  if (orphans) log.warn({ orphans }, 'stopped backends an earlier daemon left running');
  const pool: Pool = new Pool({
    log,
    cache: new ManifestCache(paths.cache),
    gateway: (): Config['gateway'] => hub.config().gateway,
    version: VERSION,
    onSpawn: (pid, server) => registry.record(pid, server ?? '?'),
    onExit: (pid) => registry.forget(pid),
  });
  const pingEvery = Number(process.env.MCPLEX_PING_INTERVAL_MS) || undefined;
  const stopMaintenance = startMaintenance(pool, { gateway: () => hub.config().gateway, log, pingEveryMs: pingEvery, pingTimeoutMs: pingEvery && Math.min(10_000, pingEvery) });
  const audit = new AuditLog(paths.audit);
  const hub: Hub = new Hub(config, pool, log, VERSION, paths.env, audit, new TrustStore(paths.trust));
  if (refused) hub.refuse(refused);
  const reloader = new Reloader(hub, opts.configPath, paths.env, paths.trust);
  hub.editor = new Installer(reloader, opts.configPath, paths.env, (ws, servers) => hub.grantTrust(ws, servers));
  const envPort = process.env.MCPLEX_PORT;
  const port = opts.port ?? (envPort !== undefined && envPort !== '' ? Number(envPort) : config.gateway.port);
  let sessionSeq = 0;
  hub.onWorkspace = (session) => reloader.watchWorkspace(session.init.workspace);

  /** Opens a session over any transport: shims send cwd and env; HTTP sessions use the daemon's own env. */
  const openSession = (transport: MessageTransport, o: { cwd: string; workspace?: string; env: Session['init']['systemEnv']; surface?: Surface; origin: string; fromRoots?: boolean }) => {
    const id = `s${++sessionSeq}-${crypto.randomBytes(3).toString('hex')}`;
    const session = new Session(
      transport,
      {
        id,
        cwd: o.cwd,
        workspace: o.workspace ? path.resolve(o.cwd, o.workspace) : findWorkspace(o.cwd),
        ...(o.fromRoots ? { workspaceFromRoots: true } : {}),
        systemEnv: o.env,
        surface: o.surface ?? hub.config().gateway.surface,
        origin: o.origin,
      },
      hub,
    );
    hub.add(session);
    reloader.watchWorkspace(session.init.workspace);
    void transport.start();
    session.log.info({ origin: o.origin, workspace: session.init.workspace, surface: session.init.surface }, 'session opened');
    return session;
  };

  /** The session a shim's hello asks for (over /ws or mcplex.sock). */
  const openShimSession = (transport: MessageTransport, hello: ShimHello) =>
    openSession(transport, {
      cwd: path.resolve(hello.cwd),
      ...(hello.workspace ? { workspace: path.resolve(hello.cwd, hello.workspace) } : {}),
      // A client that stripped its environment still gets backends that can start: what it lacks of the safe set
      // comes from the daemon's.
      env: withSafeDefaults(hello.env, process.env),
      ...(hello.surface && hello.surface !== 'auto' ? { surface: hello.surface } : {}),
      origin: `shim pid ${hello.pid}`,
    });
  const onShim = (ws: WebSocket, hello: ShimHello) => {
    const session = openShimSession(new WsTransport(ws), hello);
    ws.send(JSON.stringify({ mcplex: 'welcome', session: session.id, version: VERSION }));
  };

  const http = new HttpSessions({
    log,
    stateDir: paths.run, idleMs: () => hub.config().gateway.httpIdleTimeout,
    open: (transport, o) =>
      openSession(transport, {
        cwd: os.homedir(),
        ...(o.workspace ? { workspace: o.workspace } : {}),
        env: process.env,
        ...(o.surface ? { surface: o.surface } : {}),
        origin: o.origin,
        fromRoots: !o.workspace,
      }),
  });

  const front: Front = await startFront({
    host: config.gateway.host,
    port,
    socketPath: paths.socket,
    auth: () => hub.config().gateway.auth,
    http,
    token,
    log,
    version: VERSION,
    onShim,
    onShimLines: (transport, hello) => openShimSession(transport, hello).id,
    status: () => statusSnapshot(hub, { port: front.port, portError: front.portError, socket: front.socket, configPath: opts.configPath, startedAt: started }),
    metrics: () => metricsText(hub, started),
    restartServer: async (name) =>
      name in hub.config().servers || pool.list().some((i) => i.name === name) ? pool.restartServer(name) : undefined,
  });

  writeDaemonInfo(paths.daemonJson, {
    pid: process.pid,
    identity: processIdentity(process.pid),
    socket: front.socket,
    port: front.port,
    url: front.port === null ? null : `http://${config.gateway.host}:${front.port}`,
    token,
    version: VERSION,
    startedAt: new Date(started).toISOString(),
    configPath: opts.configPath,
  });
  log.info(
    { port: front.port, socket: front.socket, config: opts.configPath, servers: Object.keys(config.servers), host: os.hostname(), ...(front.portError ? { portError: front.portError } : {}) },
    'mcplex daemon ready',
  );
  if (config.gateway.auth.mode === 'localhost') {
    log.warn('gateway.auth.mode is localhost: every user of this machine can use this daemon over HTTP, with your credentials; remove it to serve only you (owner)');
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    stopping ??= (async () => {
      log.info({ signal }, 'shutting down');
      stopMaintenance();
      await reloader.close();
      await front.close();
      for (const s of hub.sessions.values()) await s.close();
      await pool.stopAll();
      audit.close();
      removeDaemonInfo(paths.daemonJson);
      opts.releaseLock();
      log.info('stopped');
      log.flush();
    })();
    return stopping;
  };
  await new Promise<void>((resolve) => {
    signalled = (sig) => void shutdown(sig).then(resolve);
    if (early[0]) signalled(early[0]);
  });
}
