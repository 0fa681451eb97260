// Section 3: per-call cost of `echo` — mcplex (a Node shim or a native shim, call_tool) vs direct stdio to
// server-everything; sequential latency and 10-session throughput.
import { SHIM_KINDS, now, pool, removeDir, tempDir } from './env.mjs';
import { McplexHome } from './home.mjs';
import { spawnLine } from './jsonl.mjs';
import { cpuDelta, cpuSnapshot, descendants, reapDescendants } from './procs.mjs';
import { directEnv, serverSpecs } from './servers.mjs';
import { ratio, round, summary } from './stats.mjs';
import { ChannelClient } from './channel-client.mjs';

const ARGS = { message: 'hello from the bench' };

/** A call function per client kind: the same echo, directly or through the meta surface. */
const directCall = (c) => () => c.callTool('echo', ARGS);
const mcplexCall = (c) => () => c.callTool('call_tool', { server: 'everything', tool: 'echo', arguments: ARGS });

async function timed(call, n, into) {
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const r = await call();
    into.push(now() - t0);
    if (r.isError) throw new Error(`echo failed: ${JSON.stringify(r.content).slice(0, 200)}`);
  }
}

/** Closed loops (one per call function) for `ms`; returns the number of calls done, the seconds, and CPU ms per kind of process. */
async function loops(calls, ms, procs) {
  const before = cpuSnapshot(procs());
  const bench0 = process.cpuUsage();
  const end = now() + ms;
  let done = 0;
  const t0 = now();
  await Promise.all(
    calls.map(async (call) => {
      while (now() < end) {
        await call();
        done++;
      }
    }),
  );
  const secs = (now() - t0) / 1000;
  const cpu = cpuDelta(before, cpuSnapshot(procs()));
  const b = process.cpuUsage(bench0);
  cpu.bench = (b.user + b.system) / 1000;
  return { done, secs, cpu };
}

function add(acc, r) {
  acc.done += r.done;
  acc.secs += r.secs;
  for (const [k, v] of Object.entries(r.cpu)) acc.cpu[k] = (acc.cpu[k] ?? 0) + v;
}

/** CPU µs per call by kind of process, rounded. */
function perCall(acc) {
  const out = {};
  let total = 0;
  for (const [k, v] of Object.entries(acc.cpu)) {
    out[k] = Math.round((v * 1000) / acc.done);
    total += v;
  }
  out.total = Math.round((total * 1000) / acc.done);
  return out;
}

async function directClients(spec, n) {
  return pool(n, 5, async () => {
    const c = spawnLine(spec.command, spec.args, { env: directEnv(spec) });
    await c.initialize();
    return c;
  });
}

async function shimClients(home, n, kind) {
  return pool(n, 5, async () => {
    const c = home.shimLine([], kind);
    await c.initialize();
    return c;
  });
}

/** The sequential figures of one way to reach the server, against direct. */
function sequentialRow(ms, acc, d) {
  const m = summary(ms);
  return { ...m, addedP50: round(m.p50 - d.p50, 3), addedP99: round(m.p99 - d.p99, 3), ratioP50: ratio(m.p50, d.p50), ...(acc ? { cpuMicrosPerCall: perCall(acc) } : {}) };
}

