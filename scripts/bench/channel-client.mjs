// An in-process client of the daemon's shim channel on mcplex.sock (what a shim does once it runs), to split timings
// into the shim's share and the daemon's.
import { openDaemonChannel } from '../../dist/shim/daemon-socket.js';
import { PROTOCOL_VERSION } from './jsonl.mjs';

export class ChannelClient {
  /** Connects, upgrades with the token, says hello and waits for the welcome. */
  static async connect(home) {
    const info = home.info();
    const c = new ChannelClient();
    const hello = { mcplex: 'hello', version: info.version, pid: process.pid, cwd: home.dir, env: home.env() };
    c.channel = await openDaemonChannel(info, hello, { message: (text) => c.receive(text), close: () => c.fail(new Error('the daemon closed the channel')) });
    return c;
  }

  constructor() {
    this.nextId = 1;
    this.pending = new Map();
  }

  receive(text) {
    const msg = JSON.parse(text);
    if (msg.method !== undefined) return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  }

  fail(err) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  request(method, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async initialize() {
    const r = await this.request('initialize', { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    this.channel.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return r;
  }

  callTool(name, args = {}) {
    return this.request('tools/call', { name, arguments: args });
  }

  async close() {
    this.channel.close();
  }
}
