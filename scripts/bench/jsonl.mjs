// A minimal JSON-RPC client over a child's stdio (newline-delimited JSON), so timings carry no SDK overhead.
import { spawn } from 'node:child_process';
import { killQuietly } from './procs.mjs';

export const PROTOCOL_VERSION = '2025-06-18';
const INIT_PARAMS = { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcplex-bench', version: '1.0.0' } };

export class LineClient {
  constructor(child) {
    this.child = child;
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = '';
    this.stderr = '';
    this.exited = new Promise((r) => child.once('exit', r));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => this.onData(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s) => {
      this.stderr = (this.stderr + s).slice(-4000);
    });
    child.stdin.on('error', () => undefined);
    child.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error(`process exited; stderr: ${this.stderr.slice(-500)}`));
      this.pending.clear();
    });
  }

  onData(chunk) {
    this.buffer += chunk;
    let nl;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.method !== undefined) {
        // A request from the server: we declared no capabilities, so refuse it.
        if (msg.id !== undefined) this.write({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'not supported by the bench client' } });
        continue;
      }
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p.resolve(msg.result);
    }
  }

  write(msg) {
    this.child.stdin.write(JSON.stringify(msg) + '\n');
  }

  /** Sends a request; resolves with its result. */
  request(method, params = {}, ms = 60_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${ms} ms; stderr: ${this.stderr.slice(-500)}`));
      }, ms);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params = {}) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  /** The MCP handshake; `clientInfo` stands in for a real client's (mcplex picks its surface by it). */
  async initialize(ms, clientInfo = INIT_PARAMS.clientInfo) {
    const result = await this.request('initialize', { ...INIT_PARAMS, clientInfo }, ms);
    this.notify('notifications/initialized');
    return result;
  }

  callTool(name, args = {}, ms) {
    return this.request('tools/call', { name, arguments: args }, ms);
  }

  /** Every tool, following nextCursor (bounded). */
  async listTools() {
    const tools = [];
    let cursor;
    for (let page = 0; page < 50; page++) {
      const r = await this.request('tools/list', cursor ? { cursor } : {});
      tools.push(...r.tools);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  /** Closes stdin and waits for the exit; SIGKILL after `ms`. */
  async close(ms = 3000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.stdin.end();
    let t;
    await Promise.race([this.exited, new Promise((r) => (t = setTimeout(r, ms)))]);
    clearTimeout(t);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      killQuietly(this.child.pid, 'SIGTERM');
      await Promise.race([this.exited, new Promise((r) => (t = setTimeout(r, 1000)))]);
      clearTimeout(t);
      killQuietly(this.child.pid, 'SIGKILL');
    }
  }
}

/** Spawns a stdio MCP process with raw pipes and wraps it in a LineClient. */
export function spawnLine(command, args, opts = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  return new LineClient(child);
}
