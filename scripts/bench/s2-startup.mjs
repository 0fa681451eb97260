// Section 2: a new terminal — shim spawn → initialize reply with a warm daemon (Node shim, native shim), against
// `node -e 0` spawn → exit, interleaved.
import { spawn } from 'node:child_process';
import { CLI, NODE, SHIM_KINDS, now, shimArgv, sleep } from './env.mjs';
import { McplexHome } from './home.mjs';
import { PROTOCOL_VERSION } from './jsonl.mjs';
import { killQuietly, memOf } from './procs.mjs';
import { ratio, summary } from './stats.mjs';
import { ChannelClient } from './channel-client.mjs';

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) + '\n';

function exited(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      killQuietly(child.pid);
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** spawn → exit of a command, ms. */
async function spawnToExit(args, env) {
  const t0 = now();
  const child = spawn(NODE, args, { stdio: 'ignore', env });
  await exited(child, 10_000);
  return now() - t0;
}

/** spawn → first line of the initialize reply on stdout, ms; then closes the shim. */
async function shimToInitialize(home, kind) {
  const t0 = now();
  const [command, args] = shimArgv(kind);
  const child = spawn(command, args, { cwd: home.dir, env: home.env(), stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.on('error', () => undefined);
  child.stdin.write(INIT);
  const ms = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('shim gave no initialize reply in 20 s')), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => {
      buf += s;
      if (buf.includes('\n')) {
        clearTimeout(t);
        resolve(now() - t0);
      }
    });
    child.once('exit', () => reject(new Error('shim exited before replying')));
  }).finally(() => child.stdin.end());
  await exited(child, 3000);
  return ms;
}

/** In-process: mcplex.sock connect + upgrade + hello → welcome → initialize reply, ms (what a shim does once it runs). */
async function channelToInitialize(home) {
  const t0 = now();
  const c = await ChannelClient.connect(home);
  try {
    await c.initialize();
    return now() - t0;
  } finally {
    await c.close();
  }
}

/** Footprint of one idle shim of each kind next to one idle bare node process. */
async function idleFootprint(home) {
  const shims = Object.fromEntries(SHIM_KINDS.map((k) => [k, home.shimLine([], k)]));
  const bare = spawn(NODE, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    for (const s of Object.values(shims)) await s.initialize();
    await sleep(1000);
    const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
    const mem = (pid) => {
      const m = memOf(pid);
      return { rssMB: mb(m.rssKB), pssMB: mb(m.pssKB) };
    };
    return { shim: mem(shims.node.child.pid), ...(shims.native ? { nativeShim: mem(shims.native.child.pid) } : {}), bareNode: mem(bare.pid) };
  } finally {
    killQuietly(bare.pid);
    for (const s of Object.values(shims)) await s.close();
  }
}

export async function startupSection({ quick, log }) {
  const runs = quick ? 10 : 60;
  const home = new McplexHome(['everything']);
  try {
    await home.start();
    // Warm: the daemon is up and one shim has been through it; the page cache holds node and the bundle.
    for (let i = 0; i < 3; i++) {
      for (const kind of SHIM_KINDS) await shimToInitialize(home, kind);
      await spawnToExit(['-e', '0']);
    }
    const env = home.env();
    const shim = [];
    const native = [];
    const bare = [];
    const load = [];
    const channelInit = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await spawnToExit(['-e', '0']));
      shim.push(await shimToInitialize(home, 'node'));
      if (SHIM_KINDS.includes('native')) native.push(await shimToInitialize(home, 'native'));
      // node + CLI entry + shim bundle import, no connection: `shim --help` exits right after parsing its arguments.
      load.push(await spawnToExit([CLI, 'shim', '--help'], env));
      channelInit.push(await channelToInitialize(home));
    }
    const footprint = await idleFootprint(home);
    const s = summary(shim);
    const b = summary(bare);
    const l = summary(load);
    const w = summary(channelInit);
    const n = native.length ? summary(native) : undefined;
    const out = {
      runs,
      shimToInitialize: s,
      ...(n ? { nativeShimToInitialize: n, nativeRatioP50: ratio(n.p50, b.p50), nativeRatioP99: ratio(n.p99, b.p99) } : {}),
      nodeDashE0: b,
      shimHelpExit: l,
      inProcessChannelToInitialize: w,
      ratioP50: ratio(s.p50, b.p50),
      ratioP99: ratio(s.p99, b.p99),
      // Approximate split of the Node shim's p50: bare node (spawn→exit), + CLI entry and shim bundle (`shim --help`
      // spawn→exit), + the channel handshake and initialize (measured in-process), the rest (scheduling, stdio setup).
      breakdownP50: {
        nodeSpawnToExit: b.p50,
        cliAndBundleLoad: Math.round((l.p50 - b.p50) * 10) / 10,
        channelHelloAndInitialize: w.p50,
        rest: Math.round((s.p50 - l.p50 - w.p50) * 10) / 10,
      },
      idleFootprint: footprint,
    };
    log(`  shim→initialize p50: Node shim ${s.p50} ms${n ? `, native shim ${n.p50} ms` : ''} | node -e 0 p50 ${b.p50} ms | ratio ${out.ratioP50}${n ? ` / native ${out.nativeRatioP50}` : ''}`);
    return out;
  } finally {
    await home.dispose();
  }
}
