// The `initialize` answer: version negotiation per client and the capabilities mcplex advertises (§6).

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

/** Echoes the client's version if supported, else offers the latest. */
export function negotiateVersion(requested: unknown): string {
  return typeof requested === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(requested) ? requested : SUPPORTED_VERSIONS[0];
}

/** Short usage notes for the model, sent in `initialize`. */
export function instructions(surface: string): string {
  return surface === 'direct'
    ? 'mcplex: tools are named <server>__<tool>.'
    : 'mcplex gives access to many MCP servers. Use search_tools to find a tool, describe_tool for its schema, then call_tool. list_servers shows what is available.';
}
