// Turns results into targets, a console table and bench/results.md (ratios first).
import { ratio } from './stats.mjs';

const f = (v, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const x = (v, d = 2) => (typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(d)}×` : '—');

/** The issue's targets, evaluated against this run (reported, never asserted). */
export function targets(r) {
  const row10 = r.memory?.rows?.find((row) => row.sessions === 10);
  const t = (name, value, op, target, unit = '') => ({
    name,
    value: value ?? null,
    target: `${op} ${target}${unit}`,
    met: typeof value === 'number' && Number.isFinite(value) ? (op === '≤' ? value <= target : value >= target) : null,
  });
  // Each shim figure twice, against the same target: through native shims, and through Node shims (to show the gain).
  return [
    t('mcplex/direct PSS at 10 sessions × 3 servers, native shims', row10?.ratioNative?.pss, '≤', 0.18),
    t('mcplex/direct PSS at 10 sessions × 3 servers, Node shims', row10?.ratio?.pss, '≤', 0.18),
    t('native shim idle RSS (MB)', r.newTerminal?.idleFootprint?.nativeShim?.rssMB, '≤', 3),
    t('Node shim idle RSS (MB)', r.newTerminal?.idleFootprint?.shim?.rssMB, '≤', 3),
    t('new terminal: native shim → initialize p50 / node -e 0 p50', r.newTerminal?.nativeRatioP50, '≤', 0.25),
    t('new terminal: Node shim → initialize p50 / node -e 0 p50', r.newTerminal?.ratioP50, '≤', 0.25),
    t('added latency per call, p50 (ms), native shim', r.perCall?.sequential?.native?.addedP50, '≤', 0.3),
    t('added latency per call, p50 (ms), Node shim', r.perCall?.sequential?.addedP50, '≤', 0.3),
    t('throughput at 10 sessions, mcplex/direct, native shims', r.perCall?.throughput?.nativeRatio, '≥', 0.6),
    t('throughput at 10 sessions, mcplex/direct, Node shims', r.perCall?.throughput?.ratio, '≥', 0.6),
    t('meta surface tools/list (cl100k tokens)', r.tokens?.meta?.tokens, '≤', 800),
    t('search_tools recall@1 (eval)', r.search?.recallAt1, '≥', 0.8),
    t('search_tools recall@3 (eval)', r.search?.recallAt3, '≥', 0.95),
    t(`daemon RSS with ${r.daemon?.sessions ?? 50} sessions (MB)`, r.daemon?.withSessions?.rssMB, '≤', 80),
  ];
}

const cpuLine = (c) => Object.entries(c).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${v}`).join(', ');
const mark = (met) => (met === null ? 'n/a' : met ? '✓' : '✗');

