// Section 3: per-call cost of `echo` — mcplex (a shim, call_tool) vs direct stdio to server-everything; sequential latency and 10-session throughput.
import { now, pool, removeDir, tempDir } from './env.mjs';
import { McplexHome } from './home.mjs';
import { spawnLine } from './jsonl.mjs';
import { cpuDelta, cpuSnapshot, descendants, reapDescendants } from './procs.mjs';
import { directEnv, serverSpecs } from './servers.mjs';
import { ratio, round, summary } from './stats.mjs';
import { WsClient } from './wsclient.mjs';

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

async function shimClients(home, n) {
  return pool(n, 5, async () => {
    const c = home.shimLine();
    await c.initialize();
    return c;
  });
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
  let ws;
  try {
    await home.start();
    // Sequential: one session each, interleaved blocks so all see the same machine noise. The in-process /ws
    // client skips the shim: it splits the added latency into the shim's hop and the daemon's.
    const d1 = (await directClients(spec, 1))[0];
    direct.push(d1);
    const m1 = (await shimClients(home, 1))[0];
    ws = await WsClient.connect(home);
    await ws.initialize();
    const dCall = directCall(d1);
    const mCall = mcplexCall(m1);
    const wCall = mcplexCall(ws);
    for (const c of [dCall, mCall, wCall]) await timed(c, 50, []);
    const dMs = [];
    const mMs = [];
    const wMs = [];
    const dCpu = { done: 0, secs: 0, cpu: {} };
    const mCpu = { done: 0, secs: 0, cpu: {} };
    const dProcs = () => descendants(process.pid).filter((e) => e.pid === d1.child.pid);
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
      await withCpu(mCpu, () => home.processes(), () => timed(mCall, block, mMs));
      await timed(wCall, block, wMs);
    }
    const d = summary(dMs);
    const m = summary(mMs);
    const w = summary(wMs);
    const sequential = {
      calls: seqN,
      direct: d,
      mcplex: m,
      addedP50: round(m.p50 - d.p50, 3),
      addedP99: round(m.p99 - d.p99, 3),
      ratioP50: ratio(m.p50, d.p50),
      inProcessWs: w,
      // Of the added p50: the shim's stdio + /ws hop, and the daemon's routing + its stdio hop to the backend.
      split: { shimHop: round(m.p50 - w.p50, 3), daemonHop: round(w.p50 - d.p50, 3) },
      // CPU per call of every process on the path (bench = the client): what the added latency is made of.
      cpuMicrosPerCall: { direct: perCall(dCpu), mcplex: perCall(mCpu) },
    };
    log(`  sequential echo p50: direct ${d.p50} ms, mcplex ${m.p50} ms (in-process /ws ${w.p50} ms), added ${sequential.addedP50} ms`);

    // Throughput: 10 sessions, each a closed loop; direct = 10 clients each with its own server. Rounds alternate.
    direct.push(...(await directClients(spec, sessions - 1)));
    const shims = [m1, ...(await shimClients(home, sessions - 1))];
    const dCalls = direct.map(directCall);
    const mCalls = shims.map(mcplexCall);
    await Promise.all([...dCalls, ...mCalls].map((c) => timed(c, 20, [])));
    const dAcc = { done: 0, secs: 0, cpu: {} };
    const mAcc = { done: 0, secs: 0, cpu: {} };
    const directProcs = () => descendants(process.pid).filter((e) => e.cmd.includes('server-everything'));
    for (let i = 0; i < rounds; i++) {
      add(dAcc, await loops(dCalls, roundMs, directProcs));
      add(mAcc, await loops(mCalls, roundMs, () => home.processes()));
    }
    const dTp = dAcc.done / dAcc.secs;
    const mTp = mAcc.done / mAcc.secs;
    const tp = {
      sessions,
      seconds: round(dAcc.secs + mAcc.secs, 1),
      rounds,
      directCallsPerSec: Math.round(dTp),
      mcplexCallsPerSec: Math.round(mTp),
      ratio: ratio(mTp, dTp),
      cpuMicrosPerCall: { direct: perCall(dAcc), mcplex: perCall(mAcc) },
    };
    log(`  throughput, ${sessions} sessions: direct ${tp.directCallsPerSec}/s, mcplex ${tp.mcplexCallsPerSec}/s, ratio ${tp.ratio}; CPU µs/call direct ${JSON.stringify(tp.cpuMicrosPerCall.direct)} mcplex ${JSON.stringify(tp.cpuMicrosPerCall.mcplex)}`);
    return { sequential, throughput: tp };
  } finally {
    await ws?.close();
    await Promise.all(direct.map((c) => c.close()));
    await home.dispose();
    await reapDescendants(3000);
    removeDir(dir);
  }
}
