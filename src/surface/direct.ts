// The direct surface: every visible backend tool as `<server>__<tool>`, prompts likewise, resources under their own URIs.
import type { Params } from '../protocol/jsonrpc.js';
import type { Manifest, NamedItem, ResourceDef, ToolDef } from '../pool/manifest.js';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { RpcCode } from '../protocol/jsonrpc.js';
import type { Catalog, ServerView } from '../catalog/catalog.js';
import { toolAllowed } from './filter.js';
import { forwardToolCall, type CallContext } from './meta.js';
import { DirectNames, SEPARATOR, sanitizeName } from './names.js';
import { errorToResult, jsonResult, type ToolResult } from './results.js';

/** The tool part of the one direct tool an untrusted server shows. */
const UNTRUSTED_TOOL = 'untrusted';

/** How a session's direct surface lists: by discovery (spawning uncached servers) or from the cache, and its name budget. */
export interface DirectOptions {
  discover: boolean;
  nameBudget: number;
}

/** Items in a stable order (by name), whatever order the server listed them in. */
function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Per-session direct naming: listing builds the name maps that calls resolve against. */
export class DirectSurface {
  private tools = new DirectNames();
  private prompts = new DirectNames();
  private resourceOwner = new Map<string, string>();

  /** `options` is read at each listing: the session settles it at initialize. */
  constructor(private readonly catalog: Catalog, private readonly options: () => DirectOptions) {}

  private get discover(): boolean {
    return this.options().discover;
  }

  /**
   * Manifests of every visible server: from the cache, spawning unknown ones when this surface lists by
   * discovery, or when a request must find the server that owns a name or URI.
   */
  private async manifests(discover = this.discover): Promise<Array<{ view: ServerView; manifest: Manifest }>> {
    const out = await Promise.all(
      this.catalog.servers().map(async (view) => {
        const manifest = await this.catalog.manifest(view, discover).catch(() => undefined);
        return manifest ? { view, manifest } : undefined;
      }),
    );
    return out.filter((x): x is { view: ServerView; manifest: Manifest } => x !== undefined);
  }

  /** `<server>__<tool>` for every allowed tool, by server then tool name (the same order on every listing and restart); a server waiting for the user's trust shows one `<server>__untrusted`. */
  async listTools(): Promise<ToolDef[]> {
    const names = new DirectNames(this.options().nameBudget);
    const tools: ToolDef[] = [];
    for (const { view, manifest } of await this.manifests()) {
      for (const t of byName(manifest.tools)) {
        if (!toolAllowed(view.config.tools, t.name)) continue;
        const description = t.description ? `[${view.name}] ${t.description}` : `[${view.name}]`;
        tools.push({ ...t, name: names.add(view.name, t.name), description });
      }
    }
    for (const view of this.catalog.servers()) {
      if (!view.untrusted) continue;
      tools.push({
        name: names.add(view.name, UNTRUSTED_TOOL),
        description: `[${view.name}] Not started: ${view.untrusted.file} has not been trusted. Calling this asks the user to trust it (where the client can ask); otherwise the user runs: ${view.untrusted.trustCommand}`,
        inputSchema: { type: 'object', properties: {} },
      });
    }
    this.tools = names;
    return tools;
  }

  /**
   * Calls a direct tool, or returns undefined if the name is not one of ours. A `<server>__<tool>` name of a server
   * whose tools are unknown (it never started, or cannot) goes to that server, so a failed start says why.
   */
  async callTool(name: string, args: unknown, ctx: CallContext): Promise<ToolResult | undefined> {
    if (!this.tools.resolve(name)) await this.listTools();
    const target = this.tools.resolve(name);
    const view = target ? this.catalog.find(target.server) : this.unlistedOwner(name);
    if (!view) return undefined;
    if (view.untrusted) {
      try {
        await this.catalog.admit(view);
      } catch (err) {
        return errorToResult(err);
      }
      // Trusted now: its own tools replace the placeholder.
      await this.listTools();
      const now = this.tools.resolve(name);
      if (now) return forwardToolCall(this.catalog, this.catalog.find(now.server), now.tool, args, ctx);
      return jsonResult({ trusted: true, server: view.name, next: `its tools are listed now, as ${sanitizeName(view.name)}${SEPARATOR}<tool> (tools/list)` });
    }
    // A server that never started has no listed tools: calling one of its names starts it, or returns why it cannot start.
    const tool = target ? target.tool : name.slice(sanitizeName(view.name).length + SEPARATOR.length);
    return forwardToolCall(this.catalog, view, tool, args, ctx);
  }

