// `mcplex tools [SERVER]` and `mcplex call SERVER TOOL [k=v…] [--json '{…}']`: use servers through the daemon, no MCP client needed.
import { callTool, connectDaemon, listServers, metaJson, resultText, CLI_REQUEST_TIMEOUT_MS, type DaemonClient, type ServerSummary, type ToolCallResult } from './client.js';
import { CliError } from './fail.js';

/** search_tools answers at most this many tools per call. */
const SEARCH_MAX = 50;

interface ToolLine {
  name: string;
  description: string;
}

interface ServerTools {
  name: string;
  description: string;
  state: string;
  tools: ToolLine[];
  error?: string;
  missingEnv?: string[];
}

/** Every tool of every visible server from the direct listing (discovers what is not cached), grouped by server. */
async function directListing(dc: DaemonClient): Promise<Map<string, ToolLine[]>> {
  const out = new Map<string, ToolLine[]>();
  const { tools } = await dc.client.listTools(undefined, { timeout: CLI_REQUEST_TIMEOUT_MS, resetTimeoutOnProgress: true });
  for (const t of tools) {
    const m = /^\[([A-Za-z0-9_-]+)\](?: (.*))?$/s.exec(t.description ?? '');
    if (!m) continue; // a meta tool
    const server = m[1]!;
    const name = t.name.startsWith(`${server}__`) ? t.name.slice(server.length + 2) : t.name;
    const description = (m[2] ?? '').split(/\r?\n/).map((l) => l.trim()).find(Boolean) ?? '';
    const list = out.get(server) ?? [];
    list.push({ name, description: description.length > 160 ? `${description.slice(0, 159)}…` : description });
    out.set(server, list);
  }
  return out;
}

/** One server's tools via search_tools (cache, or discovery of that server alone). */
async function serverTools(dc: DaemonClient, s: ServerSummary): Promise<ServerTools> {
  const base: ServerTools = {
    name: s.name,
    description: s.description ?? '',
    state: s.state ?? 'unknown',
    tools: [],
    ...(s.missingEnv?.length ? { missingEnv: s.missingEnv } : {}),
  };
  try {
    const r = await metaJson<{ results: Array<{ tool: string; description?: string }>; unavailable?: Array<{ error: string }>; untrusted?: Array<{ trust: string }> }>(
      dc,
      'search_tools',
      { query: '', server: s.name, limit: SEARCH_MAX },
    );
    const err = r.untrusted?.[0]?.trust ?? r.unavailable?.[0]?.error;
    return { ...base, tools: r.results.map((t) => ({ name: t.tool, description: t.description ?? '' })), ...(err ? { error: err } : {}) };
  } catch (e) {
    return { ...base, error: (e as Error).message.split('\n')[0] ?? 'unavailable' };
  }
}

function printTools(list: ServerTools[]): void {
  const out: string[] = [];
  for (const s of list) {
    if (out.length) out.push('');
    if (s.error) {
      out.push(`${s.name}  (unavailable)`);
      out.push(`  error: ${s.error}`);
      if (s.missingEnv?.length) out.push(`  missing variables: ${s.missingEnv.join(', ')} (set them in $MCPLEX_HOME/.env or the workspace .env)`);
      if (s.state !== 'untrusted') out.push(`  fix: check servers.${s.name} in the config, then \`mcplex logs --server ${s.name}\` for its stderr`);
      continue;
    }
    out.push(`${s.name}  (${s.tools.length} tool${s.tools.length === 1 ? '' : 's'})${s.description ? `  ${s.description}` : ''}`);
    const width = Math.max(0, ...s.tools.map((t) => t.name.length));
    for (const t of s.tools) out.push(`  ${t.name.padEnd(width)}  ${t.description}`.trimEnd());
    if (!s.tools.length) out.push('  (no tools)');
  }
  if (!list.length) out.push('no servers configured (add one with `mcplex add`, or `mcplex import` from another client)');
  process.stdout.write(out.join('\n') + '\n');
}

/** Lists tools per server (one server with SERVER); starts the daemon if needed. */
export async function tools(server: string | undefined, o: { json: boolean }): Promise<void> {
  const dc = await connectDaemon({ surface: 'both' });
  let list: ServerTools[];
  try {
    const servers = await listServers(dc, server);
    const targets = server ? servers.filter((s) => s.name === server) : servers;
    list = await Promise.all(targets.map((s) => serverTools(dc, s)));
    // search_tools caps its answer; a server with more tools is listed in full from the direct surface.
    if (list.some((s) => s.tools.length >= SEARCH_MAX)) {
      const all = await directListing(dc);
      list = list.map((s) => (s.tools.length >= SEARCH_MAX && all.get(s.name) ? { ...s, tools: all.get(s.name)! } : s));
    }
  } finally {
    await dc.close();
  }
  if (o.json) process.stdout.write(JSON.stringify({ servers: list }, null, 2) + '\n');
  else printTools(list);
  const failed = list.filter((s) => s.error);
  if (failed.length) throw new CliError(`${failed.map((s) => s.name).join(', ')}: could not list tools (see above)`, 1);
}

