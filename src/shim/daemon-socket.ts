// The /ws handshake shared by the shim and the CLI: connect with the daemon token, say hello, wait for welcome.
import WebSocket from 'ws';
import type { DaemonInfo } from '../home/state-file.js';
import type { ShimHello } from '../protocol/shim-hello.js';

/** The hello of this process: its pid, cwd and whole environment (held by the daemon in memory only). */
export function helloFromThisProcess(version: string, opts: { workspace?: string; surface?: ShimHello['surface'] }): ShimHello {
  return {
    mcplex: 'hello',
    version,
    pid: process.pid,
    cwd: process.cwd(),
    env: { ...process.env },
    ...(opts.workspace ? { workspace: opts.workspace } : {}),
    ...(opts.surface ? { surface: opts.surface } : {}),
  };
}

export interface SocketHandlers {
  /** Every frame after the welcome (registered before it, so none is missed). */
  message(text: string): void;
  /** The connection ended after the welcome. */
  close(code: number): void;
  /** A socket error after the welcome. */
  error?(err: Error): void;
}

/** Resolves with the socket once the daemon has welcomed this session; rejects if the handshake fails. */
export function openDaemonSocket(info: DaemonInfo, hello: ShimHello, on: SocketHandlers): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${info.port}/ws`, { headers: { authorization: `Bearer ${info.token}` }, perMessageDeflate: false });
    let welcomed = false;
    ws.on('open', () => ws.send(JSON.stringify(hello)));
    ws.on('message', (data) => {
      if (welcomed) return on.message(data.toString());
      welcomed = true;
      resolve(ws);
    });
    ws.on('error', (err) => (welcomed ? on.error?.(err) : reject(err)));
    ws.on('close', (code) => (welcomed ? on.close(code) : reject(new Error('the daemon closed the connection during the handshake'))));
  });
}
