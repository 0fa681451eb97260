// Section 5: daemon footprint — RSS idle, with 50 shim sessions, and growth after 20,000 calls.
import { now, pool, sleep } from './env.mjs';
import { McplexHome } from './home.mjs';
import { memOf, reapDescendants } from './procs.mjs';
import { round } from './stats.mjs';

const ARGS = { server: 'everything', tool: 'echo', arguments: { message: 'hello' } };

function daemonMem(home) {
  const m = memOf(home.daemonPid());
  return { rssMB: round(m.rssKB / 1024, 1), pssMB: round(m.pssKB / 1024, 1) };
}

export async function daemonSection({ quick, log }) {
  const sessions = quick ? 20 : 50;
  const calls = quick ? 2000 : 20_000;
  const busy = 10;
  const home = new McplexHome(['everything']);
  try {
    await home.start();
    await sleep(1500);
    const idle = daemonMem(home);

    const shims = await pool(sessions, 5, async () => {
      const c = home.shimLine();
      await c.initialize();
      await c.listTools();
      return c;
    });
    // One call per session: the backend is spawned and every session has used it.
    await Promise.all(shims.map((c) => c.callTool('call_tool', ARGS)));
    await sleep(1500);
    const withSessions = daemonMem(home);

    const per = Math.ceil(calls / busy);
    const batch = async () => {
      const t0 = now();
      await Promise.all(
        shims.slice(0, busy).map(async (c) => {
          for (let i = 0; i < per; i++) {
            const r = await c.callTool('call_tool', ARGS);
            if (r.isError) throw new Error(`call failed: ${JSON.stringify(r.content).slice(0, 200)}`);
          }
        }),
      );
      const secs = (now() - t0) / 1000;
      await sleep(1500);
      return secs;
    };
    const secs = await batch();
    const after = daemonMem(home);
    // A second batch tells a leak (keeps growing) from the heap settling at its working size (flat).
    await batch();
    const afterSecond = daemonMem(home);
    const out = {
      sessions,
      calls: per * busy,
      callSessions: busy,
      callSeconds: round(secs, 1),
      idle,
      withSessions,
      afterCalls: after,
      afterSecondBatch: afterSecond,
      perSessionKB: Math.round(((withSessions.rssMB - idle.rssMB) * 1024) / sessions),
      growthAfterCallsMB: round(after.rssMB - withSessions.rssMB, 1),
      growthInSecondBatchMB: round(afterSecond.rssMB - after.rssMB, 1),
    };
    log(`  daemon RSS: idle ${idle.rssMB} MB, ${sessions} sessions ${withSessions.rssMB} MB, after ${out.calls} calls ${after.rssMB} MB (growth ${out.growthAfterCallsMB} MB; a second batch: ${out.growthInSecondBatchMB} MB)`);
    return out;
  } finally {
    await home.dispose();
    await reapDescendants(3000);
  }
}
