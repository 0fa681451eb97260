// A modern client's `subscriptions/listen` streams on one session: which change notifications each asked for, so a
// list change or resource update reaches exactly the streams that opted in, tagged with their subscription id.
import type { JsonRpcId, Params } from '../protocol/jsonrpc.js';
import { idKey } from '../protocol/jsonrpc.js';
import { META } from '../protocol/modern.js';

/** The notification filter of one listen (2026-07-28 SubscriptionFilter). */
export interface Filter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** Which filter field a list-change notification needs. */
const LIST_FLAGS: Record<string, 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged'> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** True for the notifications that travel on listen streams in the modern era. */
export function isListenNotification(method: string): boolean {
  return method in LIST_FLAGS || method === 'notifications/resources/updated';
}

/** A listen request's filter as mcplex honours it: the known fields, URIs as given (strings only). */
export function requestedFilter(raw: unknown): Filter {
  const f = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const out: Filter = {};
  for (const flag of Object.values(LIST_FLAGS)) if (f[flag] === true) out[flag] = true;
  if (Array.isArray(f.resourceSubscriptions)) out.resourceSubscriptions = [...new Set(f.resourceSubscriptions.filter((u): u is string => typeof u === 'string'))];
  return out;
}

/** The open listens of one session. */
export class Listens {
  private readonly open = new Map<string, { id: JsonRpcId; filter: Filter }>();

  add(id: JsonRpcId, filter: Filter): void {
    this.open.set(idKey(id), { id, filter });
  }

  remove(id: JsonRpcId): Filter | undefined {
    const key = idKey(id);
    const l = this.open.get(key);
    this.open.delete(key);
    return l?.filter;
  }

  /** Every resource URI some open listen subscribes to. */
  uris(): Set<string> {
    return new Set([...this.open.values()].flatMap((l) => l.filter.resourceSubscriptions ?? []));
  }

  /** The streams a notification goes to, each with its params tagged with the subscription id. */
  matching(method: string, params: Params | undefined): Array<{ id: JsonRpcId; params: Params }> {
    const flag = LIST_FLAGS[method];
    const uri = params?.uri;
    const out: Array<{ id: JsonRpcId; params: Params }> = [];
    for (const { id, filter } of this.open.values()) {
      const wanted = flag ? filter[flag] === true : typeof uri === 'string' && (filter.resourceSubscriptions ?? []).includes(uri);
      if (!wanted) continue;
      const meta = typeof params?._meta === 'object' && params._meta !== null ? (params._meta as Params) : {};
      out.push({ id, params: { ...params, _meta: { ...meta, [META.subscriptionId]: id } } });
    }
    return out;
  }
}
