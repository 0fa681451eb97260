// Slow readers cannot grow the daemon: twenty HTTP clients asking for 15 MB answers and never reading them.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Home, ROOT, waitFor } from './helpers/harness.js';
import { rawSession, startDaemon } from './helpers/raw-http.js';

const FEATURE = path.join(ROOT, 'test/fixtures/feature-server.mjs');
const MB = 1024 * 1024;
/** The bounds README states for this load: the daemon's peak RSS, and what it holds once garbage is collected. */
const PEAK_MB = 400;
const HELD_MB = 100;

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

/** A client that POSTs a request and never reads a byte of the answer. */
function nonReader(port: number, sessionId: string, body: string): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
      `Mcp-Session-Id: ${sessionId}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.pause();
  socket.on('error', () => undefined);
  return socket;
}

describe('bounded memory for slow readers', () => {
  let home: Home;
  let base: string;

  beforeAll(async () => {
    home = new Home(`  feature:\n    command: ${process.execPath}\n    args: [${JSON.stringify(FEATURE)}]\n`);
    base = await startDaemon(home);
  });

  afterAll(async () => {
    await home.dispose();
  });

  it('20 HTTP clients that never read 15 MB answers keep the daemon within its bound; it returns near baseline when they leave', async () => {
    const pid = home.daemonInfo()!.pid;
    const port = home.daemonInfo()!.port;
    const sessions = await Promise.all(Array.from({ length: 20 }, () => rawSession(`${base}/mcp`)));
    // Warm up: the backend running, one answer of each size through the daemon, then a quiet moment.
    const warm = await sessions[0]!.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'feature', tool: 'big', arguments: { mb: 15 } } } }));
    expect(warm.texts.at(-1)!.length).toBeGreaterThan(15 * MB);
    await new Promise((r) => setTimeout(r, 3000));
    const baseline = rssMb(pid);

    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    const body = (i: number) => JSON.stringify({ jsonrpc: '2.0', id: `big-${i}`, method: 'tools/call', params: { name: 'call_tool', arguments: { server: 'feature', tool: 'big', arguments: { mb: 15 } } } });
    const sockets = sessions.map((s, i) => nonReader(port, s.id, body(i)));
    try {
      // Every answer has been produced and dealt with (written, or refused for the slow reader).
      await waitFor(async () => {
        const inst = (await home.status()).instances.find((i) => i.server === 'feature');
        return inst?.calls === 21 && inst.inFlight === 0;
      }, 120_000, 'all 20 answers handled');
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      clearInterval(sampler);
    }
    // Without the caps the daemon would hold 20 × 15 MB (≈ 300 MB) of unread answers for as long as the clients stay.
    expect(peak - baseline).toBeLessThan(PEAK_MB);
    const held = await waitFor(() => (rssMb(pid) < baseline + HELD_MB ? rssMb(pid) : 0), 60_000, 'the answers in transit collected');
    expect(sockets.every((s) => !s.destroyed)).toBe(true);

    for (const s of sockets) s.destroy();
    const settled = await waitFor(() => (rssMb(pid) < baseline + 40 ? rssMb(pid) : 0), 60_000, `RSS back near the baseline of ${baseline.toFixed(0)} MB`);
    console.log(`daemon RSS: baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, held ${held.toFixed(0)} MB, after ${settled.toFixed(0)} MB`);
    // The daemon still serves.
    const ping = await sessions[1]!.post('{"jsonrpc":"2.0","id":"after","method":"ping"}');
    expect(ping.texts[0]).toBe('{"jsonrpc":"2.0","id":"after","result":{}}');
  }, 240_000);
});
