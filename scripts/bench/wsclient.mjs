// An in-process client of the daemon's /ws (what a shim does once loaded), to split timings into shim and daemon shares.
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from './jsonl.mjs';

export class WsClient {
  /** Connects, sends the shim hello and waits for the welcome. */
  static async connect(home) {
    const info = home.info();
    const ws = new WebSocket(`ws://127.0.0.1:${info.port}/ws`, { headers: { authorization: `Bearer ${info.token}` }, perMessageDeflate: false });
    const c = new WsClient(ws);
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no welcome on /ws in 10 s')), 10_000);
      ws.once('open', () => ws.send(JSON.stringify({ mcplex: 'hello', version: info.version, pid: process.pid, cwd: home.dir, env: home.env() })));
      c.onWelcome = () => {
        clearTimeout(t);
        resolve();
      };
      ws.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.nextId = 1;
    this.pending = new Map();
    this.welcomed = false;
    ws.on('message', (data) => {
      if (!this.welcomed) {
        this.welcomed = true;
        this.onWelcome?.();
        return;
      }
      const msg = JSON.parse(data.toString());
      if (msg.method !== undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  request(method, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async initialize() {
    const r = await this.request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return r;
  }

  callTool(name, args = {}) {
    return this.request('tools/call', { name, arguments: args });
  }

  async close() {
    this.ws.close();
  }
}
