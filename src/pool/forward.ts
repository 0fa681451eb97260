// Sending one client request to a backend, with what tools/call needs beyond id remapping: 2025-11-25 tasks.
import { McplexError } from '../protocol/errors.js';
import type { Params } from '../protocol/jsonrpc.js';
import { MAX_TOTAL_TIMEOUT_MS, type RequestOptions } from '../router/backend-peer.js';
import { RELATED_TASK, rewriteTaskIds, type TaskTable } from '../router/tasks.js';
import type { Manifest, ToolDef } from './manifest.js';

/** Whatever sends requests to the backend (the instance's wire). */
export interface Requester {
  request(method: string, params: Params | undefined, opts: RequestOptions): Promise<unknown>;
}

/** The instance a request goes to, as forwarding sees it. */
export interface ForwardTarget {
  key: string;
  manifest?: Manifest;
  tasks: TaskTable;
  /** How long a tasks/cancel sent on the caller's behalf may take. */
  cancelTimeoutMs: number;
}

/**
 * Sends one request. A tools/call that asks for a task gets its task registered for the calling session (the client
 * sees mcplex's task id); a call without one to a tool that requires tasks runs as a task on the caller's behalf,
 * waiting for its result (so every client can use it).
 */
export async function forward(peer: Requester, target: ForwardTarget, method: string, params: Params | undefined, opts: RequestOptions): Promise<unknown> {
  if (method !== 'tools/call') return peer.request(method, params, opts);
  if (params?.task === undefined && taskRequired(target.manifest, params?.name)) return runAsTask(peer, target, params, opts);
  const result = await peer.request(method, params, opts);
  const backendId = (result as { task?: { taskId?: unknown } } | undefined)?.task?.taskId;
  if (params?.task === undefined || typeof backendId !== 'string' || !opts.sessionId) return result;
  const rec = target.tasks.add(target.key, backendId, opts.sessionId);
  return rewriteTaskIds(result, (id) => (id === backendId ? rec.clientId : undefined));
}

/** How mcplex lists a tool: one that requires tasks supports them optionally here, since a plain call runs as a task. */
export function asListed(tool: ToolDef): ToolDef {
  const execution = tool.execution as { taskSupport?: unknown } | undefined;
  return execution?.taskSupport === 'required' ? { ...tool, execution: { ...execution, taskSupport: 'optional' } } : tool;
}

function taskRequired(manifest: Manifest | undefined, tool: unknown): boolean {
  const def = manifest?.tools.find((t) => t.name === tool);
  return (def?.execution as { taskSupport?: unknown } | undefined)?.taskSupport === 'required';
}

/** Creates the task, waits for its result (up to the hard cap), and cancels it if the caller gives up. */
async function runAsTask(peer: Requester, target: ForwardTarget, params: Params | undefined, opts: RequestOptions): Promise<unknown> {
  const created = (await peer.request('tools/call', { ...params, task: {} }, opts)) as { task?: { taskId?: unknown } } | undefined;
  const taskId = created?.task?.taskId;
  if (typeof taskId !== 'string') return created;
  const cancel = () => void peer.request('tasks/cancel', { taskId }, { timeoutMs: target.cancelTimeoutMs }).catch(() => undefined);
  opts.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const result = (await peer.request('tasks/result', { taskId }, { ...opts, timeoutMs: MAX_TOTAL_TIMEOUT_MS })) as Params;
    const meta = result._meta as Params | undefined;
    if (!meta?.[RELATED_TASK]) return result;
    const { [RELATED_TASK]: _related, ...rest } = meta;
    return { ...result, _meta: rest };
  } catch (err) {
    if (!(err instanceof McplexError && err.code === 'CANCELLED')) cancel();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
  }
}

/** The elicitation ids a URL-elicitation-required error (-32042) carries. */
export function elicitationIds(data: unknown): string[] {
  const list = (data as { elicitations?: Array<{ elicitationId?: unknown }> } | undefined)?.elicitations;
  return Array.isArray(list) ? list.map((e) => e?.elicitationId).filter((id): id is string => typeof id === 'string') : [];
}