  /** The server a direct tool name points into when its tools were never listed: an untrusted one, or one that has not started. */
  private unlistedOwner(name: string): ServerView | undefined {
    return this.catalog.servers().find((v) => name.startsWith(`${sanitizeName(v.name)}${SEPARATOR}`) && (v.untrusted || !this.catalog.cachedManifest(v)));
  }

  /** `<server>__<prompt>` for every prompt. */
  async listPrompts(discover: boolean = this.discover): Promise<NamedItem[]> {
    const names = new DirectNames(this.options().nameBudget);
    const prompts: NamedItem[] = [];
    for (const { view, manifest } of await this.manifests(discover)) {
      for (const p of byName(manifest.prompts)) prompts.push({ ...p, name: names.add(view.name, p.name) });
    }
    this.prompts = names;
    return prompts;
  }

  /** Resolves a prompt name (or a completion's prompt ref) to its server and original name. */
  async promptTarget(name: string): Promise<{ view: ServerView; name: string }> {
    if (!this.prompts.resolve(name)) await this.listPrompts(true);
    const target = this.prompts.resolve(name);
    if (!target) throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `unknown prompt "${name}"; call prompts/list` });
    return { view: this.catalog.find(target.server), name: target.tool };
  }

  /** Every resource of every server, under its own URI. */
  async listResources(discover = this.discover): Promise<ResourceDef[]> {
    const owners = new Map<string, string>();
    const out: ResourceDef[] = [];
    for (const { view, manifest } of await this.manifests(discover)) {
      for (const r of manifest.resources) {
        if (owners.has(r.uri)) continue;
        owners.set(r.uri, view.name);
        out.push(r);
      }
    }
    this.resourceOwner = owners;
    return out;
  }

  /** Every resource template, tagged in its description with its server. */
  async listResourceTemplates(): Promise<NamedItem[]> {
    return (await this.manifests()).flatMap(({ manifest }) => manifest.resourceTemplates);
  }

  /** The server that owns a URI: from the listing, else the first whose template prefix matches, else the only one with resources. */
  async resourceTarget(uri: string): Promise<ServerView> {
    if (!this.resourceOwner.has(uri)) await this.listResources(true);
    const owner = this.resourceOwner.get(uri);
    if (owner) return this.catalog.find(owner);
    const all = await this.manifests(true);
    const byTemplate = all.find(({ manifest }) =>
      manifest.resourceTemplates.some((t) => typeof t.uriTemplate === 'string' && uri.startsWith(t.uriTemplate.split('{')[0] ?? '\0')),
    );
    const candidates = all.filter(({ manifest }) => manifest.capabilities.resources);
    const pick = byTemplate ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (!pick) throw new BackendRpcError({ code: RpcCode.InvalidParams, message: `no server offers resource ${uri}; call resources/list` });
    return pick.view;
  }

  /** Forwards a request that names a resource URI to the server owning it. */
  async forwardResource(method: string, params: Params, ctx: CallContext): Promise<unknown> {
    const uri = params.uri;
    if (typeof uri !== 'string') throw new McplexError('UNKNOWN_TOOL', `${method} needs a "uri"`);
    const view = await this.resourceTarget(uri);
    return this.catalog.forward(view, method, params, { signal: ctx.signal });
  }
}
