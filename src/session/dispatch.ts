// The era-neutral core of a session: each request, whichever era it came in by, answered locally (initialize,
// server/discover, ping, logging/setLevel) or routed to the surface, a task's instance, or the server that offers a
// prompt or resource.
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import { BackendRpcError, McplexError, toRpcError } from '../protocol/errors.js';
import { errorResponse, RpcCode, type JsonRpcId, type JsonRpcRequest, type JsonRpcResponse, type Params } from '../protocol/jsonrpc.js';
import { MODERN_VERSIONS } from '../protocol/modern.js';
import { asListed } from '../pool/forward.js';
import type { Pool } from '../pool/pool.js';
import type { DirectSurface } from '../surface/direct.js';
import { callMetaTool, isMetaTool, META_TOOLS, type CallContext } from '../surface/meta.js';
import { serverNotes } from '../surface/summary.js';
import type { CancelSignal } from '../protocol/cancel.js';
import type { ClientState } from './client-state.js';
import type { InFlightRequests } from './inflight.js';
import { LOG_LEVELS, type LogLevel } from './log-levels.js';
import { modernCapabilities, modernResult } from './modern.js';
import { instructions, serverInfo, SERVER_CAPABILITIES } from './negotiate.js';
import type { ResourceSubscriptions } from './subscriptions.js';
import { TASK_METHODS, taskRequest } from './tasks.js';

/** A request for a method mcplex does not have (answered -32601). */
class MethodNotFound extends Error {}

/** What dispatching needs from its session. */
export interface DispatchDeps {
  sessionId: string;
  /** mcplex's version, for serverInfo. */
  version: string;
  log: Logger;
  pool: Pool;
  catalog: Catalog;
  direct: DirectSurface;
  client: ClientState;
  subscriptions: ResourceSubscriptions;
  /** Where a call's progress goes: a parked call's retry takes it over. */
  inflight: InFlightRequests;
  /** What a request must wait for first (the client's roots, where they decide the workspace), if anything. */
  rootsFirst(method: string, id: JsonRpcId): Promise<void> | undefined;
  /** Sends a notification to the client (on the stream of `related`). */
  notify(method: string, params: Params, related: JsonRpcId): void;
  /** The client asked for a log level. */
  setLevel(level: LogLevel): void;
  /** Something in the session's saved state changed. */
  changed(): void;
}

/** One session's requests, answered or routed whatever era they came in by. */
export class Dispatch {
  constructor(private readonly deps: DispatchDeps) {}

  /** Answers one request; throws what the client should get as an error. */
  async run(req: JsonRpcRequest, signal: CancelSignal): Promise<unknown> {
    const { catalog, client, direct } = this.deps;
    const params = req.params ?? {};
    const roots = this.deps.rootsFirst(req.method, req.id);
    if (roots) await roots;
    // 2025-11-25 tasks are a 2025 feature here: the modern core moved tasks to an extension mcplex does not serve.
    if (TASK_METHODS.has(req.method) && !client.modern) return taskRequest(this.deps.pool, this.deps.sessionId, req.method, params, { signal });
    switch (req.method) {
      case 'initialize':
        return this.initialize(params);
      case 'server/discover':
        return this.discover();
      case 'ping':
        return {};
      case 'tools/list':
        return { tools: [...(client.showsMeta ? META_TOOLS : []), ...(client.showsDirect ? (await direct.listTools()).map(asListed) : [])] };
      case 'tools/call':
        return this.callTool(req, signal);
      case 'prompts/list':
        return { prompts: await direct.listPrompts() };
      case 'prompts/get': {
        const target = await direct.promptTarget(String(params.name));
        return catalog.forward(target.view, 'prompts/get', { ...params, name: target.name }, { signal });
      }
      case 'resources/list':
        return { resources: await direct.listResources() };
      case 'resources/templates/list':
        return { resourceTemplates: await direct.listResourceTemplates() };
      case 'resources/read':
        return direct.forwardResource(req.method, params, { signal });
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return this.deps.subscriptions.change(req.method, String(params.uri), signal);
      case 'completion/complete':
        return this.complete(params, signal);
      case 'logging/setLevel':
        return this.setLevel(params);
      default:
        throw new MethodNotFound();
    }
  }

