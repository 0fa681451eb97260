// Every 2025-11-25 feature crosses the multiplexer intact, for two concurrent sessions over the shim, /mcp and /sse:
// tasks, URL elicitation, list_changed, roots and log levels.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  ElicitationCompleteNotificationSchema,
  GetTaskPayloadResultSchema,
  GetTaskResultSchema,
  ListRootsRequestSchema,
  ListTasksResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  TaskStatusNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Home, ROOT, call, servers, text, waitFor } from './helpers/harness.js';
import { startDaemon } from './helpers/raw-http.js';
import { closeClients, connect, KINDS, type Kind } from './helpers/clients.js';

const FEATURE = path.join(ROOT, 'test/fixtures/feature-server.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a fixture backend received, one parsed message per line. */
function received(log: string): any[] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Records the notifications of one method a client gets. */
function collect(client: Client, schema: any): any[] {
  const seen: any[] = [];
  client.setNotificationHandler(schema, (n: any) => void seen.push(n.params));
  return seen;
}

async function rpcError(p: Promise<unknown>): Promise<McpError> {
  try {
    await p;
  } catch (err) {
    return err as McpError;
  }
  throw new Error('expected a JSON-RPC error');
}

let home: Home;
let sharedLog: string;
let sessionLog: string;

beforeAll(async () => {
  home = new Home('');
  sharedLog = path.join(home.dir, 'shared.jsonl');
  sessionLog = path.join(home.dir, 'session.jsonl');
  const entry = (name: string, log: string, sharing: string) =>
    `  ${name}:\n    command: ${process.execPath}\n    args: [${JSON.stringify(FEATURE)}]\n    env: {FEATURE_LOG: ${JSON.stringify(log)}}\n    sharing: ${sharing}\n`;
  home.writeConfig(entry('feature', sharedLog, 'global') + entry('mine', sessionLog, 'session') + servers.everything());
  await startDaemon(home);
});

afterAll(async () => {
  await closeClients();
  await home.dispose();
});

describe.each(KINDS)('tasks and URL elicitation over %s', (kind: Kind) => {
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    a = await connect(home, kind, { surface: 'both', name: `${kind}-a` });
    b = await connect(home, kind, { surface: 'both', name: `${kind}-b` });
  });

  it('a task created by A is invisible to B and completes for A, on both surfaces', async () => {
    const statusA = collect(a, TaskStatusNotificationSchema);
    const statusB = collect(b, TaskStatusNotificationSchema);
    const direct = await a.request({ method: 'tools/call', params: { name: 'feature__research', arguments: { ms: 300 }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
    const viaMeta = await a.request(
      { method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'feature', tool: 'research', arguments: { ms: 300 } }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const ids = [direct.task.taskId, viaMeta.task.taskId];
    // mcplex's own ids, not the backend's task-N (which another session's tasks share).
    for (const id of ids) expect(id).not.toMatch(/^task-\d+$/);

    for (const id of ids) {
      const foreign = await rpcError(b.request({ method: 'tasks/get', params: { taskId: id } }, GetTaskResultSchema));
      expect(foreign.code).toBe(-32602);
      expect(foreign.message).toMatch(/no task/);
      expect((await rpcError(b.request({ method: 'tasks/result', params: { taskId: id } }, GetTaskPayloadResultSchema))).code).toBe(-32602);
    }
    const listB = await b.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listB.tasks.filter((t) => ids.includes(t.taskId))).toEqual([]);
    const listA = await a.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    expect(listA.tasks.map((t) => t.taskId).sort()).toEqual([...ids].sort());

    for (const id of ids) {
      const result = await a.request({ method: 'tasks/result', params: { taskId: id } }, GetTaskPayloadResultSchema);
      expect(text(result)).toBe('research done after 300 ms');
      expect((await a.request({ method: 'tasks/get', params: { taskId: id } }, GetTaskResultSchema)).status).toBe('completed');
    }
    await waitFor(() => ids.every((id) => statusA.some((s) => s.taskId === id && s.status === 'completed')), 10_000, 'status notifications for A');
    expect(statusB).toEqual([]);
  });

  it('tasks/cancel stops A’s task only', async () => {
    const mine = await a.request({ method: 'tools/call', params: { name: 'feature__research', arguments: { ms: 30_000 }, task: {} } }, CreateTaskResultSchema);
    const theirs = await b.request({ method: 'tools/call', params: { name: 'feature__research', arguments: { ms: 500 }, task: {} } }, CreateTaskResultSchema);
    expect((await rpcError(b.request({ method: 'tasks/cancel', params: { taskId: mine.task.taskId } }, CancelTaskResultSchema))).code).toBe(-32602);
    expect((await a.request({ method: 'tasks/cancel', params: { taskId: mine.task.taskId } }, CancelTaskResultSchema)).status).toBe('cancelled');
    expect(text(await b.request({ method: 'tasks/result', params: { taskId: theirs.task.taskId } }, GetTaskPayloadResultSchema))).toBe('research done after 500 ms');
  });

  it('a tool that requires tasks works for a client that calls it plainly, on both surfaces', async () => {
    expect(text(await a.callTool({ name: 'feature__research', arguments: { ms: 200 } }))).toBe('research done after 200 ms');
    expect(text(await call(b, 'feature', 'research', { ms: 200 }))).toBe('research done after 200 ms');
  });

  it('URL elicitation: -32042 arrives with its data intact on both surfaces; its completion reaches only that session', async () => {
    const doneA = collect(a, ElicitationCompleteNotificationSchema);
    const doneB = collect(b, ElicitationCompleteNotificationSchema);
    const direct = await rpcError(a.callTool({ name: 'feature__open_url', arguments: { ms: 200 } }));
    const meta = await rpcError(call(a, 'feature', 'open_url', { ms: 200 }));
    for (const e of [direct, meta]) {
      expect(e.code).toBe(-32042);
      const [elicitation] = (e.data as any).elicitations;
      expect(elicitation).toMatchObject({ mode: 'url', url: 'https://example.com/authorize?state=xyz', message: 'Authorize access first' });
    }
    const ids = [direct, meta].map((e) => (e.data as any).elicitations[0].elicitationId);
    await waitFor(() => ids.every((id) => doneA.some((d) => d.elicitationId === id)), 10_000, 'elicitation/complete for A');
    await sleep(300);
    expect(doneB).toEqual([]);
  });
});

// server-everything's task-only tool, as a real client meets it.
describe('simulate-research-query (execution.taskSupport: required)', () => {
  it('works plainly on both surfaces, and as a task through call_tool', async () => {
    const c = await connect(home, 'mcp', { surface: 'both', name: 'research' });
    const listed = (await c.listTools()).tools.find((t) => t.name === 'everything__simulate-research-query');
    // mcplex runs a plain call as a task, so it lists the tool as taking a task optionally.
    expect(listed?.execution?.taskSupport).toBe('optional');
    const [direct, meta, created] = await Promise.all([
      c.callTool({ name: 'everything__simulate-research-query', arguments: { topic: 'python' } }, undefined, { timeout: 60_000 }),
      call(c, 'everything', 'simulate-research-query', { topic: 'rust' }),
      c.request(
        { method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'everything', tool: 'simulate-research-query', arguments: { topic: 'go' } }, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
      ),
    ]);
    expect(text(direct)).toContain('# Research Report: python');
    expect(text(meta)).toContain('# Research Report: rust');
    const result = await c.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, GetTaskPayloadResultSchema, { timeout: 60_000 });
    expect(text(result)).toContain('# Research Report: go');
  }, 60_000);
});

describe('list_changed, roots and log levels', () => {
  it('one tools/list_changed per direct session per change, and the next list already holds the new tool (5 times)', async () => {
    const sessions = await Promise.all(KINDS.map((k) => connect(home, k, { surface: 'direct', name: `lc-${k}` })));
    const meta = await connect(home, 'mcp', { surface: 'meta', name: 'lc-meta' });
    const counts = sessions.map((s) => collect(s, ToolListChangedNotificationSchema));
    const metaCount = collect(meta, ToolListChangedNotificationSchema);
    for (const s of sessions) await s.listTools();
    for (let i = 1; i <= 5; i++) {
      const name = `added_${i}`;
      await sessions[i % 3]!.callTool({ name: 'feature__add_tool', arguments: { name } });
      await waitFor(() => counts.every((c) => c.length >= i), 10_000, `list_changed #${i} everywhere`);
      for (const s of sessions) expect((await s.listTools()).tools.map((t) => t.name)).toContain(`feature__${name}`);
      expect(text(await sessions[0]!.callTool({ name: `feature__${name}`, arguments: {} }))).toBe(`${name} ran`);
    }
    await sleep(500);
    // The backend said "changed" twice per tool; each session heard it once.
    expect(counts.map((c) => c.length)).toEqual([5, 5, 5]);
    expect(metaCount).toEqual([]);
    // The cache on disk follows.
    const cached = fs.readdirSync(path.join(home.dir, 'cache')).map((f) => fs.readFileSync(path.join(home.dir, 'cache', f), 'utf8'));
    expect(cached.some((c) => c.includes('added_5'))).toBe(true);
  });

  it('roots/list_changed reaches the session’s own backend (which then asks its client), never a shared one', async () => {
    const roots = [{ uri: 'file:///tmp/project-roots', name: 'project' }];
    const c = await connect(home, 'shim', { name: 'roots', capabilities: { roots: { listChanged: true } } });
    c.setRequestHandler(ListRootsRequestSchema, async () => ({ roots }));
    await call(c, 'mine', 'echo', { text: 'start' });
    await call(c, 'feature', 'echo', { text: 'start' });
    await c.sendRootsListChanged();
    await waitFor(async () => JSON.parse(text(await call(c, 'mine', 'whoami'))).roots, 10_000, 'the backend to have the roots');
    expect(JSON.parse(text(await call(c, 'mine', 'whoami'))).roots).toEqual(roots);
    expect(received(sessionLog).some((m) => m.method === 'notifications/roots/list_changed')).toBe(true);
    expect(received(sharedLog).some((m) => m.method === 'notifications/roots/list_changed')).toBe(false);
  });

  it('setLevel reaches backends: a session instance gets its client’s level, a shared one the most verbose; mcplex filters per session', async () => {
    const verbose = await connect(home, 'shim', { name: 'verbose' });
    const quiet = await connect(home, 'mcp', { name: 'quiet' });
    const logsV = collect(verbose, LoggingMessageNotificationSchema);
    const logsQ = collect(quiet, LoggingMessageNotificationSchema);
    await call(verbose, 'feature', 'echo', { text: 'start' });
    await call(verbose, 'mine', 'echo', { text: 'start' });
    await quiet.setLoggingLevel('error');
    await verbose.setLoggingLevel('debug');
    const level = async (c: Client, server: string) => JSON.parse(text(await call(c, server, 'whoami'))).level;
    await waitFor(async () => (await level(verbose, 'feature')) === 'debug', 10_000, 'the shared backend at debug');
    expect(await level(verbose, 'mine')).toBe('debug');
    await call(verbose, 'feature', 'log_all');
    await waitFor(() => logsV.length >= 8 && logsQ.length >= 4, 10_000, 'log messages');
    await sleep(300);
    expect(logsV.map((l) => l.level)).toEqual(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);
    expect(logsQ.map((l) => l.level)).toEqual(['error', 'critical', 'alert', 'emergency']);
    // When the verbose session leaves, the shared backend falls back to the most verbose level still asked for.
    await verbose.close();
    await waitFor(async () => (await level(quiet, 'feature')) === 'error', 10_000, 'the shared backend back at error');
  });
});
