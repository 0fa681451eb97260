// The live status page at `/`: one self-contained HTML document that polls /api/status and redraws.

/** Served as text/html; the script only reads /api/status and writes text nodes (no HTML from data). */
export const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mcplex</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222;background:#fafafa}
 h1{font-size:1.3rem;margin:0 0 .2rem} h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
 .meta{color:#555} .err{color:#b00020} .ok{color:#0a7d32} .warn{color:#a15c00}
 table{border-collapse:collapse;width:100%;background:#fff} th,td{padding:.3rem .6rem;border-bottom:1px solid #e3e3e3;text-align:left;white-space:nowrap}
 th{background:#f0f0f0;font-weight:600} td.num{text-align:right;font-variant-numeric:tabular-nums} td.wrap{white-space:normal;max-width:40rem}
 td.pre{white-space:pre-wrap;font:12px/1.3 ui-monospace,monospace;max-width:40rem}
 #banner{padding:.5rem .8rem;background:#fde8e8;border:1px solid #f5b5b5;display:none;margin:.6rem 0}
</style></head>
<body>
<h1>mcplex</h1>
<div class="meta" id="daemon">connecting…</div>
<div id="banner" class="err"></div>
<h2>Servers</h2>
<table><thead><tr><th>server</th><th>scope</th><th>state</th><th>instances</th><th>last error</th><th>last stderr lines</th></tr></thead><tbody id="servers"></tbody></table>
<h2>Instances</h2>
<table><thead><tr><th>server</th><th>state</th><th>pid</th><th>memory</th><th>uptime</th><th>calls</th><th>errors</th><th>restarts</th><th>p50 ms</th><th>p99 ms</th><th>last error</th></tr></thead><tbody id="instances"></tbody></table>
<h2>Sessions</h2>
<table><thead><tr><th>client</th><th>origin</th><th>workspace</th><th>surface</th><th>uptime</th></tr></thead><tbody id="sessions"></tbody></table>
<h2>Recent errors</h2>
<table><thead><tr><th>time</th><th>server</th><th>tool</th><th>outcome</th></tr></thead><tbody id="errors"></tbody></table>
<script>
const mb = (b) => (b == null ? '-' : (b / 1048576).toFixed(1) + ' MB');
const dur = (ms) => { if (!ms) return '-'; const s = Math.round(ms / 1000); return s < 120 ? s + 's' : s < 7200 ? Math.round(s / 60) + 'm' : Math.round(s / 3600) + 'h'; };
const val = (v) => (v == null ? '-' : String(v));
const stateClass = { ready: 'ok', starting: 'warn', failed: 'err', untrusted: 'warn' };
function fill(id, rows, cells, empty) {
  const body = document.getElementById(id);
  body.replaceChildren();
  if (!rows.length) { const tr = body.insertRow(); const td = tr.insertCell(); td.colSpan = 11; td.className = 'meta'; td.textContent = empty; return; }
  for (const r of rows) {
    const tr = body.insertRow();
    for (const [text, cls] of cells(r)) { const td = tr.insertCell(); td.textContent = text; if (cls) td.className = cls; }
  }
}
async function refresh() {
  try {
    const res = await fetch('/api/status', { cache: 'no-store' });
    const s = await res.json();
    const d = s.daemon;
    document.getElementById('daemon').textContent = 'pid ' + d.pid + ' · v' + d.version + ' · up ' + dur(d.uptimeMs) + ' · ' + mb(d.rss) + ' · ' + d.configPath + ' · updated ' + new Date().toLocaleTimeString();
    const banner = document.getElementById('banner');
    banner.style.display = d.configError ? 'block' : 'none';
    banner.textContent = d.configError ? 'Config edit refused (the last good config keeps serving): ' + d.configError : '';
    fill('servers', s.servers || [], (x) => [
      [x.workspace ? x.server + ' (' + x.workspace + ')' : x.server], [x.scope], [x.enabled === false ? 'disabled' : x.state, stateClass[x.state] || ''], [val(x.instances), 'num'],
      [x.lastError ? x.lastError.split('\\n')[0] : '-', 'wrap err'], [(x.stderr || []).join('\\n') || '-', 'pre'],
    ], 'no servers configured: add one with mcplex add, or write a config with mcplex init');
    fill('instances', s.instances, (i) => [
      [i.server], [i.state, stateClass[i.state] || ''], [val(i.pid), 'num'], [mb(i.rss), 'num'], [dur(i.uptimeMs), 'num'],
      [val(i.calls), 'num'], [val(i.errors), i.errors ? 'num err' : 'num'], [val(i.restarts), 'num'], [val(i.p50ms), 'num'], [val(i.p99ms), 'num'], [val(i.lastError), 'wrap err'],
    ], 'no instances yet: servers start on first use');
    fill('sessions', s.sessions, (x) => [[val(x.client)], [x.origin], [x.workspace], [x.surface], [dur(x.uptimeMs)]], 'no sessions');
    fill('errors', s.recentErrors || [], (e) => [[new Date(e.ts).toLocaleTimeString()], [e.server], [e.tool], [e.outcome, 'err']], 'none');
  } catch (err) {
    document.getElementById('daemon').textContent = 'daemon unreachable: ' + err.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body></html>
`;
