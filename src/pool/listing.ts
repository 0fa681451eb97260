// What a backend offers, fetched whole at start and one kind at a time after its list_changed (every page followed).
import type { Params } from '../protocol/jsonrpc.js';
import type { Manifest } from './manifest.js';

/** The kinds of list a backend can say changed. */
export type ListKind = 'tools' | 'prompts' | 'resources';

/** The lists a manifest holds. */
export type Lists = Pick<Manifest, 'tools' | 'prompts' | 'resources' | 'resourceTemplates'>;

/** Sends one request to the backend. */
export type Requester = (method: string, params: Params) => Promise<unknown>;

/** The list kind a `notifications/<kind>/list_changed` names, if it is one. */
export function listKindOf(method: string): ListKind | undefined {
  const kind = /^notifications\/(tools|prompts|resources)\/list_changed$/.exec(method)?.[1];
  return kind as ListKind | undefined;
}

/** Every item of a paginated list, following nextCursor. */
export async function listAll<T>(request: Requester, method: string, field: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = (await request(method, cursor ? { cursor } : {})) as Record<string, unknown>;
    out.push(...((page[field] as T[] | undefined) ?? []));
    cursor = typeof page.nextCursor === 'string' && page.nextCursor ? page.nextCursor : undefined;
  } while (cursor);
  return out;
}

/** Fetches the lists of the given kinds that the backend's capabilities offer (empty where it offers none). */
export async function fetchLists(request: Requester, caps: Record<string, unknown>, kinds: readonly ListKind[]): Promise<Partial<Lists>> {
  const want = (k: ListKind) => kinds.includes(k) && caps[k] !== undefined;
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    want('tools') ? listAll<Lists['tools'][number]>(request, 'tools/list', 'tools') : undefined,
    want('prompts') ? listAll<Lists['prompts'][number]>(request, 'prompts/list', 'prompts') : undefined,
    want('resources') ? listAll<Lists['resources'][number]>(request, 'resources/list', 'resources') : undefined,
    want('resources') ? listAll<Lists['resourceTemplates'][number]>(request, 'resources/templates/list', 'resourceTemplates').catch(() => []) : undefined,
  ]);
  const out: Partial<Lists> = {};
  if (kinds.includes('tools')) out.tools = tools ?? [];
  if (kinds.includes('prompts')) out.prompts = prompts ?? [];
  if (kinds.includes('resources')) {
    out.resources = resources ?? [];
    out.resourceTemplates = resourceTemplates ?? [];
  }
  return out;
}
