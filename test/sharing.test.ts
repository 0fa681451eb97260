// Sharing keys, workspaces, env layering, server→client requests, per-session protocol state and secrets (issue 3, CONTRACT §2, §5, §6).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Home, ROOT, descendants, json, servers, text, waitFor } from './helpers/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PROBE = path.join(ROOT, 'test/fixtures/probe-server.mjs');
const SAFE_KEYS = ['HOME', 'PATH', 'SHELL', 'TERM', 'USER', 'LOGNAME', 'LANG', 'TMPDIR'];
type Sharing = 'global' | 'workspace' | 'credential' | 'session';

/** Config snippet for the probe fixture under `name`. */
function probe(name: string, extra = ''): string {
  return `  ${name}:\n    command: ${process.execPath}\n    args: [${PROBE}]\n${extra}`;
}

/** Creates `root/name` as a workspace (`.git`), optionally with a `.env` and a `.mcplex.yaml`. */
function workspace(root: string, name: string, opts: { env?: string; yaml?: string; git?: boolean } = {}): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  if (opts.git !== false) fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  if (opts.env !== undefined) fs.writeFileSync(path.join(dir, '.env'), opts.env);
  if (opts.yaml !== undefined) fs.writeFileSync(path.join(dir, '.mcplex.yaml'), opts.yaml);
  return dir;
}

function callTool(server: string, tool: string, args: Record<string, unknown> = {}) {
  return { name: 'call_tool', arguments: { server, tool, arguments: args } };
}

/** server-everything's get-env through call_tool: the backend's whole process environment. */
async function backendEnv(client: Client, server = 'everything'): Promise<Record<string, string>> {
  const r = await client.callTool(callTool(server, 'get-env'));
  expect(r.isError, text(r)).toBeFalsy();
  return json(r);
}

async function instancesOf(home: Home, server: string): Promise<Array<Record<string, any>>> {
  return (await home.status()).instances.filter((i) => i.server === server);
}

async function everythingProcesses(home: Home): Promise<number[]> {
  const st = await home.status();
  return descendants(st.daemon.pid)
    .filter((p) => p.cmd.includes('server-everything'))
    .map((p) => p.pid);
}

async function listServers(client: Client): Promise<Record<string, any>> {
  const listed = json(await client.callTool({ name: 'list_servers', arguments: {} }));
  return Object.fromEntries(listed.servers.map((s: any) => [s.name, s]));
}

