// Tokens per client kind: what a session's first request costs and what one successful tool call costs end to
// end, for a deferring client (Claude Code: direct surface, schemas fetched by its own tool search) and a
// non-deferring one (meta surface: search_tools → describe_tool → call_tool).

/** The call the measurement makes: what an agent wants, the tool that does it, and its arguments. */
const TASK = { need: 'repeat back a message', server: 'everything', tool: 'echo', args: { message: 'hello' } };

/** Tokens of a JSON value as the model sees it. */
const count = (enc, value) => enc.encode(typeof value === 'string' ? value : JSON.stringify(value)).length;

/** A tool call and its result as they reach the model: the call (name + arguments) and the result's content. */
async function callCost(enc, client, name, args) {
  const result = await client.callTool(name, args);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content).slice(0, 300)}`);
  return { tokens: count(enc, { name, arguments: args }) + count(enc, result.content), result };
}

/** The figures for one client kind, from a fresh shim session that introduces itself as `clientName`. */
export async function clientCosts(enc, home, clientName) {
  const c = home.shimLine();
  const init = await c.initialize(undefined, { name: clientName, version: '1.0.0' });
  const tools = await c.listTools();
  const instructions = init.instructions ? count(enc, init.instructions) : 0;
  const direct = tools.some((t) => t.name.includes('__'));
  const first = {
    tools: tools.length,
    toolsListTokens: count(enc, { tools }),
    instructionsTokens: instructions,
    // A deferring client shows the model only the tool names and the instructions up front.
    deferredTokens: count(enc, tools.map((t) => t.name)) + instructions,
  };
  if (direct) {
    const name = tools.find((t) => t.name.endsWith(`__${TASK.tool}`)).name;
    const schema = tools.find((t) => t.name === name);
    const call = await callCost(enc, c, name, TASK.args);
    // The client's own tool search brings in this one schema, then the model calls it.
    return { client: clientName, surface: 'direct', first, call: { schemaTokens: count(enc, schema), callTokens: call.tokens, total: count(enc, schema) + call.tokens } };
  }
  const search = await callCost(enc, c, 'search_tools', { query: TASK.need, limit: 5 });
  const hits = JSON.parse(search.result.content[0].text).results;
  const rank = hits.findIndex((h) => h.server === TASK.server && h.tool === TASK.tool) + 1;
  const describe = await callCost(enc, c, 'describe_tool', { server: TASK.server, tool: TASK.tool });
  const call = await callCost(enc, c, 'call_tool', { server: TASK.server, tool: TASK.tool, arguments: TASK.args });
  return {
    client: clientName,
    surface: 'meta',
    first,
    call: {
      searchTokens: search.tokens,
      searchRank: rank,
      describeTokens: describe.tokens,
      callTokens: call.tokens,
      // With each hit's signature the model can often skip describe_tool.
      totalWithoutDescribe: search.tokens + call.tokens,
      total: search.tokens + describe.tokens + call.tokens,
    },
  };
}
