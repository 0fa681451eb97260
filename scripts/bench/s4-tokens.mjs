// Section 4: tokens (cl100k_base) of tools/list — mcplex meta surface vs its direct surface vs the raw backends' own lists.
import { getEncoding } from 'js-tiktoken';
import { removeDir, tempDir } from './env.mjs';
import { McplexHome } from './home.mjs';
import { spawnLine } from './jsonl.mjs';
import { reapDescendants } from './procs.mjs';
import { directEnv, serverSpecs } from './servers.mjs';
import { ratio } from './stats.mjs';
import { clientCosts } from './surfaces.mjs';

/** Tokens of a tools/list result as a client receives it (the JSON of `{tools}`). */
function tokens(enc, tools) {
  return enc.encode(JSON.stringify({ tools })).length;
}

export async function tokensSection({ log }) {
  const enc = getEncoding('cl100k_base');
  const dir = tempDir('tokens');
  const home = new McplexHome();
  const clients = [];
  try {
    // Raw: each server's own tools/list (a client with no capabilities, as a shared mcplex instance is).
    const raw = {};
    for (const spec of serverSpecs(dir)) {
      const c = spawnLine(spec.command, spec.args, { env: directEnv(spec) });
      clients.push(c);
      await c.initialize();
      const tools = await c.listTools();
      raw[spec.name] = { tools: tools.length, tokens: tokens(enc, tools) };
      await c.close();
    }
    const rawTotal = { tools: 0, tokens: 0 };
    for (const v of Object.values(raw)) {
      rawTotal.tools += v.tools;
      rawTotal.tokens += v.tokens;
    }

    await home.start();
    const meta = home.shimLine();
    const init = await meta.initialize();
    const metaTools = await meta.listTools();
    // Use each server once so its manifest is cached; the direct surface lists from that cache.
    for (const spec of home.specs) await meta.callTool('call_tool', { server: spec.name, tool: spec.tool, arguments: spec.toolArgs });
    const direct = home.shimLine(['--surface', 'direct']);
    await direct.initialize();
    const directTools = await direct.listTools();
    // Per client kind, with surface auto: Claude Code defers schemas (direct); an unknown client does not (meta).
    const perClient = { deferring: await clientCosts(enc, home, 'claude-code'), nonDeferring: await clientCosts(enc, home, 'mcplex-bench') };

    const out = {
      encoding: 'cl100k_base',
      counted: 'JSON.stringify({tools}) of tools/list',
      meta: { tools: metaTools.length, names: metaTools.map((t) => t.name), tokens: tokens(enc, metaTools) },
      // The server instructions of initialize also reach the model with the meta surface.
      metaInstructionsTokens: init.instructions ? enc.encode(init.instructions).length : 0,
      direct: { tools: directTools.length, tokens: tokens(enc, directTools) },
      raw: { ...rawTotal, perServer: raw },
      perClient,
    };
    out.ratio = { metaToRaw: ratio(out.meta.tokens, rawTotal.tokens), directToRaw: ratio(out.direct.tokens, rawTotal.tokens) };
    log(`  tools/list tokens: meta ${out.meta.tokens} (${out.meta.tools} tools), direct ${out.direct.tokens} (${out.direct.tools}), raw ${rawTotal.tokens} (${rawTotal.tools})`);
    log(`  one tool call end to end: deferring client ${perClient.deferring.call.total} tokens, non-deferring ${perClient.nonDeferring.call.total} (${perClient.nonDeferring.call.totalWithoutDescribe} without describe_tool)`);
    return out;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await home.dispose();
    await reapDescendants(3000);
    removeDir(dir);
  }
}