/** `k=v` pairs and `--json` → the arguments object; values are JSON when they parse, else strings. Usage errors exit 2, a key given both ways with different values among them. */
export function parseCallArguments(pairs: string[], json?: string): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new CliError(`--json is not valid JSON (${(err as Error).message}); pass an object, e.g. --json '{"message":"hi"}'`, 2);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CliError(`--json must be a JSON object of arguments, e.g. --json '{"message":"hi"}'`, 2);
    }
    args = { ...(parsed as Record<string, unknown>) };
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`bad argument "${pair}": write KEY=VALUE (e.g. message=hi, count=3), or pass --json '{…}'`, 2);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: a plain string
    }
    if (json !== undefined && Object.hasOwn(args, key) && JSON.stringify(args[key]) !== JSON.stringify(value)) {
      throw new CliError(`"${key}" is given twice, differently: in --json and as ${key}=${raw}; give it once`, 2);
    }
    args[key] = value;
  }
  return args;
}

/** Prints a tool result: text items, other content summarized, structuredContent as JSON. */
function printResult(r: ToolCallResult, toStderr: boolean): void {
  const lines: string[] = [];
  for (const c of r.content ?? []) {
    if (c.type === 'text') lines.push(String(c.text ?? ''));
    else if (c.type === 'image' || c.type === 'audio') {
      const bytes = typeof c.data === 'string' ? Math.floor((c.data.length * 3) / 4) : 0;
      lines.push(`[${c.type} ${String(c.mimeType ?? '')}, ${bytes} bytes]`);
    } else if (c.type === 'resource') {
      const res = (c.resource ?? {}) as { uri?: string; text?: string; mimeType?: string };
      lines.push(typeof res.text === 'string' ? res.text : `[resource ${res.uri ?? ''}${res.mimeType ? ` ${res.mimeType}` : ''}]`);
    } else if (c.type === 'resource_link') lines.push(`[resource link ${String(c.uri ?? '')}${c.name ? ` (${String(c.name)})` : ''}]`);
    else lines.push(JSON.stringify(c));
  }
  if (r.structuredContent !== undefined) lines.push(JSON.stringify(r.structuredContent, null, 2));
  const text = lines.join('\n');
  if (text) (toStderr ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Calls one tool through the daemon and prints its result; exit 1 when the result is an error. */
export async function call(server: string, tool: string, pairs: string[], o: { json?: string; raw?: boolean }): Promise<void> {
  const args = parseCallArguments(pairs, o.json);
  const dc = await connectDaemon({ surface: 'meta' });
  let result: ToolCallResult;
  try {
    await listServers(dc, server);
    result = await callTool(dc, 'call_tool', { server, tool, arguments: args });
  } finally {
    await dc.close();
  }
  if (o.raw) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    if (result.isError) throw new CliError(`${server}/${tool} returned an error`, 1);
    return;
  }
  if (result.isError) {
    printResult(result, true);
    throw new CliError(
      `${server}/${tool} returned an error${resultText(result) ? '' : ' (no message)'}; \`mcplex describe ${server} ${tool}\` shows the arguments it takes, \`mcplex tools ${server}\` lists its tools`,
      1,
    );
  }
  printResult(result, false);
}

interface ToolDescription {
  server: string;
  name: string;
  title?: string;
  description?: string;
  inputSchema?: { properties?: Record<string, { type?: unknown; description?: string }>; required?: string[] };
  annotations?: Record<string, unknown>;
}

/** Prints a tool's description, its arguments and its input schema (`mcplex describe SERVER TOOL`). */
export async function describe(server: string, tool: string, o: { json: boolean }): Promise<void> {
  const dc = await connectDaemon({ surface: 'meta' });
  let result: ToolCallResult;
  try {
    await listServers(dc, server);
    result = await callTool(dc, 'describe_tool', { server, tool });
  } finally {
    await dc.close();
  }
  if (result.isError) {
    const unknown = /has no tool/.test(resultText(result));
    throw new CliError(`${resultText(result)}${unknown ? `\n\`mcplex tools ${server}\` lists its tools` : ''}`, unknown ? 2 : 1);
  }
  const def = (result.structuredContent ?? JSON.parse(resultText(result))) as ToolDescription;
  if (o.json) {
    process.stdout.write(JSON.stringify(def, null, 2) + '\n');
    return;
  }
  const props = def.inputSchema?.properties ?? {};
  const required = new Set(def.inputSchema?.required ?? []);
  const width = Math.max(0, ...Object.keys(props).map((k) => k.length));
  const lines = [`${server}/${def.name}${def.title ? `  (${def.title})` : ''}`, '', def.description?.trim() || '(no description)', ''];
  lines.push(Object.keys(props).length ? 'arguments:' : 'arguments: none');
  for (const [k, p] of Object.entries(props)) {
    const type = Array.isArray(p.type) ? p.type.join('|') : typeof p.type === 'string' ? p.type : 'any';
    lines.push(`  ${k.padEnd(width)}  ${type}${required.has(k) ? ', required' : ''}${p.description ? `  ${p.description.split('\n')[0]}` : ''}`);
  }
  const example = [...required].map((k) => `${k}=…`).join(' ');
  lines.push('', `call it: mcplex call ${server} ${def.name}${example ? ` ${example}` : ''}`, '', 'input schema:', JSON.stringify(def.inputSchema ?? {}, null, 2));
  process.stdout.write(lines.join('\n') + '\n');
}
