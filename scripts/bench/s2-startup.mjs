// Section 2: a new terminal — shim spawn → initialize reply with a warm daemon, against `node -e 0` spawn → exit, interleaved.
import { spawn } from 'node:child_process';
import { CLI, NODE, now, sleep } from './env.mjs';
import { McplexHome } from './home.mjs';
import { PROTOCOL_VERSION } from './jsonl.mjs';
import { killQuietly, memOf } from './procs.mjs';
import { ratio, summary } from './stats.mjs';
import { WsClient } from './wsclient.mjs';

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
async function shimToInitialize(home) {
  const t0 = now();
  const child = spawn(NODE, [CLI, 'shim'], { cwd: home.dir, env: home.env(), stdio: ['pipe', 'pipe', 'ignore'] });
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

/** In-process: WebSocket connect + hello → welcome → initialize reply, ms (what a shim does after it has loaded). */
async function wsToInitialize(home) {
  const t0 = now();
  const c = await WsClient.connect(home);
  try {
    await c.initialize();
    return now() - t0;
  } finally {
    await c.close();
  }
}

/** Footprint of one idle shim next to one idle bare node process. */
async function idleFootprint(home) {
  const shim = home.shimLine();
  const bare = spawn(NODE, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await shim.initialize();
    await sleep(1000);
    const s = memOf(shim.child.pid);
    const b = memOf(bare.pid);
    const mb = (kb) => Math.round((kb / 1024) * 10) / 10;
    return { shim: { rssMB: mb(s.rssKB), pssMB: mb(s.pssKB) }, bareNode: { rssMB: mb(b.rssKB), pssMB: mb(b.pssKB) } };
  } finally {
    killQuietly(bare.pid);
    await shim.close();
  }
}

export async function startupSection({ quick, log }) {
  const runs = quick ? 10 : 60;
  const home = new McplexHome(['everything']);
  try {
    await home.start();
    // Warm: the daemon is up and one shim has been through it; the page cache holds node and the bundle.
    for (let i = 0; i < 3; i++) {
      await shimToInitialize(home);
      await spawnToExit(['-e', '0']);
    }
    const env = home.env();
    const shim = [];
    const bare = [];
    const load = [];
    const wsInit = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await spawnToExit(['-e', '0']));
      shim.push(await shimToInitialize(home));
      // node + CLI entry + shim bundle import, no connection: `shim --help` exits right after parsing its arguments.
      load.push(await spawnToExit([CLI, 'shim', '--help'], env));
      wsInit.push(await wsToInitialize(home));
    }
    const footprint = await idleFootprint(home);
    const s = summary(shim);
    const b = summary(bare);
    const l = summary(load);
    const w = summary(wsInit);
    const out = {
      runs,
      shimToInitialize: s,
      nodeDashE0: b,
      shimHelpExit: l,
      inProcessWsToInitialize: w,
      ratioP50: ratio(s.p50, b.p50),
      ratioP99: ratio(s.p99, b.p99),
      // Approximate split of the p50: bare node (spawn→exit), + CLI entry and shim bundle (`shim --help` spawn→exit),
      // + the /ws handshake and initialize (measured in-process), the rest unexplained (scheduling, stdio setup).
      breakdownP50: {
        nodeSpawnToExit: b.p50,
        cliAndBundleLoad: Math.round((l.p50 - b.p50) * 10) / 10,
        wsHelloAndInitialize: w.p50,
        rest: Math.round((s.p50 - l.p50 - w.p50) * 10) / 10,
      },
      idleFootprint: footprint,
    };
    log(`  shim→initialize p50 ${s.p50} ms p99 ${s.p99} ms | node -e 0 p50 ${b.p50} ms | ratio ${out.ratioP50}`);
    return out;
  } finally {
    await home.dispose();
  }
}