/** Every table of the report: {title, headers, rows, notes}. */
export function tables(r) {
  const out = [];
  out.push({
    title: 'Targets',
    headers: ['figure', 'this run', 'target', 'met'],
    rows: r.targets.map((t) => [t.name, typeof t.value === 'number' ? String(t.value) : '—', t.target, mark(t.met)]),
  });

  const ratios = [];
  for (const row of r.memory?.rows ?? []) {
    const native = row.ratioNative ? `; native shims ${x(row.ratioNative.pss)} (${f(row.mcplexNative.pssMB, 0)} MB)` : '';
    ratios.push([`PSS, mcplex/direct, ${row.sessions} × 3`, `${x(row.ratioNative?.pss ?? row.ratio.pss)}`, `direct: ${row.direct.processes} procs, ${f(row.direct.pssMB, 0)} MB; Node shims ${x(row.ratio.pss)} (${f(row.mcplex.pssMB, 0)} MB)${native}`]);
  }
  const last = r.memory?.rows?.at(-1);
  if (last) ratios.push([`processes, mcplex/direct, ${last.sessions} × 3`, x(last.ratio.processes), `${last.mcplex.processes} vs ${last.direct.processes}`]);
  const nt = r.newTerminal;
  if (nt?.nativeShimToInitialize) ratios.push(['new terminal p50, native shim/`node -e 0`', x(nt.nativeRatioP50), `${f(nt.nativeShimToInitialize.p50)} vs ${f(nt.nodeDashE0.p50)} ms`]);
  if (nt) ratios.push(['new terminal p50, Node shim/`node -e 0`', x(nt.ratioP50), `${f(nt.shimToInitialize.p50)} vs ${f(nt.nodeDashE0.p50)} ms`]);
  if (r.perCall) {
    const { sequential: q, throughput: t } = r.perCall;
    if (q.native) ratios.push(['echo p50, mcplex (native shim)/direct', x(q.native.ratioP50), `+${f(q.native.addedP50, 3)} ms per call`]);
    ratios.push(['echo p50, mcplex (Node shim)/direct', x(q.ratioP50), `+${f(q.addedP50, 3)} ms per call`]);
    if (t.nativeRatio !== undefined) ratios.push(['throughput at 10 sessions, mcplex (native shims)/direct', x(t.nativeRatio), `${t.nativeCallsPerSec} vs ${t.directCallsPerSec} calls/s`]);
    ratios.push(['throughput at 10 sessions, mcplex (Node shims)/direct', x(t.ratio), `${t.mcplexCallsPerSec} vs ${t.directCallsPerSec} calls/s`]);
  }
  if (r.tokens) {
    ratios.push(['tools/list tokens, meta/raw backends', x(r.tokens.ratio.metaToRaw, 3), `${r.tokens.meta.tokens} vs ${r.tokens.raw.tokens}`]);
    ratios.push(['tools/list tokens, direct surface/raw backends', x(r.tokens.ratio.directToRaw, 3), `${r.tokens.direct.tokens} vs ${r.tokens.raw.tokens}`]);
  }
  for (const [name, row] of Object.entries(r.peers?.rows ?? {})) {
    if (name === 'mcplex-shim' || name === 'direct' || row.skipped) continue;
    ratios.push([`${name} at ${r.peers.sessions} sessions: PSS / mcplex PSS`, x(row.pssRatioToMcplexShim), `${f(row.memory.pssMB, 0)} vs ${f(r.peers.rows['mcplex-shim']?.memory?.pssMB, 0)} MB`]);
    ratios.push([`${name}: echo p50 / mcplex echo p50`, x(ratio(row.latency.p50, r.peers.rows['mcplex-shim']?.latency?.p50)), `${f(row.latency.p50, 2)} vs ${f(r.peers.rows['mcplex-shim']?.latency?.p50, 2)} ms`]);
  }
  out.push({ title: 'Ratios (baseline measured in the same run)', headers: ['ratio', 'value', 'figures'], rows: ratios });

  if (r.memory?.rows) {
    const split = (m) => {
      const k = m.kinds;
      const servers = ['everything', 'memory', 'filesystem'].reduce((a, s) => a + (k[s]?.pssMB ?? 0), 0);
      return `${f((k.shim?.pssMB ?? 0) + (k.nativeShim?.pssMB ?? 0), 1)} / ${f(k.daemon?.pssMB, 0)} / ${f(servers, 0)}`;
    };
    const rows = [];
    for (const row of r.memory.rows) {
      rows.push([row.sessions, 'direct', row.direct.processes, f(row.direct.rssMB, 0), f(row.direct.pssMB, 0), '', '']);
      rows.push(['', 'mcplex, Node shims', row.mcplex.processes, f(row.mcplex.rssMB, 0), f(row.mcplex.pssMB, 0), x(row.ratio.pss), split(row.mcplex)]);
      if (row.mcplexNative) rows.push(['', 'mcplex, native shims', row.mcplexNative.processes, f(row.mcplexNative.rssMB, 0), f(row.mcplexNative.pssMB, 0), x(row.ratioNative.pss), split(row.mcplexNative)]);
    }
    out.push({
      title: '1. Processes and memory: N sessions × 3 servers (everything, memory, filesystem)',
      headers: ['sessions', 'how', 'procs', 'RSS MB', 'PSS MB', 'PSS / direct', 'PSS: shims / daemon / servers'],
      rows,
      notes: ['Direct: every session spawns its own three servers (SDK stdio client, initialized, one tool call each). mcplex: every session is a real shim (`mcplex shim` on Node, or the native `mcplex-shim`); one call_tool to each server; all three `sharing: global`. Counts exclude the bench process.', 'PSS splits shared pages (the node binary) among every process mapping them, so the more node processes run, the smaller each one\'s PSS.'],
    });
  }
  if (r.newTerminal) {
    const s = r.newTerminal;
    out.push({
      title: `2. New terminal (warm daemon, ${s.runs} runs each, interleaved)`,
      headers: ['measure', 'p50 ms', 'p99 ms'],
      rows: [
        ...(s.nativeShimToInitialize ? [['native shim spawn → initialize reply', f(s.nativeShimToInitialize.p50), f(s.nativeShimToInitialize.p99)]] : []),
        ['Node shim spawn → initialize reply', f(s.shimToInitialize.p50), f(s.shimToInitialize.p99)],
        ['`node -e 0` spawn → exit (baseline)', f(s.nodeDashE0.p50), f(s.nodeDashE0.p99)],
        ['`mcplex shim --help` spawn → exit (node + CLI entry + shim bundle)', f(s.shimHelpExit.p50), f(s.shimHelpExit.p99)],
        ['mcplex.sock connect + upgrade + hello + initialize, in-process', f(s.inProcessChannelToInitialize.p50), f(s.inProcessChannelToInitialize.p99)],
      ],
      notes: [
        `Idle footprint: ${s.idleFootprint.nativeShim ? `native shim ${f(s.idleFootprint.nativeShim.rssMB)} MB RSS / ${f(s.idleFootprint.nativeShim.pssMB)} MB PSS; ` : ''}Node shim ${f(s.idleFootprint.shim.rssMB)} MB RSS / ${f(s.idleFootprint.shim.pssMB)} MB PSS; bare idle node ${f(s.idleFootprint.bareNode.rssMB)} MB RSS / ${f(s.idleFootprint.bareNode.pssMB)} MB PSS.`,
      ],
    });
  }
  if (r.perCall) {
    const { sequential: q, throughput: t } = r.perCall;
    out.push({
      title: `3. Per call: echo on server-everything (raw JSON lines; ${q.calls} sequential calls each, interleaved blocks)`,
      headers: ['measure', 'direct', 'mcplex', 'mcplex − direct', 'mcplex/direct'],
      rows: [
        ...(q.native
          ? [
              ['sequential p50 ms, native shim', f(q.direct.p50, 3), f(q.native.p50, 3), f(q.native.addedP50, 3), x(q.native.ratioP50)],
              ['sequential p99 ms, native shim', f(q.direct.p99, 3), f(q.native.p99, 3), f(q.native.addedP99, 3), x(ratio(q.native.p99, q.direct.p99))],
            ]
          : []),
        ['sequential p50 ms, Node shim', f(q.direct.p50, 3), f(q.mcplex.p50, 3), f(q.addedP50, 3), x(q.ratioP50)],
        ['sequential p99 ms, Node shim', f(q.direct.p99, 3), f(q.mcplex.p99, 3), f(q.addedP99, 3), x(ratio(q.mcplex.p99, q.direct.p99))],
        ['sequential p50 ms, in-process channel client (no shim)', f(q.direct.p50, 3), f(q.inProcessChannel.p50, 3), f(q.inProcessChannel.p50 - q.direct.p50, 3), x(ratio(q.inProcessChannel.p50, q.direct.p50))],
        ...(t.nativeRatio !== undefined ? [[`throughput, ${t.sessions} sessions, calls/s, native shims`, t.directCallsPerSec, t.nativeCallsPerSec, t.nativeCallsPerSec - t.directCallsPerSec, x(t.nativeRatio)]] : []),
        [`throughput, ${t.sessions} sessions, calls/s, Node shims`, t.directCallsPerSec, t.mcplexCallsPerSec, t.mcplexCallsPerSec - t.directCallsPerSec, x(t.ratio)],
        ...(t.cpuMicrosPerCall.native
          ? [['CPU µs per call at that throughput (all processes), native shims', t.cpuMicrosPerCall.direct.total, t.cpuMicrosPerCall.native.total, t.cpuMicrosPerCall.native.total - t.cpuMicrosPerCall.direct.total, x(ratio(t.cpuMicrosPerCall.native.total, t.cpuMicrosPerCall.direct.total))]]
          : []),
        ['CPU µs per call at that throughput (all processes), Node shims', t.cpuMicrosPerCall.direct.total, t.cpuMicrosPerCall.mcplex.total, t.cpuMicrosPerCall.mcplex.total - t.cpuMicrosPerCall.direct.total, x(ratio(t.cpuMicrosPerCall.mcplex.total, t.cpuMicrosPerCall.direct.total))],
      ],
      notes: [
        `Added p50 split: ${q.split.nativeShimHop !== undefined ? `native shim hop (stdio + mcplex.sock) ${f(q.split.nativeShimHop, 3)} ms, ` : ''}Node shim hop ${f(q.split.shimHop, 3)} ms, daemon hop (routing + stdio to the backend) ${f(q.split.daemonHop, 3)} ms.`,
        `Sequential CPU µs per call — direct: ${cpuLine(q.direct.cpuMicrosPerCall)}; ${q.native ? `native shim: ${cpuLine(q.native.cpuMicrosPerCall)}; ` : ''}Node shim: ${cpuLine(q.mcplex.cpuMicrosPerCall)}.`,
        `Throughput CPU µs per call — direct: ${cpuLine(t.cpuMicrosPerCall.direct)}; ${t.cpuMicrosPerCall.native ? `native shims: ${cpuLine(t.cpuMicrosPerCall.native)}; ` : ''}Node shims: ${cpuLine(t.cpuMicrosPerCall.mcplex)}.`,
        `Throughput: ${t.rounds} alternating rounds; direct = 10 clients each with its own server; mcplex = 10 shims, one daemon, one shared server-everything.`,
      ],
    });
  }
  if (r.tokens) {
    const k = r.tokens;
    out.push({
      title: '4. Tokens of tools/list (cl100k_base, JSON)',
      headers: ['surface', 'tools', 'tokens', 'vs raw'],
      rows: [
        ['mcplex meta', k.meta.tools, k.meta.tokens, x(k.ratio.metaToRaw, 3)],
        ['mcplex direct (`--surface direct`)', k.direct.tools, k.direct.tokens, x(k.ratio.directToRaw, 3)],
        ['raw backends (sum)', k.raw.tools, k.raw.tokens, x(1, 3)],
        ...Object.entries(k.raw.perServer).map(([name, v]) => [`  raw ${name}`, v.tools, v.tokens, x(ratio(v.tokens, k.raw.tokens), 3)]),
      ],
      notes: [`The meta surface's initialize instructions add ${k.metaInstructionsTokens} tokens.`],
    });
  }
  if (r.tokens?.perClient) {
    const { deferring: d, nonDeferring: n } = r.tokens.perClient;
    out.push({
      title: '4b. Tokens per client kind (cl100k_base, surface auto)',
      headers: ['client', 'surface', 'first request: tools/list + instructions', 'names + instructions (deferred)', 'one tool call end to end'],
      rows: [
        [`deferring (${d.client})`, d.surface, `${d.first.toolsListTokens} + ${d.first.instructionsTokens}`, d.first.deferredTokens, `${d.call.total} (schema ${d.call.schemaTokens} + call ${d.call.callTokens})`],
        [
          `non-deferring (${n.client})`,
          n.surface,
          `${n.first.toolsListTokens} + ${n.first.instructionsTokens}`,
          '—',
          `${n.call.total} (search ${n.call.searchTokens} + describe ${n.call.describeTokens} + call ${n.call.callTokens}); ${n.call.totalWithoutDescribe} without describe`,
        ],
      ],
      notes: [
        'One call = echo on server-everything. Deferring: the client loads tool names and instructions up front and fetches the one schema through its own tool search. Non-deferring: search_tools (5 hits, each with its required args) → describe_tool → call_tool; the signature in each hit often makes describe_tool unnecessary.',
        `search_tools put the target at rank ${n.call.searchRank} for "repeat back a message".`,
      ],
    });
  }
  if (r.search && !r.search.error) {
    const e = r.search;
    const row = (name, f) => [name, f.queries, f.recallAt1.toFixed(3), f.recallAt3.toFixed(3), f.mrr.toFixed(3)];
    out.push({
      title: `7. search_tools quality (npm run eval: ${e.queries} queries, ${e.corpus.tools} tools of ${e.corpus.servers} real servers)`,
      headers: ['queries', 'n', 'recall@1', 'recall@3', 'MRR'],
      rows: [
        row('all', e),
        row('sharing no word with the tool name', e.noSharedWord),
        row('tuning half (its misses guided the tuning)', e.tuningHalf),
        row('held-out half (never looked at while tuning)', e.heldOutHalf),
        ...(e.holdouts ?? []).map((h) => row(h.label, h)),
        ...(e.newServers ? [row('servers never tuned on (queries-extra.json)', e.newServers), row('  their held-out half', e.newServersHeldOut)] : []),
        ...(e.moreServers
          ? [row(`${e.moreServers.servers} more servers with phrasings, queries written blind (queries-more.json)`, e.moreServers), row('  the same, ranked among the corpus too', e.moreServers.amongCorpus)]
          : []),
        ...(e.olderVersions ? [row(`the holdouts with ${e.olderVersions.servers} servers at older versions (corpus-old.json)`, e.olderVersions)] : []),
        ...Object.entries(e.byKind).map(([k, f]) => row(`kind: ${k}`, f)),
        ...Object.entries(e.without ?? {}).map(([k, f]) => row(`without ${k}`, f)),
      ],
      notes: [`${e.msPerQuery} ms per query. Worst misses: ${e.worstMisses.slice(0, 5).map((m) => `"${m.query}" → ${m.want} (rank ${m.rank || '>10'})`).join('; ')}.`],
    });
  }
  if (r.daemon) {
    const d = r.daemon;
    out.push({
      title: '5. Daemon footprint',
      headers: ['state', 'daemon RSS MB', 'daemon PSS MB'],
      rows: [
        ['idle', f(d.idle.rssMB), f(d.idle.pssMB)],
        [`${d.sessions} shim sessions`, f(d.withSessions.rssMB), f(d.withSessions.pssMB)],
        [`after ${d.calls} calls (${d.callSessions} sessions, ${d.callSeconds} s)`, f(d.afterCalls.rssMB), f(d.afterCalls.pssMB)],
        [`after another ${d.calls} calls`, f(d.afterSecondBatch.rssMB), f(d.afterSecondBatch.pssMB)],
      ],
      notes: [`≈ ${d.perSessionKB} kB RSS per session; growth ${f(d.growthAfterCallsMB)} MB over the first ${d.calls} calls, ${f(d.growthInSecondBatchMB)} MB over the next ${d.calls}.`],
    });
  }
  if (r.peers) {
    const p = r.peers;
    out.push({
      title: `6. Peers at ${p.sessions} sessions fronting server-everything (${p.calls} sequential echo calls, SDK client)`,
      headers: ['gateway', 'sharing', 'procs', 'RSS MB', 'PSS MB', 'PSS / mcplex', 'echo p50 ms', 'echo p99 ms', 'p50 / direct'],
      notes: Object.entries(p.rows).filter(([, row]) => row.skipped).map(([name, row]) => `${name} skipped: ${row.skipped}`),
      rows: Object.entries(p.rows).map(([name, row]) =>
        row.skipped
          ? [name, row.shares, 'skipped', '', '', '', '', '', '']
          : [name, row.shares, row.memory.processes, f(row.memory.rssMB, 0), f(row.memory.pssMB, 0), x(row.pssRatioToMcplexShim), f(row.latency.p50, 3), f(row.latency.p99, 3), x(row.latencyRatioToDirect)],
      ),
    });
  }
  return out;
}

