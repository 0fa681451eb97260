// The `initialize` answer: version negotiation per client, the capabilities mcplex advertises (§6), and the
// instructions that tell the model which servers it can reach.
import type { ShownSurface } from '../surface/clients.js';
import type { ServerNote } from '../surface/summary.js';

/** Protocol versions mcplex speaks with clients, newest first. */
export const SUPPORTED_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;

/** Capabilities every session gets, whatever is running (answered from config, nothing spawned). */
export const SERVER_CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  logging: {},
  completions: {},
  // 2025-11-25 tasks: tools/call may run as a task; tasks/list and tasks/cancel show and stop a session's own tasks.
  tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
} as const;

/** mcplex as it names itself to clients (`serverInfo`). */
export function serverInfo(version: string): { name: string; version: string } {
  return { name: 'mcplex', version };
}

/** Echoes the client's version if supported, else offers the latest. */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(requested) ? requested : SUPPORTED_VERSIONS[0];
}

/** Longest instructions text, in characters (about 500 cl100k tokens). */
export const INSTRUCTIONS_MAX = 2000;
/** Longest line about one server. */
const LINE_MAX = 240;
const LINE_MIN = 60;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function serverLine(s: ServerNote, max: number): string {
  const head = `- ${s.name}${s.summary ? `: ${s.summary}` : ''}`;
  const tools = s.tools === undefined ? ' (tools listed once it first starts)' : ` (${s.tools.length} tools: ${s.tools.join(', ')})`;
  return cut(head + tools, max);
}

/**
 * The `instructions` of the initialize answer: how to use this surface, then every server the session can use
 * with a line on what it is for and its tools, so a client that indexes instructions finds tools through them.
 * At most INSTRUCTIONS_MAX characters: lines shrink first, then the last servers are summed up.
 */
export function instructions(surface: ShownSurface, servers: readonly ServerNote[]): string {
  const count = `${servers.length} MCP server${servers.length === 1 ? '' : 's'}`;
  const head =
    surface === 'direct'
      ? `mcplex connects you to ${count}; each tool is named <server>__<tool> (shortened with a hash when long).`
      : `mcplex connects you to ${count}. search_tools finds a tool by what it does (each hit shows its required args); call_tool runs it; describe_tool gives the full schema; list_servers shows every server and its state.`;
  if (servers.length === 0) return head;
  const lineMax = Math.max(LINE_MIN, Math.min(LINE_MAX, Math.floor((INSTRUCTIONS_MAX - head.length) / servers.length) - 1));
  const lines = [head];
  let used = head.length;
  for (let i = 0; i < servers.length; i++) {
    const line = serverLine(servers[i]!, lineMax);
    const rest = `- … and ${servers.length - i} more: ${surface === 'direct' ? 'see tools/list' : 'call list_servers'}`;
    if (used + 1 + line.length + (i < servers.length - 1 ? 1 + rest.length : 0) > INSTRUCTIONS_MAX) {
      lines.push(rest);
      break;
    }
    lines.push(line);
    used += 1 + line.length;
  }
  return lines.join('\n');
}
