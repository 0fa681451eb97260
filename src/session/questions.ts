// Questions mcplex puts to a session's client, for a backend or for itself (trust, roots): a 2025 client gets a real
// request; a modern client gets the question as `input_required` on its own call, answered when it retries.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { idKey, RpcCode, type JsonRpcId, type JsonRpcMessage, type JsonRpcResponse, type Params } from '../protocol/jsonrpc.js';
import { findWorkspace } from '../env/workspace.js';
import type { Caller } from '../router/backend-peer.js';
import { ClientRequests } from './client-requests.js';
import type { ClientState } from './client-state.js';
import type { InFlightRequests } from './inflight.js';

/** How long a client has to answer a request mcplex forwards to it (sampling, elicitation, roots). */
const CLIENT_REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/** How long tool requests wait for a client to report its roots before using the default workspace. */
const ROOTS_WAIT_MS = 5000;

/** How long the user has to answer whether to trust a workspace's servers (no answer is a no). */
const TRUST_ANSWER_MS = 5 * 60 * 1000;

/** The form the trust question asks for: one yes/no. */
const TRUST_SCHEMA = {
  type: 'object',
  properties: { trust: { type: 'boolean', title: 'Trust and start these servers', default: false } },
  required: ['trust'],
};

/** Requests on which a modern client may be asked for input (the MRTR methods of 2026-07-28). */
const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** What asking a client needs from its session. */
export interface QuestionsDeps {
  client: ClientState;
  inflight: InFlightRequests;
  /** Sends a message to the client (on the stream of `related` where the transport has streams). */
  deliver(message: JsonRpcMessage, related?: JsonRpcId): Promise<void>;
  /** True once the session has ended. */
  closed(): boolean;
  /** The session learns its workspace from the client's roots (an HTTP client that named none). */
  workspaceFromRoots: boolean;
  /** The client's roots named this workspace. */
  adoptWorkspace(dir: string): void;
  log: Logger;
}

/** Everything one session asks its client. */
export class ClientQuestions {
  private readonly requests: ClientRequests;
  /** The roots request that decides the workspace, asked once on the first request that needs servers. */
  private rootsAsked?: Promise<void>;

  constructor(private readonly deps: QuestionsDeps) {
    this.requests = new ClientRequests((m, related) => deps.deliver(m, related));
  }

  /** Asks the client something a backend (or mcplex) needs, in the client's era. */
  ask(method: string, params: Params | undefined, relatedTo?: JsonRpcId, timeoutMs = CLIENT_REQUEST_TIMEOUT_MS): Promise<unknown> {
    if (this.deps.closed()) return Promise.reject(new McplexError('BACKEND_CLOSED', 'the client session has ended'));
    if (this.deps.client.modern) return this.askThroughCall(method, params, relatedTo);
    // On HTTP, a request sent while a call is in flight travels on that call's stream.
    return this.requests.request(method, params, relatedTo ?? this.deps.inflight.all().pop()?.id, timeoutMs);
  }

  /**
   * Who a backend request is for: the client's capabilities, identity and log level, and how a question on the way is
   * put to it. A modern client answers a modern backend's input_required itself (no `ask`); a 2025 client is asked by mcplex.
   */
  caller(): Caller {
    const { client, inflight } = this.deps;
    return {
      capabilities: client.capabilities,
      clientInfo: client.info,
      logLevel: client.modern ? inflight.loggingCall()?.logLevel : client.askedLevel,
      ...(client.modern ? {} : { ask: (method: string, params: unknown) => this.ask(method, params as Params | undefined) }),
    };
  }

  /** Takes a response from the client; false if it answers nothing mcplex asked. */
  answer(m: JsonRpcResponse): boolean {
    return this.requests.answer(m);
  }

  /** Fails every question still waiting (the session ended). */
  failAll(err: Error): void {
    this.requests.failAll(err);
  }

  /** Asks the user, through the client's form elicitation, whether to trust workspace servers; false if the client cannot ask. */
  async confirmTrust(message: string): Promise<boolean> {
    const e = this.deps.client.capabilities.elicitation;
    // `elicitation: {}` means form mode; a client that lists modes must list form.
    if (!e || typeof e !== 'object' || (Object.keys(e).length > 0 && !('form' in e))) return false;
    const answer = (await this.ask('elicitation/create', { mode: 'form', message, requestedSchema: TRUST_SCHEMA }, undefined, TRUST_ANSWER_MS)) as
      | { action?: string; content?: { trust?: unknown } }
      | undefined;
    return answer?.action === 'accept' && answer.content?.trust === true;
  }

  /**
   * What a request must wait for first: learning the workspace from the client's roots (asked once), where that is
   * this session's way and the request needs servers; undefined when it need not wait (it then runs at once).
   */
  rootsFirst(method: string, id: JsonRpcId): Promise<void> | undefined {
    if (!this.asksRoots(method)) return undefined;
    return (this.rootsAsked ??= this.adoptRootsWorkspace(id));
  }

  /**
   * A question for a modern client rides on a call in flight that may carry input_required: the one it is about
   * (`relatedTo`, when mcplex asks for itself), else the only such call.
   */
  private askThroughCall(method: string, params: Params | undefined, relatedTo?: JsonRpcId): Promise<unknown> {
    const all = this.deps.inflight.all().filter((f) => f.work && MRTR_METHODS.has(f.method));
    const own = relatedTo === undefined ? [] : all.filter((f) => idKey(f.id) === idKey(relatedTo));
    const calls = own.length ? own : all;
    if (calls.length !== 1) {
      const why = calls.length
        ? `${calls.length} of its calls are in flight, so which one the question belongs to is unknown`
        : 'it has no call in flight that can carry the question (tools/call, prompts/get or resources/read)';
      return Promise.reject(new BackendRpcError({ code: RpcCode.InvalidRequest, message: `mcplex cannot ask this client ${method}: ${why}` }));
    }
    return calls[0]!.work!.ask(method, params);
  }

  /**
   * Whether this request should first learn the workspace from the client's roots: an HTTP client that named none and
   * can list roots, on a request that needs servers (a modern client can be asked only on an MRTR request).
   */
  private asksRoots(method: string): boolean {
    const client = this.deps.client;
    if (!this.deps.workspaceFromRoots || !client.capabilities.roots) return false;
    if (client.modern) return MRTR_METHODS.has(method);
    return method !== 'initialize' && method !== 'ping' && method !== 'server/discover';
  }

  /** Asks the client for its roots (on the stream of the request that needs them); the first file:// root's workspace becomes the session's. */
  private async adoptRootsWorkspace(related: JsonRpcId): Promise<void> {
    try {
      const r = (await this.ask('roots/list', undefined, related, ROOTS_WAIT_MS)) as { roots?: Array<{ uri?: string }> };
      const uri = r.roots?.find((x) => x.uri?.startsWith('file://'))?.uri;
      if (uri) this.deps.adoptWorkspace(findWorkspace(fileURLToPath(uri)));
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'could not get the client roots; using the default workspace');
    }
  }
}
