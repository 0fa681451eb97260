// A 2026-07-28 client's requests on one session: no handshake (each request's envelope says who the client is), results
// dressed for the era, a question asked on the way parked as input_required until the client retries, listen streams
// for change notifications, and log messages on the call that asked for them.
import type { Logger } from 'pino';
import { errorResponse, resultResponse, RpcCode, type JsonRpcId, type JsonRpcMessage, type JsonRpcRequest, type Params } from '../protocol/jsonrpc.js';
import { META } from '../protocol/modern.js';
import { Cancellation, type CancelSignal } from '../protocol/cancel.js';
import type { ClientState } from './client-state.js';
import { failure } from './dispatch.js';
import type { InFlightRequests } from './inflight.js';
import { inputRequiredResult, ParkedCalls, STATE_PREFIX, Work } from './input-required.js';
import { isListenNotification, Listens, requestedFilter } from './listens.js';
import { modernResult, type CacheHint, type Envelope } from './modern.js';
import { serverInfo } from './negotiate.js';
import type { ResourceSubscriptions } from './subscriptions.js';

/** What the modern era needs from its session. */
export interface ModernDeps {
  client: ClientState;
  inflight: InFlightRequests;
  subscriptions: ResourceSubscriptions;
  /** Answers a request, era-neutrally. */
  dispatch(req: JsonRpcRequest, signal: CancelSignal): Promise<unknown>;
  /** Sends a message to the client (on the stream of `related`). */
  send(message: JsonRpcMessage, related?: JsonRpcId): void;
  /** mcplex's version, for serverInfo. */
  version: string;
  log: Logger;
}

/** One notification as the modern era delivers it: its params, and the request whose stream carries it. */
export interface Delivery {
  params: Params | undefined;
  related: JsonRpcId | undefined;
}

/** The modern era's side of one session. */
export class ModernCalls {
  /** Calls waiting for their client to answer what a 2025-era backend asked. */
  private readonly parked = new ParkedCalls();
  /** Open `subscriptions/listen` streams. */
  private readonly listens = new Listens();

  constructor(private readonly deps: ModernDeps) {}

  /**
   * Serves one enveloped request (its id already checked free): its envelope says who the client is and what it can
   * do, its result is dressed for the modern era, and a question a 2025-era backend asks on the way comes back as
   * input_required, the call waiting until the client retries with the answer.
   */
  async handle(req: JsonRpcRequest, env: Envelope): Promise<void> {
    const { inflight } = this.deps;
    this.deps.client.adopt(env);
    if (req.method === 'subscriptions/listen') return this.listen(req);
    const target = { id: req.id, progressToken: (req.params?._meta as Params | undefined)?.progressToken };
    const state = req.params?.requestState;
    const resuming = typeof state === 'string' && state.startsWith(STATE_PREFIX);
    const work = resuming ? this.parked.resume(state, req.params?.inputResponses) : new Work(target);
    if (!work) {
      this.deps.send(errorResponse(req.id, RpcCode.InvalidParams, 'Invalid params: this requestState is unknown or has expired; send the request again without inputResponses and requestState'));
      return;
    }
    work.target = target;
    inflight.add({ controller: work.controller, id: req.id, method: req.method, work, ...(env.logLevel ? { logLevel: env.logLevel } : {}) });
    // Started after it is registered, so a question asked at once finds its call.
    if (!resuming) work.run((signal) => this.deps.dispatch(req, signal));
    try {
      const next = await work.next();
      if ('questions' in next) return this.answer(req, inputRequiredResult(next.questions, this.parked.park(work, next.questions)));
      const outcome = next.outcome;
      if ('error' in outcome) {
        const e = failure(req, outcome.error, work.controller);
        if (e) this.deps.send(e);
      } else if (!work.controller.aborted) this.answer(req, outcome.result);
    } finally {
      inflight.delete(req.id);
    }
  }

  /** Where a notification goes: change notifications to the listens that asked for them, log messages to the call that asked. */
  deliveries(method: string, params: Params | undefined, related: JsonRpcId | undefined): Delivery[] {
    if (isListenNotification(method)) return this.listens.matching(method, params).map((l) => ({ params: l.params, related: l.id }));
    if (method === 'notifications/message') related ??= this.deps.inflight.loggingCall()?.id;
    return [{ params, related }];
  }

  /** Gives up every parked call (the session ended). */
  close(): void {
    this.parked.closeAll();
  }

  /** Sends a result dressed for the modern era. */
  private answer(req: JsonRpcRequest, result: unknown): void {
    this.deps.send(resultResponse(req.id, modernResult(req.method, result, serverInfo(this.deps.version), this.cacheHint(req.method))));
  }

  /** How long a modern client may cache a result: lists change at any time (a listen says when), so not at all. */
  private cacheHint(method: string): CacheHint {
    // Only the meta surface's tool list is the same for every session.
    const shared = method === 'tools/list' && this.deps.client.surface === 'meta';
    return { ttlMs: 0, cacheScope: shared ? 'public' : 'private' };
  }

  /**
   * subscriptions/listen: acknowledges what mcplex honours (resource URIs no server offers are left out), then keeps
   * the stream open, each change notification tagged with its id, until the client cancels it.
   */
  private async listen(req: JsonRpcRequest): Promise<void> {
    const { inflight, subscriptions } = this.deps;
    const controller = new Cancellation();
    inflight.add({ controller, id: req.id, method: req.method });
    const filter = requestedFilter(req.params?.notifications);
    if (filter.resourceSubscriptions) {
      const accepted: string[] = [];
      for (const uri of filter.resourceSubscriptions) {
        await subscriptions.change('resources/subscribe', uri, controller).then(
          () => accepted.push(uri),
          (err: Error) => this.deps.log.info({ uri, err: err.message }, 'a listen asked for a resource no server offers'),
        );
      }
      filter.resourceSubscriptions = accepted;
    }
    this.listens.add(req.id, filter);
    this.deps.send({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { _meta: { [META.subscriptionId]: req.id }, notifications: filter } }, req.id);
    controller.addEventListener(
      'abort',
      () => {
        inflight.delete(req.id);
        const ended = this.listens.remove(req.id);
        const still = this.listens.uris();
        for (const uri of ended?.resourceSubscriptions ?? []) {
          if (!still.has(uri)) void subscriptions.change('resources/unsubscribe', uri, new Cancellation()).catch(() => undefined);
        }
      },
      { once: true },
    );
  }
}
