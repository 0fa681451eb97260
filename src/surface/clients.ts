// Which surface suits a client, and how long its direct tool names may be: from its clientInfo, through a
// configurable table of known clients (`gateway.clients`, then the built-in one below). Pure, so the protocol's
// per-request clientInfo (2026-07-28 `_meta`) can go through the same choice.
import type { ClientRule, GatewayConfig, Surface } from '../config/types.js';

/** What a session shows: `meta`, `direct` or `both` (`auto` resolved). */
export type ShownSurface = Exclude<Surface, 'auto'>;

/** The client as it introduced itself in `initialize`. */
export interface ClientFacts {
  name?: string;
  version?: string;
}

/**
 * Known clients, first match wins; the user's `gateway.clients` (same shape) overrides them field by field.
 * A key is a case-insensitive glob on clientInfo.name. `prefix` is what the client puts before a tool name (`{name}` = the name mcplex is registered
 * under), `maxName` the longest name it keeps.
 */
export const BUILT_IN_CLIENTS: Readonly<Record<string, ClientRule>> = {
  // Loads tool names and server instructions up front, schemas through its own tool search; names are mcp__<server>__<tool>, ≤ 64.
  'claude-code*': { surface: 'direct', prefix: 'mcp__{name}__', maxName: 64 },
  // Loads tool names only; drops tools whose server and tool name together exceed 60 characters.
  'cursor*': { surface: 'direct', prefix: '{name}_', maxName: 60 },
  // Sends every schema on every request and caps a request at 128 tools.
  'visual studio code*': { surface: 'meta' },
  'vscode*': { surface: 'meta' },
  // Send every schema on every turn.
  'codex*': { surface: 'meta' },
  'zed*': { surface: 'meta' },
};

/** How an unknown client is served: meta tools, unprefixed names of at most 64 characters. */
const UNKNOWN: Required<ClientRule> = { surface: 'meta', prefix: '', maxName: 64 };

/** Shortest name budget mcplex uses, whatever the prefix (a hash suffix needs room). */
export const MIN_NAME_BUDGET = 16;

/** How a session serves its client. */
export interface ClientProfile {
  /** The table key that matched, or undefined for an unknown client. */
  matched?: string;
  surface: ShownSurface;
  /** Longest `<server>__<tool>` name the client keeps after adding its own prefix. */
  nameBudget: number;
}

function globMatches(glob: string, name: string): boolean {
  const re = new RegExp(`^${glob.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name.toLowerCase());
}

/**
 * The surface and name budget for a client. `requested` is what the session asked for (`--surface`,
 * `?surface=`), else the config's `gateway.surface`; only `auto` consults the clients table for the surface.
 */
export function profileFor(client: ClientFacts | undefined, gateway: Pick<GatewayConfig, 'surface' | 'clients' | 'registrationName'>, requested?: Surface): ClientProfile {
  const name = client?.name ?? '';
  const mine = Object.keys(gateway.clients).find((k) => globMatches(k, name));
  const builtIn = Object.keys(BUILT_IN_CLIENTS).find((k) => globMatches(k, name));
  // The user's rule overrides the built-in one field by field (`claude-code: meta` keeps Claude Code's prefix).
  const rule: ClientRule = { ...(builtIn !== undefined ? BUILT_IN_CLIENTS[builtIn] : {}), ...(mine !== undefined ? gateway.clients[mine] : {}) };
  const matched = mine ?? builtIn;
  const want = requested ?? gateway.surface;
  const surface = want === 'auto' ? (rule.surface ?? UNKNOWN.surface) : want;
  const prefix = (rule.prefix ?? UNKNOWN.prefix).replaceAll('{name}', gateway.registrationName);
  const nameBudget = Math.max(MIN_NAME_BUDGET, (rule.maxName ?? UNKNOWN.maxName) - prefix.length);
  return { ...(matched !== undefined ? { matched } : {}), surface, nameBudget };
}