/** Every file under dir (recursive). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

// The credential matrix: workspaces A (.env TOKEN=a), B (.env TOKEN=b), C (no .env) and MCPLEX_HOME/.env TOKEN=g, under each sharing mode.
describe.each([
  // mode, TOKEN seen by A1, A2, B, C, number of instances
  ['credential', ['a', 'a', 'b', 'g'], 3],
  ['workspace', ['a', 'a', 'b', 'g'], 3],
  ['global', ['g', 'g', 'g', 'g'], 1],
  ['session', ['a', 'a', 'b', 'g'], 4],
] as Array<[Sharing, string[], number]>)('credential matrix with sharing: %s', (mode, tokens, instanceCount) => {
  let home: Home;
  let clients: Client[];
  const envs: Array<Record<string, string>> = [];

  beforeAll(async () => {
    home = new Home(servers.everything(`    env: {TOKEN: "\${TOKEN}"}\n    sharing: ${mode}\n`));
    fs.writeFileSync(path.join(home.dir, '.env'), 'TOKEN=g\n');
    const A = workspace(home.dir, 'A', { env: 'TOKEN=a\n' });
    const B = workspace(home.dir, 'B', { env: 'TOKEN=b\n' });
    const C = workspace(home.dir, 'C');
    // Every shim (and so the daemon, spawned by the first) carries a TOKEN of its own and a variable nobody asked for.
    const shimEnv = { TOKEN: 'from-the-shim', SHIM_NOISE: 'noise-value' };
    clients = [];
    for (const [i, cwd] of [A, path.join(A, 'sub'), B, C].entries()) {
      fs.mkdirSync(cwd, { recursive: true });
      clients.push(await home.client({ cwd, env: shimEnv, name: `matrix-${mode}-${i}` }));
    }
  });

  afterAll(async () => {
    await home.dispose();
  });

  it(`get-env shows TOKEN ${tokens.join(', ')} for A1, A2, B, C; ${instanceCount} instance(s) and processes`, async () => {
    const pidsAfter: number[][] = [];
    for (const [i, client] of clients.entries()) {
      const env = await backendEnv(client);
      envs.push(env);
      expect(env.TOKEN, `client ${i}`).toBe(tokens[i]);
      pidsAfter.push((await instancesOf(home, 'everything')).map((inst) => inst.pid as number));
    }
    const inst = await instancesOf(home, 'everything');
    expect(inst).toHaveLength(instanceCount);
    expect(inst.every((i) => i.state === 'ready' && typeof i.pid === 'number')).toBe(true);
    expect(new Set(inst.map((i) => i.pid)).size).toBe(instanceCount);
    expect(new Set(inst.map((i) => i.key)).size).toBe(instanceCount);
    const procs = await everythingProcesses(home);
    expect(procs).toHaveLength(instanceCount);
    expect([...procs].sort()).toEqual(inst.map((i) => i.pid).sort());
    // A1 and A2 (same workspace, same credentials) share one process except under sharing: session.
    if (mode === 'session') {
      expect(pidsAfter[1]).toHaveLength(2);
    } else {
      expect(pidsAfter[1]).toEqual(pidsAfter[0]);
      expect(pidsAfter[0]).toHaveLength(1);
    }
  });

  it('the backend env holds only the safe set and TOKEN, none of the shim/daemon variables', () => {
    expect(envs).toHaveLength(4);
    const allowed = new Set([...SAFE_KEYS, 'TOKEN']);
    for (const env of envs) {
      expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
      expect(env).not.toHaveProperty('SHIM_NOISE');
      expect(env).not.toHaveProperty('MCPLEX_HOME');
      expect(env.TOKEN).not.toBe('from-the-shim');
      if (process.env.PATH) expect(env.PATH).toBe(process.env.PATH);
    }
  });
});

// Layer 4: with no .env anywhere a credential session resolves TOKEN from its own environment; a workspace .env beats it.
describe('layer 4: the session environment, overridden by a workspace .env', () => {
  let home: Home;
  let root: string;

  beforeAll(() => {
    home = new Home(servers.everything('    env: {TOKEN: "${TOKEN}"}\n    sharing: credential\n'));
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-ws-')));
  });

  afterAll(async () => {
    await home.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('D (no .env) with TOKEN=s sees s; another D session with TOKEN=t gets its own process; E (.env TOKEN=w) sees w', async () => {
    expect(fs.existsSync(path.join(home.dir, '.env'))).toBe(false);
    const D = workspace(root, 'D');
    const E = workspace(root, 'E', { env: 'TOKEN=w\n' });
    const d = await home.client({ cwd: D, env: { TOKEN: 's', EXTRA_SHIM_VAR: 'x' }, name: 'layer4-d' });
    const dEnv = await backendEnv(d);
    expect(dEnv.TOKEN).toBe('s');
    expect(Object.keys(dEnv).filter((k) => ![...SAFE_KEYS, 'TOKEN'].includes(k))).toEqual([]);

    const d2 = await home.client({ cwd: D, env: { TOKEN: 't' }, name: 'layer4-d2' });
    expect((await backendEnv(d2)).TOKEN).toBe('t');

    const e = await home.client({ cwd: E, env: { TOKEN: 's' }, name: 'layer4-e' });
    expect((await backendEnv(e)).TOKEN).toBe('w');

    // Different resolved credentials never share a process.
    const inst = await instancesOf(home, 'everything');
    expect(inst).toHaveLength(3);
    expect(new Set(inst.map((i) => i.pid)).size).toBe(3);
    // The same credentials again share: a second session in D with TOKEN=s adds no instance.
    const d3 = await home.client({ cwd: D, env: { TOKEN: 's' }, name: 'layer4-d3' });
    expect((await backendEnv(d3)).TOKEN).toBe('s');
    expect(await instancesOf(home, 'everything')).toHaveLength(3);
  });
});

// sharing: session mirrors the client's sampling/elicitation capabilities; server-everything's requests reach its handlers and the answers come back.
describe('sharing: session forwards sampling and elicitation to the calling client', () => {
  let home: Home;
  let client: Client;
  const sampled: any[] = [];
  const elicited: any[] = [];

  beforeAll(async () => {
    home = new Home(servers.everything('    sharing: session\n'));
    client = await home.client({ name: 'session-asker', capabilities: { sampling: {}, elicitation: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
      sampled.push(req.params);
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'reply-from-the-test-handler-42' } };
    });
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      elicited.push(req.params);
      return { action: 'accept', content: { name: 'Ada Lovelace-from-handler', check: true } };
    });
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('trigger-sampling-request returns the handler reply', async () => {
    const r = await client.callTool(callTool('everything', 'trigger-sampling-request', { prompt: 'say hi', maxTokens: 20 }), undefined, { timeout: 30_000 });
    expect(r.isError, text(r)).toBeFalsy();
    expect(text(r)).toContain('reply-from-the-test-handler-42');
    expect(sampled).toHaveLength(1);
    expect(JSON.stringify(sampled[0].messages)).toContain('say hi');
  });

  it('trigger-elicitation-request returns the handler accepted content', async () => {
    const r = await client.callTool(callTool('everything', 'trigger-elicitation-request', {}), undefined, { timeout: 30_000 });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    const all = (r.content as Array<{ type: string; text?: string }>).map((c) => c.text ?? '').join('\n');
    expect(all).toContain('Ada Lovelace-from-handler');
    expect(all).toMatch(/"action":\s*"accept"/);
    expect(elicited).toHaveLength(1);
    expect(elicited[0].message).toMatch(/provide inputs/);
  });

  it('the dedicated instance belongs to this session only', async () => {
    const inst = await instancesOf(home, 'everything');
    expect(inst).toHaveLength(1);
    const other = await home.client({ name: 'session-other' });
    // A client without the capabilities gets its own instance, on which the sampling tool does not exist.
    const r = await other.callTool(callTool('everything', 'trigger-sampling-request', { prompt: 'x' }));
    expect(r.isError).toBe(true);
    expect(sampled).toHaveLength(1);
    expect(await instancesOf(home, 'everything')).toHaveLength(2);
  });
});

// A shared instance advertises no client capabilities; a server→client request goes only to the sole session in flight, else is refused.
describe('shared instance: server→client requests are routed to the sole in-flight session or refused', () => {
  let home: Home;
  let c1: Client;
  let c2: Client;
  let c3: Client;
  const asked = { c1: 0, c2: 0 };

  beforeAll(async () => {
    home = new Home(probe('probe', '    sharing: global\n'));
    c1 = await home.client({ name: 'shared-1', capabilities: { sampling: {} } });
    c2 = await home.client({ name: 'shared-2', capabilities: { sampling: {} } });
    c3 = await home.client({ name: 'shared-nocaps' });
    for (const [c, who] of [[c1, 'c1'], [c2, 'c2']] as const) {
      c.setRequestHandler(CreateMessageRequestSchema, async () => {
        asked[who]++;
        return { model: 'm', role: 'assistant', content: { type: 'text', text: `answer from ${who}` } };
      });
    }
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('the shared backend was initialized without client capabilities', async () => {
    const who = json(await c1.callTool(callTool('probe', 'whoami')));
    expect(who.capabilities).toEqual({});
  });

  it('two sessions in flight: ask is refused at once with a clear error, no client is asked', async () => {
    let slowDone = false;
    const slow = c1.callTool(callTool('probe', 'slow', { ms: 3000 })).finally(() => (slowDone = true));
    await waitFor(async () => (await instancesOf(home, 'probe'))[0]?.inFlight === 1, 2000, 'slow in flight');
    const t0 = Date.now();
    const r = await c2.callTool(callTool('probe', 'ask'), undefined, { timeout: 10_000 });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(slowDone).toBe(false);
    const body = json(r);
    expect(body.refused, text(r)).toBeDefined();
    expect(body.refused).toMatch(/shared/);
    expect(body.refused).toMatch(/cannot be known/);
    expect(asked).toEqual({ c1: 0, c2: 0 });
    expect(text(await slow)).toBe('slept');
  });

  it('one session in flight: ask reaches that client and its answer comes back', async () => {
    const r1 = json(await c1.callTool(callTool('probe', 'ask')));
    expect(r1.answer?.content?.text).toBe('answer from c1');
    const r2 = json(await c2.callTool(callTool('probe', 'ask')));
    expect(r2.answer?.content?.text).toBe('answer from c2');
    expect(asked).toEqual({ c1: 1, c2: 1 });
  });

  it('the sole in-flight client without the capability: refused with "does not support"', async () => {
    const r = json(await c3.callTool(callTool('probe', 'ask')));
    expect(r.refused).toMatch(/does not support/);
    expect(r.refused).toMatch(/sampling\/createMessage/);
    const e = json(await c3.callTool(callTool('probe', 'elicit')));
    expect(e.refused).toMatch(/does not support/);
    expect(asked).toEqual({ c1: 1, c2: 1 });
  });
});

// logging/setLevel is per session: one client at debug, one at error, each gets only its own levels from a shared backend.
describe('per-session log levels', () => {
  let home: Home;
  let a: Client;
  let b: Client;
  const got: Record<'a' | 'b', string[]> = { a: [], b: [] };

  beforeAll(async () => {
    home = new Home(probe('probe', '    sharing: global\n'));
    a = await home.client({ name: 'log-a' });
    b = await home.client({ name: 'log-b' });
    for (const [c, who] of [[a, 'a'], [b, 'b']] as const) {
      c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        if (String(n.params.data).startsWith('message at ')) got[who].push(n.params.level);
      });
    }
    await a.setLoggingLevel('debug');
    await b.setLoggingLevel('error');
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('A (debug) receives all 8 levels; B (error) exactly error, critical, alert, emergency', async () => {
    const all = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
    const severe = ['error', 'critical', 'alert', 'emergency'];
    expect(text(await a.callTool(callTool('probe', 'log_all')))).toBe('logged');
    await waitFor(() => got.a.length >= 8 && got.b.length >= 4, 5000, 'log messages');
    await sleep(300);
    expect(got.a).toEqual(all);
    expect(got.b).toEqual(severe);

    // The same when B is the caller.
    expect(text(await b.callTool(callTool('probe', 'log_all')))).toBe('logged');
    await waitFor(() => got.a.length >= 16 && got.b.length >= 8, 5000, 'second round of log messages');
    await sleep(300);
    expect(got.a).toEqual([...all, ...all]);
    expect(got.b).toEqual([...severe, ...severe]);
  });
});

// resources/subscribe is reference-counted across sessions; resources/updated reaches only subscribers.
describe('resource subscriptions', () => {
  let home: Home;
  let a: Client;
  let b: Client;
  let c: Client;
  let stderrFile: string;
  const updates: Record<'a' | 'b' | 'c', string[]> = { a: [], b: [], c: [] };

  beforeAll(async () => {
    home = new Home('');
    // The probe prints each subscribe/unsubscribe it receives to stderr; keep that in a file to count them.
    stderrFile = path.join(home.dir, 'probe-stderr.txt');
    home.writeConfig(`  probe:\n    command: /bin/sh\n    args: ["-c", "exec ${process.execPath} ${PROBE} 2>>${stderrFile}"]\n    sharing: global\n`);
    a = await home.client({ name: 'sub-a' });
    b = await home.client({ name: 'sub-b' });
    c = await home.client({ name: 'sub-c' });
    for (const [cl, who] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) {
      cl.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates[who].push(n.params.uri));
    }
    // Start the probe so its manifest (and resources) are known to the meta surface.
    json(await a.callTool(callTool('probe', 'whoami')));
  });

  afterAll(async () => {
    await home.dispose();
  });

  const backendSaw = (what: string) => {
    const lines = fs.existsSync(stderrFile) ? fs.readFileSync(stderrFile, 'utf8').split('\n') : [];
    return lines.filter((l) => l === `${what} probe://a`).length;
  };

  it('A and B subscribed get updates, C does not; after A unsubscribes only B does', async () => {
    await a.subscribeResource({ uri: 'probe://a' });
    await b.subscribeResource({ uri: 'probe://a' });
    expect(text(await c.callTool(callTool('probe', 'touch', { uri: 'probe://a' })))).toBe('touched');
    await waitFor(() => updates.a.length >= 1 && updates.b.length >= 1, 5000, 'resources/updated at A and B');
    await sleep(300);
    expect(updates).toEqual({ a: ['probe://a'], b: ['probe://a'], c: [] });

    // Another URI nobody subscribed to reaches nobody.
    await c.callTool(callTool('probe', 'touch', { uri: 'probe://b' }));
    await sleep(300);
    expect(updates).toEqual({ a: ['probe://a'], b: ['probe://a'], c: [] });

    await a.unsubscribeResource({ uri: 'probe://a' });
    await a.callTool(callTool('probe', 'touch', { uri: 'probe://a' }));
    await waitFor(() => updates.b.length >= 2, 5000, 'second resources/updated at B');
    await sleep(300);
    expect(updates).toEqual({ a: ['probe://a'], b: ['probe://a', 'probe://a'], c: [] });
  });

  it('the backend heard one subscribe for two subscribers, and unsubscribe only when the last left', async () => {
    await waitFor(() => backendSaw('resources/subscribe') >= 1, 5000, 'subscribe on the probe stderr');
    expect(backendSaw('resources/subscribe')).toBe(1);
    expect(backendSaw('resources/unsubscribe')).toBe(0);
    await b.unsubscribeResource({ uri: 'probe://a' });
    await waitFor(() => backendSaw('resources/unsubscribe') >= 1, 5000, 'unsubscribe on the probe stderr');
    expect(backendSaw('resources/subscribe')).toBe(1);
    expect(backendSaw('resources/unsubscribe')).toBe(1);
    await c.callTool(callTool('probe', 'touch', { uri: 'probe://a' }));
    await sleep(300);
    expect(updates).toEqual({ a: ['probe://a'], b: ['probe://a', 'probe://a'], c: [] });
  });
});

// A workspace .mcplex.yaml adds servers only its sessions see, and shadows a global server of the same name for them only.
describe('workspace .mcplex.yaml servers and shadowing', () => {
  let home: Home;
  let root: string;
  let inW: Client;
  let elsewhere: Client;

  beforeAll(async () => {
    home = new Home(servers.everything('    description: the global everything\n'));
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-ws-')));
    const yaml = `servers:\n${probe('ws-only', '    description: workspace-only probe\n')}${probe('everything', '    description: workspace shadow of everything\n')}`;
    const W = workspace(root, 'W', { yaml, git: false });
    await home.trust(W);
    const deep = path.join(W, 'src', 'deep');
    fs.mkdirSync(deep, { recursive: true });
    const O = workspace(root, 'O');
    inW = await home.client({ cwd: deep, name: 'in-w' });
    elsewhere = await home.client({ cwd: O, name: 'elsewhere' });
  });

  afterAll(async () => {
    await home.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('list_servers: W sees ws-only and its shadowed everything; elsewhere sees only the global everything', async () => {
    const w = await listServers(inW);
    expect(Object.keys(w).sort()).toEqual(['everything', 'ws-only']);
    expect(w['ws-only']).toMatchObject({ scope: 'workspace', description: 'workspace-only probe' });
    expect(w.everything).toMatchObject({ scope: 'workspace', description: 'workspace shadow of everything' });
    const o = await listServers(elsewhere);
    expect(Object.keys(o)).toEqual(['everything']);
    expect(o.everything).toMatchObject({ scope: 'global', description: 'the global everything' });
  });

  it('calls: W reaches the probe under both names; elsewhere cannot reach ws-only', async () => {
    const viaShadow = await inW.callTool(callTool('everything', 'whoami'));
    expect(viaShadow.isError, text(viaShadow)).toBeFalsy();
    expect(json(viaShadow).pid).toBeGreaterThan(0);
    const wsOnly = await inW.callTool(callTool('ws-only', 'whoami'));
    expect(json(wsOnly).pid).toBeGreaterThan(0);
    expect(json(wsOnly).pid).not.toBe(json(viaShadow).pid);
    const hidden = await elsewhere.callTool(callTool('ws-only', 'whoami'));
    expect(hidden.isError).toBe(true);
    expect(text(hidden)).toMatch(/unknown server "ws-only"/);
  });

  it('elsewhere, with the shadow already running, "everything" is still the global server-everything', async () => {
    const echo = await elsewhere.callTool(callTool('everything', 'echo', { message: 'global one' }));
    expect(text(echo)).toBe('Echo: global one');
    expect(await everythingProcesses(home)).toHaveLength(1);
    // And W keeps reaching its own shadow.
    const again = await inW.callTool(callTool('everything', 'whoami'));
    expect(again.isError, text(again)).toBeFalsy();
  });

  it('another workspace defining its own "ws-only" gets its own server, not W\'s', async () => {
    const yaml = `servers:\n${servers.everything('    description: W2 ws-only\n').replace('  everything:', '  ws-only:')}`;
    const W2 = workspace(root, 'W2', { yaml });
    await home.trust(W2);
    const inW2 = await home.client({ cwd: W2, name: 'in-w2' });
    expect((await listServers(inW2))['ws-only']).toMatchObject({ scope: 'workspace', description: 'W2 ws-only' });
    const echo = await inW2.callTool(callTool('ws-only', 'echo', { message: 'W2 own' }));
    expect(text(echo)).toBe('Echo: W2 own');
  });
});

// Secrets: planted values in a workspace .env, MCPLEX_HOME/.env and the shim env never reach errors, status, logs, cache or audit.
describe('secrets stay out of errors, files and CLI output', () => {
  const WS_SECRET = 'wsSecret-7f3Kq9ZpL2vX';
  const GW_SECRET = 'gwSecret-Xm41Rt8Vb6nQ';
  const SHIM_SECRET = 'shimSecret-Hc55Ty0Wd3';
  const ARG_MARKER = 'argument-marker-90210';
  const SECRETS = [WS_SECRET, GW_SECRET, SHIM_SECRET];
  let home: Home;
  let root: string;
  let client: Client;

  beforeAll(async () => {
    const crash = `console.error('token is ' + process.env.TOKEN + ' gw is ' + process.env.GW_SECRET); process.exit(3)`;
    home = new Home(
      servers.everything('    env: {TOKEN: "${TOKEN}", GW_SECRET: "${GW_SECRET}"}\n    sharing: credential\n') +
        `  crasher:\n    command: ${process.execPath}\n    args: ["-e", "${crash}"]\n    env: {TOKEN: "\${TOKEN}", GW_SECRET: "\${GW_SECRET}"}\n    sharing: credential\n`,
    );
    fs.writeFileSync(path.join(home.dir, '.env'), `GW_SECRET=${GW_SECRET}\n`);
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcplex-ws-')));
    const S = workspace(root, 'S', { env: `TOKEN=${WS_SECRET}\n` });
    // The first shim starts the daemon: it asks for debug logs (where backend stderr is logged) and carries a secret in its environment.
    client = await home.client({ cwd: S, name: 'secret-client', env: { MCPLEX_LOG_LEVEL: 'debug', SHIM_SECRET } });
  });

  afterAll(async () => {
    await home.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the backend gets the secrets it asked for (premise)', async () => {
    const env = await backendEnv(client);
    expect(env.TOKEN).toBe(WS_SECRET);
    expect(env.GW_SECRET).toBe(GW_SECRET);
    expect(env).not.toHaveProperty('SHIM_SECRET');
    const echo = await client.callTool(callTool('everything', 'echo', { message: ARG_MARKER }));
    expect(text(echo)).toBe(`Echo: ${ARG_MARKER}`);
  });

  it('a server that prints its secrets and crashes: call_tool error and list_servers lastError are redacted', async () => {
    const r = await client.callTool(callTool('crasher', 'anything', { q: 1 }));
    expect(r.isError).toBe(true);
    const msg = text(r);
    expect(msg).toContain('token is [redacted]');
    expect(msg).toContain('gw is [redacted]');
    for (const s of SECRETS) expect(msg).not.toContain(s);

    const listed = await listServers(client);
    expect(listed.crasher.lastError).toContain('[redacted]');
    for (const s of SECRETS) expect(JSON.stringify(listed)).not.toContain(s);
  });

  it('mcplex status and status --json show no secret', async () => {
    for (const args of [['status'], ['status', '--json'], ['config', 'validate']]) {
      const r = await home.cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      for (const s of SECRETS) {
        expect(r.stdout, args.join(' ')).not.toContain(s);
        expect(r.stderr, args.join(' ')).not.toContain(s);
      }
    }
    const st = await home.status();
    expect(st.instances.find((i) => i.server === 'crasher')?.lastError).toContain('[redacted]');
  });

  it('audit.jsonl: one line per tool call with server, tool and outcome, no arguments', async () => {
    const lines = fs.readFileSync(path.join(home.dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.server, l.tool, l.outcome])).toEqual([
      ['everything', 'get-env', 'ok'],
      ['everything', 'echo', 'ok'],
      ['crasher', 'anything', 'error'],
    ]);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['client', 'instance', 'ms', 'outcome', 'server', 'session', 'tool', 'ts', 'workspace']);
      expect(l.client).toBe('secret-client');
      expect(typeof l.ms).toBe('number');
    }
    const raw = fs.readFileSync(path.join(home.dir, 'audit.jsonl'), 'utf8');
    expect(raw).not.toContain(ARG_MARKER);
    expect(raw).not.toContain('arguments');
  });

  it('after the daemon stops, no file under MCPLEX_HOME (but .env itself) contains a secret', async () => {
    expect((await home.cli(['stop'])).code).toBe(0);
    const files = filesUnder(home.dir).filter((f) => f !== path.join(home.dir, '.env'));
    // The scan is meaningful: logs, cache and audit exist.
    const rel = files.map((f) => path.relative(home.dir, f));
    expect(rel).toContain('audit.jsonl');
    expect(rel.some((f) => f.startsWith('logs'))).toBe(true);
    expect(rel.some((f) => f.startsWith('cache'))).toBe(true);
    const leaks: string[] = [];
    for (const f of files) {
      const content = fs.readFileSync(f, 'latin1');
      for (const s of SECRETS) if (content.includes(s)) leaks.push(`${path.relative(home.dir, f)} contains ${s}`);
    }
    expect(leaks).toEqual([]);
  });
});
