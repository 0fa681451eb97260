// The shim channel as the shim and the CLI open it: connect to mcplex.sock, upgrade with the daemon token, say
// hello, wait for the welcome, then exchange one JSON-RPC message per line.
import net from 'node:net';
import type { DaemonInfo } from '../home/state-file.js';
import type { JsonRpcId } from '../protocol/jsonrpc.js';
import { LineSplitter, MAX_FRAME_BYTES } from '../protocol/lines.js';
import { SHIM_STOPPING_LINE, type ShimHello, type ShimWelcome } from '../protocol/shim-hello.js';

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

export interface ChannelHandlers {
  /** Every line after the welcome (registered before it, so none is missed). */
  message(text: string): void;
  /** The connection ended after the welcome; `stopping` when the daemon said it stops on purpose. */
  close(stopping: boolean): void;
  /** A line from the daemon over the size cap was dropped (with its id, to answer the request it belonged to). */
  oversize?(bytes: number, head: string, id: JsonRpcId | null, request: boolean): void;
}

/** An open shim channel. */
export interface DaemonChannel {
  readonly socket: net.Socket;
  /** Sends one line; false when the socket's buffer is full (wait for 'drain' before sending more). */
  send(line: string): boolean;
  close(): void;
}

/** Resolves once the daemon has welcomed this session; rejects if the connection or the handshake fails. */
export function openDaemonChannel(info: DaemonInfo, hello: ShimHello, on: ChannelHandlers): Promise<DaemonChannel> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(info.socket);
    socket.setNoDelay(true);
    let state: 'upgrading' | 'hello' | 'open' | 'done' = 'upgrading';
    let head = Buffer.alloc(0);
    let stopping = false;
    const fail = (err: Error) => {
      if (state === 'open' || state === 'done') return;
      state = 'done';
      socket.destroy();
      reject(err);
    };
    const channel: DaemonChannel = {
      socket,
      send: (line) => socket.write(line + '\n'),
      close: () => socket.end(),
    };
    const splitter = new LineSplitter(
      {
        line: (text) => {
          if (state === 'open') {
            if (text === SHIM_STOPPING_LINE) stopping = true;
            else on.message(text);
            return;
          }
          let welcome: ShimWelcome | undefined;
          try {
            welcome = JSON.parse(text) as ShimWelcome;
          } catch {
            welcome = undefined;
          }
          if (welcome?.mcplex !== 'welcome') return fail(new Error(welcome?.mcplex === 'refused' ? welcome.message : 'the daemon did not welcome this shim'));
          state = 'open';
          resolve(channel);
        },
        oversize: (bytes, text, id, request) => on.oversize?.(bytes, text, id, request),
      },
      // The daemon's own lines may run a little over one frame (a backend's answer, re-encoded).
      2 * MAX_FRAME_BYTES,
    );
    socket.on('connect', () => {
      socket.write(
        `GET /shim HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: mcplex-lines\r\nAuthorization: Bearer ${info.token}\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (state !== 'upgrading') return splitter.push(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return head.length > 8192 ? fail(new Error('the daemon sent an invalid handshake')) : undefined;
      const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101 /.test(status)) return fail(new Error(`the daemon refused the shim: ${status.replace(/^HTTP\/1\.1 /, '')}`));
      state = 'hello';
      socket.write(JSON.stringify(hello) + '\n');
      const rest = head.subarray(end + 4);
      head = Buffer.alloc(0);
      if (rest.length) splitter.push(rest);
    });
    socket.on('error', (err) => fail(err));
    socket.on('close', () => {
      if (state === 'open') {
        state = 'done';
        on.close(stopping);
      } else fail(new Error('the daemon closed the connection during the handshake'));
    });
  });
}
