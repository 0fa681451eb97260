// Peer gateways from npm (mcp-proxy, supergateway) run on loopback in front of server-everything.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { NODE, binOf, cleanEnv, sleep } from './env.mjs';
import { alive, killQuietly, tree } from './procs.mjs';

/** Peers not yet stopped, for cleanup on an interrupt. */
export const livePeers = new Set();

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** The command line of each peer, fronting `server` ({command, args}) on `port`. */
export const PEERS = {
  'mcp-proxy': {
    shares: 'one shared upstream',
    argv: (port, server) => [binOf('mcp-proxy', 'dist/bin/mcp-proxy.mjs'), '--host', '127.0.0.1', '--port', String(port), '--server', 'stream', '--', server.command, ...server.args],
  },
  supergateway: {
    shares: 'a child per session (stateful Streamable HTTP)',
    // supergateway has no listen-address option: the preload binds it to 127.0.0.1.
    argv: (port, server) => [
      '--import', pathToFileURL(new URL('./loopback.mjs', import.meta.url).pathname).href,
      binOf('supergateway', 'dist/index.js'), '--stdio', [server.command, ...server.args].map((a) => `'${a}'`).join(' '),
      '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--logLevel', 'none',
    ],
  },
};

/** Starts a peer and waits until its port accepts connections; throws with its stderr if it cannot start. */
export async function startPeer(name, server) {
  const port = await freePort();
  const child = spawn(NODE, PEERS[name].argv(port, server), { stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv() });
  let stderr = '';
  child.stdout.resume();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => (stderr = (stderr + s).slice(-2000)));
  const peer = {
    name,
    port,
    child,
    url: `http://127.0.0.1:${port}/mcp`,
    pids: new Set([child.pid]),
    processes() {
      const list = tree(child.pid);
      for (const e of list) this.pids.add(e.pid);
      return list;
    },
    killNow() {
      this.processes();
      for (const pid of this.pids) killQuietly(pid);
      livePeers.delete(this);
    },
    async stop() {
      livePeers.delete(this);
      this.processes();
      killQuietly(child.pid, 'SIGTERM');
      for (let i = 0; i < 30 && [...this.pids].some(alive); i++) await sleep(100);
      for (const pid of this.pids) if (alive(pid)) killQuietly(pid);
    },
  };
  livePeers.add(peer);
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}): ${stderr.trim().slice(-300)}`);
    if (Date.now() > deadline) {
      await peer.stop();
      throw new Error(`${name} did not listen on 127.0.0.1:${port} within 30 s: ${stderr.trim().slice(-300)}`);
    }
    await sleep(100);
  }
  return peer;
}