function pad(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...String(r[i] ?? '')].length)));
  return rows.map((r) => r.map((c, i) => String(c ?? '') + ' '.repeat(widths[i] - [...String(c ?? '')].length)));
}

/** Console text. */
export function toText(r) {
  const lines = [`mcplex bench — ${r.date} — ${machineLine(r.machine)}${r.quick ? ' — QUICK' : ''}`];
  for (const t of tables(r)) {
    lines.push('', t.title);
    const p = pad([t.headers, ...t.rows]);
    lines.push('  ' + p[0].join('  '), '  ' + p[0].map((c) => '-'.repeat([...c].length)).join('  '));
    for (const row of p.slice(1)) lines.push('  ' + row.join('  '));
    for (const n of t.notes ?? []) lines.push(`  · ${n}`);
  }
  if (r.cleanup) lines.push('', `cleanup: ${r.cleanup.leftoverProcesses.length} processes left, ${r.cleanup.leftoverDirs.length} temp dirs left`);
  return lines.join('\n');
}

export function machineLine(m) {
  return `${m.cpus} × ${m.model}, ${m.totalMemGB} GB, Node ${m.node}, ${m.os}`;
}

/** bench/results.md: the same tables in markdown, ratios first. */
export function toMarkdown(r) {
  const esc = (c) => String(c ?? '').replace(/\|/g, '\\|');
  const lines = [
    '# mcplex benchmark',
    '',
    `Run ${r.date} on ${machineLine(r.machine)} (load average at start ${r.machine.loadavg}); mcplex ${r.mcplex?.version} at ${r.mcplex?.commit ?? '?'}${r.mcplex?.srcModified ? ' (src modified)' : ''}; ${r.durationSec} s${r.quick ? ', BENCH_QUICK' : ''}.`,
    'Every figure is compared with a baseline measured in the same run. Rerun with `npm run bench` (writes `bench/results.json` and this file).',
  ];
  for (const t of tables(r)) {
    lines.push('', `## ${t.title}`, '', `| ${t.headers.map(esc).join(' | ')} |`, `|${t.headers.map(() => '---').join('|')}|`);
    for (const row of t.rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
    if (t.notes?.length) lines.push('', ...t.notes.map((n) => `- ${n}`));
  }
  if (r.cleanup) lines.push('', `Cleanup after the run: ${r.cleanup.leftoverProcesses.length} processes left, ${r.cleanup.leftoverDirs.length} temp dirs left.`);
  return lines.join('\n') + '\n';
}
