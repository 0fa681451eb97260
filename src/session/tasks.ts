// tasks/get, tasks/result, tasks/list and tasks/cancel for one session: only its own tasks, on the instance that runs each.
import { McplexError } from '../protocol/errors.js';
import type { Params } from '../protocol/jsonrpc.js';
import type { Pool } from '../pool/pool.js';
import { listAll } from '../pool/listing.js';
import { MAX_TOTAL_TIMEOUT_MS, type RequestOptions } from '../router/backend-peer.js';
import { rewriteTaskIds } from '../router/tasks.js';

/** The task methods a session routes. */
export const TASK_METHODS = new Set(['tasks/get', 'tasks/result', 'tasks/list', 'tasks/cancel']);

/** Answers one task request for `session`; another session's task id is unknown here. */
export async function taskRequest(pool: Pool, session: string, method: string, params: Params, opts: RequestOptions): Promise<unknown> {
  const tasks = pool.tasks;
  const callOpts = { ...opts, sessionId: session };
  const mine = (instanceKey: string) => (id: string) => {
    const rec = tasks.forBackend(instanceKey, id);
    return rec?.session === session ? rec.clientId : undefined;
  };
  if (method === 'tasks/list') {
    const keys = new Set(tasks.ofSession(session).map((r) => r.instanceKey));
    const lists = await Promise.all(
      [...keys].map(async (key) => {
        const inst = pool.get(key);
        if (!inst) return [];
        const all = await listAll<Params>((m, p) => inst.request(m, p, callOpts), 'tasks/list', 'tasks');
        return rewriteTaskIds({ tasks: all }, mine(key)).tasks;
      }),
    );
    return { tasks: lists.flat() };
  }
  const clientId = String(params.taskId ?? '');
  const rec = tasks.forClient(session, clientId);
  const inst = rec && pool.get(rec.instanceKey);
  if (!rec || !inst) {
    throw new McplexError('UNKNOWN_TASK', `no task "${clientId}" in this session (it expired, its server stopped, or another session created it); call tasks/list`);
  }
  // tasks/result waits for the task to finish: only the hard cap bounds it.
  const timeout = method === 'tasks/result' ? { timeoutMs: MAX_TOTAL_TIMEOUT_MS } : {};
  const result = await inst.request(method, { ...params, taskId: rec.backendId }, { ...callOpts, ...timeout });
  return rewriteTaskIds(result, mine(rec.instanceKey));
}