  /** The server/discover answer, from config alone: nothing is started. */
  discover(): Record<string, unknown> {
    const result = { supportedVersions: [...MODERN_VERSIONS], capabilities: modernCapabilities(SERVER_CAPABILITIES), instructions: this.instructions() };
    return modernResult('server/discover', result, serverInfo(this.deps.version), { ttlMs: 60_000, cacheScope: 'private' });
  }

  private initialize(params: Params): unknown {
    const { client, log } = this.deps;
    client.initialize(params);
    log.info({ client: client.info, protocolVersion: client.protocolVersion, surface: client.surface, clientRule: client.profile.matched }, 'session initialized');
    this.deps.changed();
    return { protocolVersion: client.protocolVersion, capabilities: SERVER_CAPABILITIES, serverInfo: serverInfo(this.deps.version), instructions: this.instructions() };
  }

  /** How to use this session's surface, and every server it can reach. */
  private instructions(): string {
    return instructions(this.deps.client.surface, serverNotes(this.deps.catalog));
  }

  private async callTool(req: JsonRpcRequest, signal: CancelSignal): Promise<unknown> {
    const { catalog, client, direct } = this.deps;
    const name = String(req.params?.name ?? '');
    const args = (req.params?.arguments as Params | undefined) ?? {};
    const ctx = this.callContext(req, signal);
    if (client.showsMeta && isMetaTool(name)) return callMetaTool(catalog, name, args, ctx);
    if (client.showsDirect) {
      const result = await direct.callTool(name, args, ctx);
      if (result) return result;
    }
    const hint = client.showsMeta ? 'use search_tools, then call_tool' : 'call tools/list for the tool names';
    throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `Unknown tool: "${name}" (${hint})` });
  }

  private callContext(req: JsonRpcRequest, signal: CancelSignal): CallContext {
    const meta = req.params?._meta as Params | undefined;
    const ctx: CallContext = { signal };
    if (meta) ctx.meta = meta;
    if (req.params?.task !== undefined) ctx.task = req.params.task as Params;
    // A modern retry carries the answers to a backend's input_required: they go back to that backend with the call.
    if (req.params?.inputResponses !== undefined) ctx.inputResponses = req.params.inputResponses;
    if (typeof req.params?.requestState === 'string') ctx.requestState = req.params.requestState;
    if (meta?.progressToken !== undefined) {
      // Progress goes to the client request the work answers now (a parked call's retry takes it over).
      const work = this.deps.inflight.get(req.id)?.work;
      ctx.onProgress = (p) => {
        const to = work?.target ?? { id: req.id, progressToken: meta.progressToken };
        if (to.progressToken !== undefined) this.deps.notify('notifications/progress', { ...p, progressToken: to.progressToken }, to.id);
      };
    }
    return ctx;
  }

  private async complete(params: Params, signal: CancelSignal): Promise<unknown> {
    const { catalog, direct } = this.deps;
    const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
    if (ref?.type === 'ref/prompt' && ref.name) {
      const target = await direct.promptTarget(ref.name);
      return catalog.forward(target.view, 'completion/complete', { ...params, ref: { ...ref, name: target.name } }, { signal });
    }
    if (ref?.type === 'ref/resource' && ref.uri) {
      const view = await direct.resourceTarget(ref.uri);
      return catalog.forward(view, 'completion/complete', params, { signal });
    }
    throw new BackendRpcError({ code: RpcCode.InvalidParams, message: 'completion/complete needs a ref/prompt or ref/resource' });
  }

  private setLevel(params: Params): unknown {
    const level = params.level;
    if (!LOG_LEVELS.includes(level as LogLevel)) {
      throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `unknown log level ${String(level)}; use one of ${LOG_LEVELS.join(', ')}` });
    }
    this.deps.setLevel(level as LogLevel);
    this.deps.changed();
    return {};
  }
}

/** The error answer to a request that failed; undefined if it was cancelled (a cancelled request gets no answer). */
export function failure(req: JsonRpcRequest, err: unknown, signal: CancelSignal): JsonRpcResponse | undefined {
  if (signal.aborted || (err instanceof McplexError && err.code === 'CANCELLED')) return undefined;
  if (err instanceof MethodNotFound) return errorResponse(req.id, RpcCode.MethodNotFound, `Method not found: ${req.method}`);
  return { jsonrpc: '2.0', id: req.id, error: toRpcError(err) };
}