export async function callsSection({ quick, log }) {
  const seqN = quick ? 100 : 1000;
  const block = 50;
  const rounds = quick ? 2 : 4;
  const roundMs = quick ? 750 : 2500;
  const sessions = 10;
  const dir = tempDir('calls');
  const spec = serverSpecs(dir)[0];
  const home = new McplexHome(['everything']);
  const direct = [];
  let channel;
  try {
    await home.start();
    // Sequential: one session each, interleaved blocks so all see the same machine noise. The in-process channel
    // client skips the shim: it splits the added latency into the shim's hop and the daemon's.
    const d1 = (await directClients(spec, 1))[0];
    direct.push(d1);
    const first = Object.fromEntries(await Promise.all(SHIM_KINDS.map(async (k) => [k, (await shimClients(home, 1, k))[0]])));
    channel = await ChannelClient.connect(home);
    await channel.initialize();
    const dCall = directCall(d1);
    const wCall = mcplexCall(channel);
    const kinds = SHIM_KINDS.map((k) => ({ kind: k, call: mcplexCall(first[k]), ms: [], cpu: { done: 0, secs: 0, cpu: {} } }));
    for (const c of [dCall, wCall, ...kinds.map((k) => k.call)]) await timed(c, 50, []);
    const dMs = [];
    const wMs = [];
    const dCpu = { done: 0, secs: 0, cpu: {} };
    const dProcs = () => descendants(process.pid).filter((e) => e.pid === d1.child.pid);
    // The daemon, its backend and this kind's shim (not the other kind's idle one).
    const procsOf = (kind) => () => home.processes().filter((e) => e.pid !== first[kind === 'node' ? 'native' : 'node']?.child.pid);
    const withCpu = async (acc, procs, fn) => {
      const before = cpuSnapshot(procs());
      const b0 = process.cpuUsage();
      await fn();
      const cpu = cpuDelta(before, cpuSnapshot(procs()));
      const b = process.cpuUsage(b0);
      cpu.bench = (b.user + b.system) / 1000;
      add(acc, { done: block, secs: 0, cpu });
    };
    for (let done = 0; done < seqN; done += block) {
      await withCpu(dCpu, dProcs, () => timed(dCall, block, dMs));
      for (const k of kinds) await withCpu(k.cpu, procsOf(k.kind), () => timed(k.call, block, k.ms));
      await timed(wCall, block, wMs);
    }
    const d = summary(dMs);
    const w = summary(wMs);
    const rows = Object.fromEntries(kinds.map((k) => [k.kind, sequentialRow(k.ms, k.cpu, d)]));
    const sequential = {
      calls: seqN,
      direct: { ...d, cpuMicrosPerCall: perCall(dCpu) },
      // Through the Node shim (the keys of earlier runs), and through the native shim.
      mcplex: rows.node,
      addedP50: rows.node.addedP50,
      addedP99: rows.node.addedP99,
      ratioP50: rows.node.ratioP50,
      ...(rows.native ? { native: rows.native } : {}),
      inProcessChannel: w,
      // Of the added p50: each shim's stdio + socket hop, and the daemon's routing + its stdio hop to the backend.
      split: { shimHop: round(rows.node.p50 - w.p50, 3), ...(rows.native ? { nativeShimHop: round(rows.native.p50 - w.p50, 3) } : {}), daemonHop: round(w.p50 - d.p50, 3) },
    };
    log(`  sequential echo p50: direct ${d.p50} ms, ${kinds.map((k) => `${k.kind} shim ${rows[k.kind].p50} ms (added ${rows[k.kind].addedP50})`).join(', ')}, in-process channel ${w.p50} ms`);

    // Throughput: 10 sessions, each a closed loop; direct = 10 clients each with its own server. Rounds alternate.
    direct.push(...(await directClients(spec, sessions - 1)));
    const loopsOf = {};
    for (const k of SHIM_KINDS) loopsOf[k] = [first[k], ...(await shimClients(home, sessions - 1, k))].map(mcplexCall);
    const dCalls = direct.map(directCall);
    await Promise.all([...dCalls, ...Object.values(loopsOf).flat()].map((c) => timed(c, 20, [])));
    const dAcc = { done: 0, secs: 0, cpu: {} };
    const accs = Object.fromEntries(SHIM_KINDS.map((k) => [k, { done: 0, secs: 0, cpu: {} }]));
    const directProcs = () => descendants(process.pid).filter((e) => e.cmd.includes('server-everything'));
    // Each kind's loops count the daemon, the backend and that kind's shims.
    const kindProcs = (k) => () => home.processes().filter((e) => e.cmd.includes('mcplex.js serve') || e.cmd.includes('server-everything') || (k === 'native' ? e.cmd.includes('mcplex-shim') : e.cmd.includes('mcplex.js shim')));
    for (let i = 0; i < rounds; i++) {
      add(dAcc, await loops(dCalls, roundMs, directProcs));
      for (const k of SHIM_KINDS) add(accs[k], await loops(loopsOf[k], roundMs, kindProcs(k)));
    }
    const dTp = dAcc.done / dAcc.secs;
    const tpOf = (k) => accs[k].done / accs[k].secs;
    const tp = {
      sessions,
      seconds: round(dAcc.secs + SHIM_KINDS.reduce((a, k) => a + accs[k].secs, 0), 1),
      rounds,
      directCallsPerSec: Math.round(dTp),
      mcplexCallsPerSec: Math.round(tpOf('node')),
      ratio: ratio(tpOf('node'), dTp),
      ...(accs.native ? { nativeCallsPerSec: Math.round(tpOf('native')), nativeRatio: ratio(tpOf('native'), dTp) } : {}),
      cpuMicrosPerCall: { direct: perCall(dAcc), mcplex: perCall(accs.node), ...(accs.native ? { native: perCall(accs.native) } : {}) },
    };
    log(`  throughput, ${sessions} sessions: direct ${tp.directCallsPerSec}/s, Node shims ${tp.mcplexCallsPerSec}/s (${tp.ratio})${accs.native ? `, native shims ${tp.nativeCallsPerSec}/s (${tp.nativeRatio})` : ''}`);
    return { sequential, throughput: tp };
  } finally {
    await channel?.close();
    await Promise.all(direct.map((c) => c.close()));
    await home.dispose();
    await reapDescendants(3000);
    removeDir(dir);
  }
}
