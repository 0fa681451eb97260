// Process accounting from /proc: process trees, RSS and PSS (smaps_rollup), and killing by pid.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Every live, non-zombie process: pid, ppid, command line. */
export function procEntries() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), ppid: Number(rest[1]), cmd });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Every live descendant of `pid` (children, grandchildren…). */
export function descendants(pid, all = procEntries()) {
  const out = [];
  const frontier = [pid];
  while (frontier.length) {
    const p = frontier.pop();
    for (const e of all) {
      if (e.ppid === p) {
        out.push(e);
        frontier.push(e.pid);
      }
    }
  }
  return out;
}

/** `pid` itself (if live) plus its descendants. */
export function tree(pid, all = procEntries()) {
  const self = all.find((e) => e.pid === pid);
  return self ? [self, ...descendants(pid, all)] : descendants(pid, all);
}

/** True if the pid is alive and not a zombie. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** RSS and PSS of one process in kB, from /proc/<pid>/smaps_rollup (null if it is gone). */
export function memOf(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKB: kb('Rss'), pssKB: kb('Pss') };
  } catch {
    return null;
  }
}

/** Totals over a set of processes (deduplicated by pid): count, RSS MB, PSS MB, and the same per kind. */
export function measure(entries, classify = kindOf) {
  const seen = new Map();
  for (const e of entries) seen.set(e.pid, e);
  let rss = 0;
  let pss = 0;
  let count = 0;
  const kinds = {};
  for (const e of seen.values()) {
    const m = memOf(e.pid);
    if (!m) continue;
    count++;
    rss += m.rssKB;
    pss += m.pssKB;
    const k = (kinds[classify(e)] ??= { processes: 0, rssMB: 0, pssMB: 0 });
    k.processes++;
    k.rssMB += m.rssKB / 1024;
    k.pssMB += m.pssKB / 1024;
  }
  return { processes: count, rssMB: rss / 1024, pssMB: pss / 1024, kinds };
}

/** What a process is, from its command line. */
export function kindOf(e) {
  if (/^(\/bin\/)?sh -c/.test(e.cmd)) return 'sh';
  if (e.cmd.includes('mcplex.js serve')) return 'daemon';
  if (e.cmd.includes('mcplex.js shim')) return 'shim';
  if (e.cmd.includes('mcplex-shim')) return 'nativeShim';
  if (e.cmd.includes('mcp-proxy.mjs')) return 'mcp-proxy';
  if (e.cmd.includes('supergateway/dist')) return 'supergateway';
  if (e.cmd.includes('server-everything')) return 'everything';
  if (e.cmd.includes('server-memory')) return 'memory';
  if (e.cmd.includes('server-filesystem')) return 'filesystem';
  return 'other';
}

/** Sends a signal to a pid, ignoring one that is already gone. */
export function killQuietly(pid, signal = 'SIGKILL') {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** Live processes whose environment names this MCPLEX_HOME (its daemon and shims). */
export function processesOfHome(home, all = procEntries()) {
  const needle = `MCPLEX_HOME=${home}\0`;
  return all.filter((e) => {
    try {
      return fs.readFileSync(`/proc/${e.pid}/environ`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}

/** Waits (bounded) for every descendant of this process to exit, then SIGKILLs what is left; returns how many were killed. */
export async function reapDescendants(ms = 5000, filter = () => true) {
  const deadline = Date.now() + ms;
  let left = descendants(process.pid).filter(filter);
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = descendants(process.pid).filter(filter);
  }
  for (const e of left) killQuietly(e.pid);
  return left.length;
}

/** A measurement rounded for the report. */
export function rounded(m) {
  const r = (v) => Math.round(v * 10) / 10;
  const kinds = {};
  for (const [k, v] of Object.entries(m.kinds)) kinds[k] = { processes: v.processes, rssMB: r(v.rssMB), pssMB: r(v.pssMB) };
  return { processes: m.processes, rssMB: r(m.rssMB), pssMB: r(m.pssMB), kinds };
}

let clockTicks;
/** CPU time (user + system) a process has used so far, ms; 0 if it is gone. */
export function cpuMs(pid) {
  clockTicks ??= (() => {
    try {
      return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      return 100;
    }
  })();
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the command: state(0) ppid(1) … utime(11) stime(12)
    return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks;
  } catch {
    return 0;
  }
}

/** CPU ms used per kind of process between two snapshots ({pid → {kind, ms}}). */
export function cpuSnapshot(entries) {
  const snap = new Map();
  for (const e of entries) snap.set(e.pid, { kind: kindOf(e), ms: cpuMs(e.pid) });
  return snap;
}

export function cpuDelta(before, after) {
  const out = {};
  for (const [pid, a] of after) {
    const b = before.get(pid);
    if (!b) continue;
    out[a.kind] = (out[a.kind] ?? 0) + (a.ms - b.ms);
  }
  return out;
}
