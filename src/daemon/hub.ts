// The live state every session shares: current config, sessions, the pool, and the routing of backend-initiated traffic.
import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { AuditLog, AuditRecord } from '../observe/audit.js';
import { Metrics } from '../observe/metrics.js';
import { readEnvFile } from '../env/dotenv.js';
import { RpcCode, type JsonRpcNotification, type JsonRpcRequest } from '../protocol/jsonrpc.js';
import type { Instance } from '../pool/instance.js';
import type { Pool } from '../pool/pool.js';
import { BackendRpcError } from '../protocol/errors.js';
import type { Session, SessionHost } from '../session/session.js';
import type { ServerEditor } from '../catalog/catalog.js';
import type { TrustStore } from '../home/trust.js';

/** How many recent failed calls status keeps. */
const RECENT_ERRORS = 20;

/** Which client capability a server→client request needs. */
const NEEDS: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** Implements SessionHost: sessions see the daemon only through this. */
export class Hub implements SessionHost {
  readonly sessions = new Map<string, Session>();
  readonly metrics = new Metrics();
  /** The last failed tool calls, for status and the live page. */
  readonly recentErrors: Array<{ ts: string; server: string; tool: string; outcome: string }> = [];
  readonly daemonEnv = process.env;
  private current: Config;
  private home: Record<string, string>;
  private refusedEdit?: string;
  /** Bumped whenever the config or the gateway .env changes; sessions re-resolve when it moves. */
  private gen = 0;

  constructor(
    config: Config,
    readonly pool: Pool,
    readonly log: Logger,
    readonly version: string,
    private readonly homeEnvPath: string,
    private readonly auditLog: AuditLog,
    private readonly trust: TrustStore,
  ) {
    this.current = config;
    this.home = readEnvFile(homeEnvPath);
    pool.events = {
      notification: (inst, n) => this.fanOut(inst, n),
      request: (inst, req) => this.routeServerRequest(inst, req),
      manifestChanged: (inst) => this.forSessionsUsing(inst, (s) => s.notify('notifications/tools/list_changed')),
    };
  }

  config(): Config {
    return this.current;
  }

  homeEnv(): Readonly<Record<string, string>> {
    return this.home;
  }

  generation(): number {
    return this.gen;
  }

  /** Set once at startup by the composition root. */
  editor?: ServerEditor;

  installer(): ServerEditor {
    if (!this.editor) throw new Error('server editing is not available');
    return this.editor;
  }

  /** Swaps in a validated config (clears any refused-edit error). */
  setConfig(config: Config): void {
    this.current = config;
    this.refusedEdit = undefined;
    this.gen++;
  }

  /** Re-reads MCPLEX_HOME/.env; a broken file keeps the last good values and is reported like a refused edit. */
  reloadHomeEnv(): void {
    try {
      this.home = readEnvFile(this.homeEnvPath);
      this.gen++;
    } catch (err) {
      this.refuse((err as Error).message);
    }
  }

  trusts(workspace: string, server: string, hash: string): boolean {
    return this.trust.trusts(workspace, server, hash);
  }

  grantTrust(workspace: string, servers: Record<string, string>): () => void {
    const prior = this.trust.grant(workspace, servers);
    this.gen++;
    return () => {
      this.trust.restore(workspace, prior);
      this.gen++;
    };
  }

  /** Re-reads trust.json after `mcplex trust` / `untrust` changed it. */
  reloadTrust(): void {
    this.trust.reload();
    this.gen++;
  }

  /** Records a refused edit: the last good config keeps serving, and status and list_servers show why. */
  refuse(message: string): void {
    this.refusedEdit = message;
    this.log.error({ err: message }, 'config edit refused; the last good config keeps serving');
  }

  audit(record: AuditRecord): void {
    this.auditLog.record(record);
    this.metrics.recordCall(record);
    if (record.outcome === 'error' || record.outcome === 'tool_error') {
      this.recentErrors.push({ ts: new Date().toISOString(), server: record.server, tool: record.tool, outcome: record.outcome });
      if (this.recentErrors.length > RECENT_ERRORS) this.recentErrors.shift();
    }
  }

  configError(): string | undefined {
    return this.refusedEdit;
  }

  /** Registers a new session. */
  add(session: Session): void {
    this.sessions.set(session.id, session);
  }

  /** Set by the composition root: called when a session's workspace changes. */
  onWorkspace?: (session: Session) => void;

  workspaceChanged(session: Session): void {
    this.onWorkspace?.(session);
  }

  sessionClosed(session: Session): void {
    this.sessions.delete(session.id);
    void this.pool.stopSession(session.id);
  }

  private forSessionsUsing(inst: Instance, fn: (s: Session) => void): void {
    for (const s of this.sessions.values()) if (s.uses(inst.key)) fn(s);
  }

  /** Relays a backend notification to the sessions it concerns. */
  private fanOut(inst: Instance, n: JsonRpcNotification): void {
    if (n.method === 'notifications/message') {
      this.forSessionsUsing(inst, (s) => s.wantsLog(n.params?.level) && s.notify(n.method, n.params));
    } else if (n.method === 'notifications/resources/updated') {
      const subs = inst.subscribers(String(n.params?.uri));
      for (const id of subs) this.sessions.get(id)?.notify(n.method, n.params);
    } else if (n.method.endsWith('/list_changed')) {
      this.forSessionsUsing(inst, (s) => s.notify(n.method, n.params));
    }
  }

  /**
   * A backend asked its client something (sampling, elicitation, roots). A dedicated instance asks its own
   * session; a shared one may only ask the sole session with a request in flight on it — never a guessed client.
   */
  private async routeServerRequest(inst: Instance, req: JsonRpcRequest): Promise<unknown> {
    const candidates = inst.owner ? [inst.owner] : inst.sessionsInFlight();
    if (candidates.length !== 1) {
      throw new BackendRpcError({
        code: RpcCode.InvalidRequest,
        message: `mcplex refused ${req.method}: server "${inst.name}" is shared and ${candidates.length === 0 ? 'no session has a request in flight on it' : `${candidates.length} sessions have requests in flight on it`}, so the asking client cannot be known. Use sharing: session for this server.`,
      });
    }
    const session = this.sessions.get(candidates[0]!);
    const need = NEEDS[req.method];
    if (!session || !need || session.clientCapabilities[need] === undefined) {
      throw new BackendRpcError({ code: RpcCode.MethodNotFound, message: `the client does not support ${req.method}` });
    }
    return session.requestClient(req.method, req.params);
  }
}
