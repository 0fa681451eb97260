// Task ids (MCP 2025-11-25 tasks), remapped like request ids: each client sees ids of mcplex's own making, bound to the
// session that created the task and to the instance that runs it, so sessions sharing a backend never see each other's.
import crypto from 'node:crypto';

/** The `_meta` key that ties a message to a task. */
export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/** One task as mcplex knows it. */
export interface TaskRecord {
  /** The id the client sees. */
  clientId: string;
  /** The id the backend gave it. */
  backendId: string;
  instanceKey: string;
  session: string;
}

/** How many tasks are remembered; the least recently used are forgotten first. */
const MAX_TASKS = 10_000;

type Rewrite = (id: string) => string | undefined;

/** Client task id ↔ (instance, backend task id), with the owning session; bounded. */
export class TaskTable {
  private readonly byClient = new Map<string, TaskRecord>();
  private readonly byBackend = new Map<string, TaskRecord>();

  /** Records a task a backend created for a session; returns the record with the client-facing id (the oldest go past MAX_TASKS). */
  add(instanceKey: string, backendId: string, session: string): TaskRecord {
    const existing = this.byBackend.get(backendKey(instanceKey, backendId));
    if (existing) return existing;
    const rec: TaskRecord = { clientId: crypto.randomUUID(), backendId, instanceKey, session };
    this.byClient.set(rec.clientId, rec);
    this.byBackend.set(backendKey(instanceKey, backendId), rec);
    if (this.byClient.size > MAX_TASKS) this.forget(this.byClient.values().next().value!);
    return rec;
  }

  /** The session's task by its client-facing id (another session's task is not found). */
  forClient(session: string, clientId: string): TaskRecord | undefined {
    const rec = this.byClient.get(clientId);
    if (!rec || rec.session !== session) return undefined;
    this.touch(rec);
    return rec;
  }

  /** The task a backend refers to by its own id. */
  forBackend(instanceKey: string, backendId: string): TaskRecord | undefined {
    return this.byBackend.get(backendKey(instanceKey, backendId));
  }

  /** Every task of a session (for tasks/list). */
  ofSession(session: string): TaskRecord[] {
    return [...this.byClient.values()].filter((r) => r.session === session);
  }

  /** Forgets every task of an instance whose backend is gone (its tasks went with it). */
  dropInstance(instanceKey: string): void {
    for (const rec of [...this.byClient.values()]) if (rec.instanceKey === instanceKey) this.forget(rec);
  }

  private forget(rec: TaskRecord): void {
    this.byClient.delete(rec.clientId);
    this.byBackend.delete(backendKey(rec.instanceKey, rec.backendId));
  }

  /** Marks a task as recently used (the map's order is the eviction order). */
  private touch(rec: TaskRecord): void {
    this.byClient.delete(rec.clientId);
    this.byClient.set(rec.clientId, rec);
  }

  /** A rewrite from one instance's backend ids to client ids (unknown ids are left out). */
  toClient(instanceKey: string): Rewrite {
    return (id) => this.forBackend(instanceKey, id)?.clientId;
  }
}

function backendKey(instanceKey: string, backendId: string): string {
  return `${instanceKey}\u0000${backendId}`;
}

/** The task id a message's `_meta` ties it to, if any. */
export function relatedTaskId(params: unknown): string | undefined {
  const meta = (params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  const id = (meta?.[RELATED_TASK] as { taskId?: unknown } | undefined)?.taskId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Rewrites the task ids a task-related payload carries — `taskId` (a Task, tasks/status params), `task.taskId`
 * (CreateTaskResult), `tasks[].taskId` (tasks/list, unknown ids dropped) and `_meta[related-task].taskId` — returning
 * a copy; the payload itself is never changed.
 */
export function rewriteTaskIds<T>(payload: T, rewrite: Rewrite): T {
  if (typeof payload !== 'object' || payload === null) return payload;
  const out: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  if (typeof out.taskId === 'string') out.taskId = rewrite(out.taskId) ?? out.taskId;
  const task = out.task as { taskId?: unknown } | undefined;
  if (task && typeof task.taskId === 'string') out.task = { ...task, taskId: rewrite(task.taskId) ?? task.taskId };
  if (Array.isArray(out.tasks)) {
    out.tasks = (out.tasks as Array<{ taskId?: unknown }>).flatMap((t) => {
      const id = typeof t?.taskId === 'string' ? rewrite(t.taskId) : undefined;
      return id ? [{ ...t, taskId: id }] : [];
    });
  }
  const meta = out._meta as Record<string, unknown> | undefined;
  const related = relatedTaskId(out);
  if (meta && related !== undefined) out._meta = { ...meta, [RELATED_TASK]: { ...(meta[RELATED_TASK] as object), taskId: rewrite(related) ?? related } };
  return out as T;
}
