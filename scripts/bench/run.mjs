// `npm run bench`: runs every section against baselines measured in the same run, prints the tables, writes bench/results.{json,md}.
// BENCH_QUICK=1: small counts for a smoke run; BENCH_ONLY=memory,perCall,…: only those sections (results.json then holds only them).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, QUICK, ROOT, liveDirs, removeDir } from './env.mjs';
import { liveHomes } from './home.mjs';
import { livePeers } from './peers.mjs';
import { descendants, killQuietly, procEntries, reapDescendants } from './procs.mjs';
import { targets, toMarkdown, toText } from './report.mjs';
import { memorySection } from './s1-memory.mjs';
import { startupSection } from './s2-startup.mjs';
import { callsSection } from './s3-calls.mjs';
import { tokensSection } from './s4-tokens.mjs';
import { daemonSection } from './s5-daemon.mjs';
import { peersSection } from './s6-peers.mjs';
import { searchSection } from './s7-search.mjs';

const SECTIONS = [
  ['memory', '1. processes and memory', memorySection],
  ['newTerminal', '2. new terminal', startupSection],
  ['perCall', '3. per call', callsSection],
  ['tokens', '4. tokens', tokensSection],
  ['search', '7. search quality', searchSection],
  ['daemon', '5. daemon footprint', daemonSection],
  ['peers', '6. peers', peersSection],
];

const log = (s) => process.stderr.write(s + '\n');

function killEverything() {
  for (const h of [...liveHomes]) h.killNow();
  for (const p of [...livePeers]) p.killNow();
  for (const e of descendants(process.pid)) killQuietly(e.pid);
  for (const d of [...liveDirs]) {
    try {
      removeDir(d);
    } catch {
      // best effort on the way out
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`\n${sig}: stopping everything the bench started`);
    killEverything();
    process.exit(130);
  });
}

/** After the run: processes of this run still alive (killed now) and temp dirs left; both should be empty. */
async function cleanupCheck() {
  await new Promise((r) => setTimeout(r, 500));
  const marker = path.join(os.tmpdir(), 'mcplex-bench-');
  const ours = (e) => {
    if (e.cmd.includes(marker)) return true;
    try {
      return fs.readFileSync(`/proc/${e.pid}/environ`, 'utf8').includes(`MCPLEX_HOME=${marker}`);
    } catch {
      return false;
    }
  };
  const left = [...descendants(process.pid), ...procEntries().filter(ours)].filter((e) => e.pid !== process.pid);
  for (const e of left) killQuietly(e.pid);
  for (const d of [...liveDirs]) {
    try {
      removeDir(d);
    } catch {
      // listed below
    }
  }
  const out = { leftoverProcesses: left.map((e) => e.cmd.slice(0, 120)), leftoverDirs: [...liveDirs] };
  if (left.length || liveDirs.size) log(`cleanup: ${left.length} processes were left (now killed), ${liveDirs.size} temp dirs remain`);
  return out;
}

/** What was measured: the package version and the commit of the working tree. */
function subject() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const status = git(['status', '--porcelain', '--', 'src']);
  return { version: pkg.version, commit: git(['rev-parse', '--short', 'HEAD']), srcModified: status === null ? null : status.length > 0 };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model?.trim() ?? 'unknown',
    totalMemGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

async function main() {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const only = process.env.BENCH_ONLY?.split(',');
  const started = Date.now();
  const results = { date: new Date().toISOString(), machine: machine(), mcplex: subject(), quick: QUICK };
  log(`mcplex bench${QUICK ? ' (BENCH_QUICK)' : ''}: ${results.machine.cpus} CPUs, load ${results.machine.loadavg}`);
  for (const [key, title, fn] of SECTIONS) {
    if (only && !only.includes(key)) continue;
    const t0 = Date.now();
    log(`${title}…`);
    try {
      results[key] = await fn({ quick: QUICK, log });
    } catch (err) {
      results[key] = { error: String(err?.stack ?? err).slice(0, 1000) };
      log(`  failed: ${err?.message ?? err}`);
    }
    await reapDescendants(3000);
    log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  results.durationSec = Math.round((Date.now() - started) / 1000);
  results.targets = targets(results);
  killEverything();
  results.cleanup = await cleanupCheck();

  const dir = path.join(ROOT, 'bench');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'results.md'), toMarkdown(results));
  process.stdout.write(toText(results) + '\n');
  log(`\nwrote bench/results.json and bench/results.md in ${results.durationSec} s`);
}

main().catch((err) => {
  log(err?.stack ?? String(err));
  killEverything();
  process.exit(1);
});
