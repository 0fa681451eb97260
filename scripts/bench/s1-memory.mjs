// Section 1: processes and memory for N sessions × 3 servers, direct (a server set per session) vs mcplex (a shim per
// session: the Node shim, and the native shim where it is built).
import { SHIM_KINDS, pool, sleep, removeDir, tempDir } from './env.mjs';
import { closeAll, directSdk, metaCall, shimSdk } from './clients.mjs';
import { McplexHome } from './home.mjs';
import { descendants, measure, reapDescendants, rounded } from './procs.mjs';
import { serverSpecs } from './servers.mjs';
import { ratio } from './stats.mjs';

const SETTLE_MS = 1500;
const SPAWN_CONCURRENCY = 4;

async function direct(n) {
  const dir = tempDir('direct');
  const specs = serverSpecs(dir);
  const clients = [];
  try {
    await pool(n, SPAWN_CONCURRENCY, async () => {
      await Promise.all(
        specs.map(async (spec) => {
          const c = await directSdk(spec);
          clients.push(c);
          await c.callTool({ name: spec.tool, arguments: spec.toolArgs });
        }),
      );
    });
    await sleep(SETTLE_MS);
    return rounded(measure(descendants(process.pid)));
  } finally {
    await closeAll(clients);
    await reapDescendants(5000);
    removeDir(dir);
  }
}

async function mcplex(n, kind) {
  const home = new McplexHome();
  try {
    await home.start();
    await pool(n, SPAWN_CONCURRENCY, async () => {
      const c = await shimSdk(home, [], kind);
      for (const spec of home.specs) {
        const r = await metaCall(c, spec.name, spec.tool, spec.toolArgs);
        if (r.isError) throw new Error(`call_tool ${spec.name}.${spec.tool}: ${JSON.stringify(r.content).slice(0, 300)}`);
      }
    });
    await sleep(SETTLE_MS);
    return rounded(measure(home.processes()));
  } finally {
    await home.dispose();
    await reapDescendants(3000);
  }
}

export async function memorySection({ quick, log }) {
  const ns = quick ? [1, 10] : [1, 5, 10, 20];
  const rows = [];
  for (const n of ns) {
    const d = await direct(n);
    const row = { sessions: n, servers: 3, direct: d };
    for (const kind of SHIM_KINDS) {
      // `mcplex`/`ratio`: through Node shims (as in earlier runs); `mcplexNative`/`ratioNative`: through native shims.
      const m = await mcplex(n, kind);
      const [key, ratioKey] = kind === 'native' ? ['mcplexNative', 'ratioNative'] : ['mcplex', 'ratio'];
      row[key] = m;
      row[ratioKey] = { processes: ratio(m.processes, d.processes), rss: ratio(m.rssMB, d.rssMB), pss: ratio(m.pssMB, d.pssMB) };
      log(`  N=${n}: direct ${d.processes} procs ${d.pssMB} MB PSS | mcplex (${kind} shims) ${m.processes} procs ${m.pssMB} MB PSS | PSS ratio ${row[ratioKey].pss}`);
    }
    rows.push(row);
  }
  return { rows };
}
