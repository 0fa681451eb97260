// The meta surface: a handful of discovery tools instead of every backend schema (§6).
import type { Params } from '../protocol/jsonrpc.js';
import type { ToolDef } from '../pool/manifest.js';
import { McplexError, reachesClient } from '../protocol/errors.js';
import type { Catalog, EditOptions, ServerView } from '../catalog/catalog.js';
import type { InstallRequest } from '../config/install.js';
import { serverCommandLine } from '../config/command-line.js';
import type { CancelSignal } from '../protocol/cancel.js';
import { toolAllowed } from './filter.js';
import { errorResult, errorToResult, jsonResult, type ToolResult } from './results.js';
import { ToolIndex, type ToolEntry } from './search.js';
import { oneLine } from './text.js';
import { serverSummary } from './summary.js';

/** Search indexes recently built, by the manifests they cover: a search rebuilds only when a manifest or filter changed. */
const indexes = new Map<string, ToolIndex>();
const INDEXES_KEPT = 4;

function indexFor(key: string, entries: () => ToolEntry[]): ToolIndex {
  let index = indexes.get(key);
  if (index) indexes.delete(key);
  else index = new ToolIndex(entries());
  indexes.set(key, index); // most recent last
  if (indexes.size > INDEXES_KEPT) indexes.delete(indexes.keys().next().value!);
  return index;
}

const str = { type: 'string' } as const;

