// A modern backend that needs the user answers the call itself with `resultType: "input_required"`. For a caller
// mcplex can ask on the client's behalf (a 2025-era client: `caller.ask`), mcplex asks that client with real
// elicitation / sampling / roots requests and retries the call with the answers and the echoed `requestState`;
// a caller without `ask` (a modern client) gets the result unchanged and retries itself.
import { randomUUID } from 'node:crypto';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { RpcCode, type Params } from '../protocol/jsonrpc.js';
import { ModernCode } from '../protocol/modern.js';
import type { Caller } from '../router/backend-peer.js';
import type { CancelSignal } from '../protocol/cancel.js';

/** Rounds of asking before mcplex gives up on a backend that keeps asking. */
export const MAX_INPUT_ROUNDS = 8;

/** The methods a server may answer with input_required. */
const ROUND_TRIP_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** The client capability each kind of input request needs. */
const NEEDS: Record<string, string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

interface InputRequired {
  resultType: 'input_required';
  inputRequests?: Record<string, { method?: unknown; params?: unknown }>;
  requestState?: unknown;
}

function isInputRequired(result: unknown): result is InputRequired {
  return (result as { resultType?: unknown } | undefined)?.resultType === 'input_required';
}

/**
 * Sends the request, and while the backend answers input_required and the caller can be asked: asks, then sends it
 * again with `inputResponses` (and `requestState` when the backend gave one), at most MAX_INPUT_ROUNDS times.
 */
export async function withInputRounds(
  send: (params: Params | undefined) => Promise<unknown>,
  method: string,
  params: Params | undefined,
  caller: Caller | undefined,
  ctx: { server: string; signal?: CancelSignal },
): Promise<unknown> {
  let result = await send(params);
  if (!caller?.ask || !ROUND_TRIP_METHODS.has(method)) return result;
  for (let round = 1; isInputRequired(result); round++) {
    if (round > MAX_INPUT_ROUNDS) {
      const message = `server "${ctx.server}" still asked for input after ${MAX_INPUT_ROUNDS} rounds of answers; mcplex gave up on this ${method}`;
      throw new BackendRpcError({ code: RpcCode.InternalError, message });
    }
    const { requestState: _state, inputResponses: _responses, ...base } = params ?? {};
    const retry: Params = { ...base, inputResponses: await answerAll(result.inputRequests ?? {}, caller, ctx) };
    if (typeof result.requestState === 'string') retry.requestState = result.requestState;
    result = await send(retry);
  }
  return result;
}

/** Asks the client every input request (in parallel); the answers keyed as the backend keyed its requests. */
async function answerAll(requests: NonNullable<InputRequired['inputRequests']>, caller: Caller, ctx: { server: string; signal?: CancelSignal }): Promise<Params> {
  const entries = await Promise.all(Object.entries(requests).map(async ([key, req]) => [key, await answer(req, caller, ctx)] as const));
  return Object.fromEntries(entries);
}

async function answer(req: { method?: unknown; params?: unknown }, caller: Caller, ctx: { server: string; signal?: CancelSignal }): Promise<unknown> {
  const method = String(req.method);
  const params = { ...((req.params as Params | undefined) ?? {}) };
  if (!NEEDS[method]) throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `server "${ctx.server}" asked for input with ${method}, which is not an input request` });
  const missing = missingCapability(method, params, caller.capabilities);
  if (missing) {
    throw new BackendRpcError({
      code: ModernCode.MissingRequiredClientCapability,
      message: `server "${ctx.server}" needs input through ${method}, but this client did not declare the "${missing.name}" capability`,
      data: { requiredCapabilities: missing.required },
    });
  }
  // A 2025 client's URL elicitation carries an id of its own; the modern shape has none.
  if (method === 'elicitation/create' && params.mode === 'url' && params.elicitationId === undefined) params.elicitationId = randomUUID();
  return abortable(caller.ask!(method, params), ctx.signal);
}

/** The capability the client lacks for this input request (`elicitation.url` for a URL elicitation…), if any. */
function missingCapability(method: string, params: Params, caps: Record<string, unknown>): { name: string; required: Params } | undefined {
  const need = NEEDS[method]!;
  const cap = caps[need];
  if (cap === undefined) return { name: need, required: { [need]: {} } };
  if (method !== 'elicitation/create') return undefined;
  const mode = params.mode === 'url' ? 'url' : 'form';
  // `elicitation: {}` declares form mode only; a client that lists modes must list this one.
  const modes = typeof cap === 'object' && cap !== null ? Object.keys(cap) : [];
  if (modes.length ? modes.includes(mode) : mode === 'form') return undefined;
  return { name: `elicitation.${mode}`, required: { elicitation: { [mode]: {} } } };
}

/** The answer, unless the caller cancels first. */
function abortable<T>(p: Promise<T>, signal: CancelSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new McplexError('CANCELLED', 'request cancelled by the client'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new McplexError('CANCELLED', 'request cancelled by the client'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
