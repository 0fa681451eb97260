// Section 6: peers in the same run — mcp-proxy and supergateway vs mcplex (shims, and its own /mcp) vs direct, at N sessions fronting server-everything.
import { SHIM_KINDS, now, pool, sleep, removeDir, tempDir } from './env.mjs';
import { closeAll, directSdk, httpSdk, metaCall, shimSdk } from './clients.mjs';
import { McplexHome } from './home.mjs';
import { PEERS, startPeer } from './peers.mjs';
import { descendants, measure, reapDescendants, rounded } from './procs.mjs';
import { serverSpecs } from './servers.mjs';
import { ratio, summary } from './stats.mjs';

const MESSAGE = { message: 'hello from the bench' };

/** Warm-up, then `n` sequential echo calls on one session; latency summary in ms. */
async function latency(call, n) {
  for (let i = 0; i < 20; i++) await call();
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const r = await call();
    ms.push(now() - t0);
    if (r.isError) throw new Error(`echo failed: ${JSON.stringify(r.content).slice(0, 200)}`);
  }
  return summary(ms);
}

/** N sessions made by `connect`, each calls echo once; then latency on the first and memory of `procs()`. */
async function variant(n, calls, connect, echo, procs) {
  const clients = [];
  try {
    await pool(n, 5, async () => {
      const c = await connect();
      clients.push(c);
      await echo(c);
    });
    const lat = await latency(() => echo(clients[0]), calls);
    await sleep(1000);
    return { latency: lat, memory: rounded(measure(procs())) };
  } finally {
    await closeAll(clients);
  }
}

export async function peersSection({ quick, log }) {
  const n = quick ? 3 : 10;
  const calls = quick ? 50 : 200;
  const dir = tempDir('peers');
  const spec = serverSpecs(dir)[0];
  const directEcho = (c) => c.callTool({ name: 'echo', arguments: MESSAGE });
  const mcplexEcho = (c) => metaCall(c, 'everything', 'echo', MESSAGE);
  const rows = {};
  try {
    rows.direct = { shares: 'a server per session (stdio)', ...(await variant(n, calls, () => directSdk(spec), directEcho, () => descendants(process.pid))) };
    await reapDescendants(5000);

    for (const via of [...SHIM_KINDS.map((k) => (k === 'native' ? 'native-shim' : 'shim')), 'http']) {
      const home = new McplexHome(['everything']);
      try {
        const info = await home.start();
        const connect = via === 'http' ? () => httpSdk(`http://127.0.0.1:${info.port}/mcp`) : () => shimSdk(home, [], via === 'shim' ? 'node' : 'native');
        const shares = { shim: 'one daemon + a Node shim per session', 'native-shim': 'one daemon + a native shim per session', http: 'one daemon, Streamable HTTP /mcp' }[via];
        try {
          rows[`mcplex-${via}`] = { shares, ...(await variant(n, calls, connect, mcplexEcho, () => home.processes())) };
        } catch (err) {
          if (via !== 'http') throw err;
          rows[`mcplex-${via}`] = { shares, skipped: String(err.message ?? err).slice(0, 400) };
          log(`  mcplex-${via}: skipped — ${rows[`mcplex-${via}`].skipped}`);
        }
      } finally {
        await home.dispose();
        await reapDescendants(3000);
      }
    }

    for (const name of Object.keys(PEERS)) {
      let peer;
      try {
        peer = await startPeer(name, spec);
        rows[name] = { shares: PEERS[name].shares, ...(await variant(n, calls, () => httpSdk(peer.url), directEcho, () => peer.processes())) };
      } catch (err) {
        rows[name] = { shares: PEERS[name].shares, skipped: String(err.message ?? err).slice(0, 400) };
        log(`  ${name}: skipped — ${rows[name].skipped}`);
      } finally {
        await peer?.stop();
        await reapDescendants(3000);
      }
    }
  } finally {
    removeDir(dir);
  }
  const base = rows['mcplex-shim'];
  for (const [k, r] of Object.entries(rows)) {
    if (r.skipped) continue;
    r.latencyRatioToDirect = ratio(r.latency.p50, rows.direct.latency.p50);
    r.pssRatioToMcplexShim = ratio(r.memory.pssMB, base?.memory?.pssMB);
    log(`  ${k}: echo p50 ${r.latency.p50} ms, ${r.memory.processes} procs, PSS ${r.memory.pssMB} MB`);
  }
  return { sessions: n, calls, client: 'SDK Client (same for every row)', rows };
}