/** The meta tools as listed to clients; kept terse (the whole list stays well under 800 tokens). */
export const META_TOOLS: ToolDef[] = [
  {
    name: 'list_servers',
    description: 'List the MCP servers available here: name, description, state, tool count, last error.',
    inputSchema: { type: 'object', properties: {} },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'search_tools',
    description: 'Find tools across all servers by what they do. Returns ranked server/tool names, one-line descriptions and required args.',
    inputSchema: {
      type: 'object',
      properties: { query: { ...str, description: 'What you want to do, in words' }, server: { ...str, description: 'Only this server' }, limit: { type: 'integer', minimum: 1, maximum: 50 } },
      required: ['query'],
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'describe_tool',
    description: "Get a tool's full input schema and annotations before calling it.",
    inputSchema: { type: 'object', properties: { server: str, tool: str }, required: ['server', 'tool'] },
    annotations: { readOnlyHint: true },
  },
  {
    name: 'call_tool',
    description: 'Call a tool on a server with arguments matching its schema (see describe_tool). Returns the tool result unchanged.',
    inputSchema: { type: 'object', properties: { server: str, tool: str, arguments: { type: 'object' } }, required: ['server', 'tool'] },
    execution: { taskSupport: 'optional' },
  },
  {
    name: 'install_server',
    description:
      'Add an MCP server. Catalog names (github, playwright, fetch, …) need no command. env values are stored in .env. scope global needs confirm: true (else shows what it would write).',
    inputSchema: {
      type: 'object',
      properties: {
        server: str,
        scope: { enum: ['workspace', 'global'] },
        command: str,
        args: { type: 'array', items: str },
        url: str,
        env: { type: 'object', additionalProperties: str },
        sharing: { enum: ['global', 'workspace', 'credential', 'session'] },
        confirm: { type: 'boolean' },
        replace: { type: 'boolean' },
        force: { type: 'boolean', description: 'shadow a global server of the same name' },
      },
      required: ['server'],
    },
  },
  {
    name: 'remove_server',
    description: 'Remove an MCP server added with install_server. scope global needs confirm: true.',
    inputSchema: { type: 'object', properties: { server: str, scope: { enum: ['workspace', 'global'] }, confirm: { type: 'boolean' } }, required: ['server'] },
  },
];

const META_NAMES = new Set(META_TOOLS.map((t) => t.name));

/** What a tool call needs from its session besides the catalog. */
export interface CallContext {
  signal: CancelSignal;
  /** The client's `_meta` (progress token etc.), passed on to the backend. */
  meta?: Params;
  /** The client's task request (2025-11-25 tasks), passed on to the backend. */
  task?: Params;
  /** A 2026-07-28 retry's answers to the backend's input_required, and the backend's requestState, passed back to it. */
  inputResponses?: unknown;
  requestState?: string;
  onProgress?: (params: Params) => void;
}

/** True if `name` is one of the meta tools. */
export function isMetaTool(name: string): boolean {
  return META_NAMES.has(name);
}

function requireString(args: Params, key: string): string {
  const v = args[key];
  if (typeof v !== 'string' || v === '') throw new McplexError('UNKNOWN_TOOL', `"${key}" is required and must be a non-empty string`);
  return v;
}

/** Finds a tool in a server's manifest, honouring its allow/deny filter. */
export async function findTool(catalog: Catalog, view: ServerView, tool: string): Promise<ToolDef> {
  const manifest = await catalog.manifest(await catalog.admit(view), true);
  const def = manifest?.tools.find((t) => t.name === tool);
  if (!def || !toolAllowed(view.config.tools, tool)) {
    throw new McplexError('UNKNOWN_TOOL', `server "${view.name}" has no tool "${tool}"${def ? ' that this config allows' : ''}`);
  }
  return def;
}

/** Forwards a tools/call to the backend and returns its result unchanged; errors become isError results. */
export async function forwardToolCall(catalog: Catalog, view: ServerView, tool: string, args: unknown, ctx: CallContext): Promise<ToolResult> {
  try {
    if (!toolAllowed(view.config.tools, tool)) throw new McplexError('UNKNOWN_TOOL', `tool "${tool}" of server "${view.name}" is not allowed by servers.${view.name}.tools`);
    const params: Params = { name: tool, arguments: (args as Params | undefined) ?? {} };
    if (ctx.meta) params._meta = ctx.meta;
    if (ctx.task) params.task = ctx.task;
    if (ctx.inputResponses !== undefined) params.inputResponses = ctx.inputResponses;
    if (ctx.requestState !== undefined) params.requestState = ctx.requestState;
    return (await catalog.forward(await catalog.admit(view), 'tools/call', params, { signal: ctx.signal, onProgress: ctx.onProgress })) as ToolResult;
  } catch (err) {
    if (reachesClient(err)) throw err;
    return errorToResult(err);
  }
}

async function listServers(catalog: Catalog): Promise<ToolResult> {
  const servers = catalog.servers().map((view) => {
    const inst = catalog.instanceIfAny(view);
    const manifest = catalog.cachedManifest(view);
    return {
      name: view.name,
      description: serverSummary(view.config.description, manifest) || (manifest?.serverInfo?.name ?? ''),
      sharing: view.config.sharing,
      scope: view.scope,
      state: view.untrusted ? 'untrusted' : inst?.state === 'ready' ? 'running' : inst?.state === 'starting' ? 'starting' : 'stopped',
      tools: manifest ? manifest.tools.filter((t) => toolAllowed(view.config.tools, t.name)).length : null,
      ...(view.untrusted ? untrustedNote(view) : {}),
      ...(inst?.lastError ? { lastError: inst.lastError } : {}),
      ...(view.resolved.missing.length ? { missingEnv: view.resolved.missing } : {}),
    };
  });
  return jsonResult({ servers, ...(catalog.configError() ? { configError: catalog.configError() } : {}) });
}

/** How list_servers and search_tools show a server that waits for the user's trust. */
function untrustedNote(view: ServerView): { file: string; runs: string; trust: string } {
  return { file: view.untrusted!.file, runs: serverCommandLine(view.config), trust: `not started until the user trusts ${view.untrusted!.file}: ${view.untrusted!.trustCommand}` };
}

async function searchTools(catalog: Catalog, args: Params): Promise<ToolResult> {
  const query = typeof args.query === 'string' ? args.query : '';
  const only = typeof args.server === 'string' ? args.server : undefined;
  const limit = typeof args.limit === 'number' ? Math.max(1, Math.min(50, Math.floor(args.limit))) : 10;
  const views = await catalog.admitAll(only ? [catalog.find(only)] : catalog.servers());
  const parts: Array<{ key: string; entries: ToolEntry[] }> = [];
  const unavailable: Array<{ server: string; error: string }> = [];
  const untrusted = views.filter((v) => v.untrusted).map((v) => ({ server: v.name, ...untrustedNote(v) }));
  await Promise.all(
    views.filter((v) => !v.untrusted).map(async (view) => {
      try {
        const m = await catalog.manifest(view, true);
        if (!m) return;
        const summary = serverSummary(view.config.description, m);
        const entries = m.tools
          .filter((t) => toolAllowed(view.config.tools, t.name))
          .map((t) => ({ server: view.name, name: t.name, description: t.description, title: t.title, inputSchema: t.inputSchema, serverSummary: summary }));
        parts.push({ key: [view.name, m.configHash, m.savedAt, JSON.stringify(view.config.tools), summary].join('\0'), entries });
      } catch (err) {
        unavailable.push({ server: view.name, error: (err as Error).message.split('\n')[0] ?? '' });
      }
    }),
  );
  const key = parts.map((p) => p.key).sort().join('\n');
  const results = indexFor(key, () => parts.flatMap((p) => p.entries))
    .search(query, { limit })
    .map((h) => ({ server: h.server, tool: h.tool, description: h.description, args: h.signature }));
  const next = 'call_tool with these args (describe_tool for the full schema)';
  return jsonResult({ results, ...(unavailable.length ? { unavailable } : {}), ...(untrusted.length ? { untrusted } : {}), next });
}

async function describeTool(catalog: Catalog, args: Params): Promise<ToolResult> {
  const view = catalog.find(requireString(args, 'server'));
  const def = await findTool(catalog, view, requireString(args, 'tool'));
  return jsonResult({ server: view.name, ...def, description: def.description ?? oneLine(def.title) });
}

function editOptions(args: Params): EditOptions {
  const scope = args.scope === 'global' ? 'global' : 'workspace';
  return { scope, confirm: args.confirm === true };
}

async function installServer(catalog: Catalog, args: Params): Promise<ToolResult> {
  const stringMap = (v: unknown): Record<string, string> | undefined =>
    v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)])) : undefined;
  const req: InstallRequest = {
    server: requireString(args, 'server'),
    ...(typeof args.command === 'string' ? { command: args.command } : {}),
    ...(Array.isArray(args.args) ? { args: args.args.map(String) } : {}),
    ...(typeof args.url === 'string' ? { url: args.url } : {}),
    ...(stringMap(args.env) ? { env: stringMap(args.env) } : {}),
    ...(typeof args.sharing === 'string' ? { sharing: args.sharing as InstallRequest['sharing'] } : {}),
    replace: args.replace === true,
    force: args.force === true,
  };
  return jsonResult(await catalog.install(req, editOptions(args)));
}

/** Runs a meta tool. */
export async function callMetaTool(catalog: Catalog, name: string, args: Params, ctx: CallContext): Promise<ToolResult> {
  try {
    switch (name) {
      case 'list_servers':
        return await listServers(catalog);
      case 'search_tools':
        return await searchTools(catalog, args);
      case 'describe_tool':
        return await describeTool(catalog, args);
      case 'install_server':
        return await installServer(catalog, args);
      case 'remove_server': {
        const opts = editOptions(args);
        return jsonResult(await catalog.remove(requireString(args, 'server'), opts));
      }
      case 'call_tool': {
        const view = catalog.find(requireString(args, 'server'));
        return await forwardToolCall(catalog, view, requireString(args, 'tool'), args.arguments, ctx);
      }
      default:
        return errorResult(`unknown tool "${name}"`, 'call tools/list for the tools this session offers');
    }
  } catch (err) {
    if (reachesClient(err)) throw err;
    return errorToResult(err);
  }
}
