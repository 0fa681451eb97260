// An MCP client for CLI commands: connects to the running daemon (starting one if none runs) the way a shim does.
import { helloFromThisProcess, openDaemonChannel, type DaemonChannel } from '../shim/daemon-socket.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { homePaths, type HomePaths } from '../home/paths.js';
import { liveDaemon, startDaemon } from '../home/starter.js';
import type { DaemonInfo } from '../home/state-file.js';
import type { ShimHello } from '../protocol/shim-hello.js';
import { ConfigError, loadConfig, resolveConfigPath } from '../config/load.js';
import { formatProblems } from '../config/format.js';
import { VERSION } from '../version.js';
import { CliError } from './fail.js';

/** Longest a CLI request waits (the daemon enforces each server's callTimeout itself; progress resets it). */
export const CLI_REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The SDK transport over the daemon's shim channel: the same hello as a shim (this terminal's cwd and environment),
 * so workspace servers and credential-scoped variables resolve exactly as they would for a client started here.
 */
class DaemonChannelTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private channel?: DaemonChannel;

  constructor(private readonly info: DaemonInfo, private readonly hello: ShimHello) {}

  async start(): Promise<void> {
    this.channel = await openDaemonChannel(this.info, this.hello, {
      message: (text) => {
        let msg: JSONRPCMessage;
        try {
          msg = JSON.parse(text) as JSONRPCMessage;
        } catch (err) {
          this.onerror?.(new Error(`daemon sent a non-JSON line: ${(err as Error).message}`));
          return;
        }
        this.onmessage?.(msg);
      },
      close: () => {
        this.channel = undefined;
        this.onclose?.();
      },
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.channel) throw new Error('the connection to the mcplex daemon is closed');
    this.channel.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    this.channel?.close();
  }
}

/** Refuses to start a daemon on a config it would reject anyway (exit 2 with every problem). */
async function checkConfigBeforeStart(paths: HomePaths): Promise<void> {
  const explicit = Boolean(process.env.MCPLEX_CONFIG);
  const file = resolveConfigPath({ env: process.env, home: paths.home });
  try {
    await loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (err.missing && !explicit) return; // the daemon runs with no servers
    throw new CliError(`${formatProblems(err)}\nfix the config (\`mcplex config validate\` re-checks it), then run this again`, 2);
  }
}

/** The live daemon, or a freshly started one. */
export async function ensureDaemon(paths: HomePaths = homePaths()): Promise<DaemonInfo> {
  const running = liveDaemon(paths);
  if (running) return running;
  await checkConfigBeforeStart(paths);
  if (process.stderr.isTTY) process.stderr.write('starting the mcplex daemon…\n');
  try {
    return await startDaemon(paths);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

export interface DaemonClient {
  client: Client;
  close(): Promise<void>;
}

/** Connects an SDK client to the daemon as if it were a shim started in this directory. */
export async function connectDaemon(opts: { surface?: ShimHello['surface']; workspace?: string } = {}): Promise<DaemonClient> {
  const paths = homePaths();
  const hello = helloFromThisProcess(VERSION, opts);
  const deadline = Date.now() + 60_000;
  let lastError: Error | undefined;
  for (;;) {
    const info = await ensureDaemon(paths);
    const client = new Client({ name: 'mcplex-cli', version: VERSION }, { capabilities: {} });
    try {
      await client.connect(new DaemonChannelTransport(info, hello));
      return { client, close: () => client.close().catch(() => undefined) };
    } catch (err) {
      // Listed but not answering (stopping, or a stale daemon.json): wait for a successor and try again.
      lastError = err as Error;
      await client.close().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new CliError(`cannot reach the mcplex daemon (${lastError?.message ?? 'no answer'}); see ${paths.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Calls a tool on the daemon's session (a meta tool, or a direct one) with the CLI's long timeout; progress messages (such as a slow server starting) go to stderr. */
export async function callTool(dc: DaemonClient, name: string, args: Record<string, unknown>): Promise<ToolCallResult> {
  return (await dc.client.callTool({ name, arguments: args }, undefined, {
    timeout: CLI_REQUEST_TIMEOUT_MS,
    resetTimeoutOnProgress: true,
    onprogress: (p) => {
      if (p.message) process.stderr.write(`mcplex: ${p.message}\n`);
    },
  })) as ToolCallResult;
}

export interface ToolCallResult {
  content?: Array<{ type: string; text?: string; [key: string]: unknown }>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

/** The text items of a result, joined. */
export function resultText(r: ToolCallResult): string {
  return (r.content ?? [])
    .filter((c) => c.type === 'text' && typeof c.text === 'string')
    .map((c) => c.text)
    .join('\n');
}

/** A meta tool's JSON answer; an isError result becomes a CliError. */
export async function metaJson<T>(dc: DaemonClient, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await callTool(dc, name, args);
  if (r.isError) throw new CliError(resultText(r) || `${name} failed`);
  if (r.structuredContent) return r.structuredContent as T;
  try {
    return JSON.parse(resultText(r)) as T;
  } catch {
    throw new CliError(`the daemon's ${name} answer was not JSON: ${resultText(r).slice(0, 200)}`);
  }
}

/** One server as `list_servers` reports it. */
export interface ServerSummary {
  name: string;
  description?: string;
  sharing?: string;
  scope?: string;
  state?: string;
  tools?: number | null;
  lastError?: string;
  missingEnv?: string[];
}

/** list_servers, with an exit-2 error naming the servers when `name` is not among them. */
export async function listServers(dc: DaemonClient, name?: string): Promise<ServerSummary[]> {
  const { servers } = await metaJson<{ servers: ServerSummary[] }>(dc, 'list_servers');
  if (name !== undefined && !servers.some((s) => s.name === name)) {
    const names = servers.map((s) => s.name);
    throw new CliError(
      `unknown server "${name}"; ${names.length ? `servers here: ${names.join(', ')}` : 'no servers are configured'} (add one with \`mcplex add\`, or see \`mcplex config path\`)`,
      2,
    );
  }
  return servers;
}
