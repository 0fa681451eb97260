// `mcplex shim`: stdio MCP endpoint that relays to the shared daemon over /ws; survives daemon restarts.
import type WebSocket from 'ws';
import { helloFromThisProcess, openDaemonSocket } from './daemon-socket.js';
import { homePaths } from '../home/paths.js';
import type { DaemonInfo } from '../home/state-file.js';
import { LineSplitter } from '../protocol/lines.js';
import { SHIM_CLOSE_DAEMON_STOPPED, type ShimHello } from '../protocol/shim-hello.js';
import { liveDaemon, spawnDaemon, waitForDaemon } from '../home/starter.js';
import { ShimState } from './state.js';

declare const MCPLEX_VERSION: string;

interface ShimArgs {
  surface?: ShimHello['surface'];
  workspace?: string;
}

function parseArgs(argv: string[]): ShimArgs {
  const out: ShimArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--surface') {
      const v = value();
      if (v !== 'auto' && v !== 'meta' && v !== 'direct' && v !== 'both') fail(`--surface must be auto, meta, direct or both (got ${v ?? 'nothing'})`);
      out.surface = v;
    } else if (flag === '--workspace') out.workspace = value();
    else if (flag === '--help' || flag === '-h') {
      process.stderr.write('usage: mcplex shim [--workspace DIR] [--surface auto|meta|direct|both]\n');
      process.exit(0);
    } else fail(`unknown option ${a}; usage: mcplex shim [--workspace DIR] [--surface auto|meta|direct|both]`);
  }
  return out;
}

function fail(message: string): never {
  process.stderr.write(`mcplex shim: ${message}\n`);
  process.exit(2);
}

function writeOut(line: string): void {
  process.stdout.write(line + '\n');
}

/** Runs the shim until stdin closes. */
export async function runShim(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const paths = homePaths();
  const state = new ShimState(writeOut);
  let socket: WebSocket | undefined;
  let ready = false;
  let stdinOpen = true;
  const queue: string[] = [];

  const hello = helloFromThisProcess(MCPLEX_VERSION, args);

  const flush = () => {
    if (!ready) {
      // After a deliberate daemon stop the shim stays idle until its client speaks; then a daemon is started again.
      if (stdinOpen && !connecting) connect().catch((err: Error) => state.failPending(err.message));
      return;
    }
    while (socket && queue.length) socket.send(queue.shift()!);
  };

  const open = async (info: DaemonInfo): Promise<void> => {
    const ws: WebSocket = await openDaemonSocket(info, hello, {
      message: (text) => state.fromDaemon(text),
      close: (code) => {
        if (socket !== ws) return;
        socket = undefined;
        ready = false;
        state.connectionLost();
        // A daemon that died is replaced at once; one that was stopped on purpose only when the client next speaks.
        if (stdinOpen && code !== SHIM_CLOSE_DAEMON_STOPPED) connect().catch((err: Error) => state.failPending(err.message));
      },
    });
    socket = ws;
    for (const frame of state.replayFrames()) ws.send(frame);
    ready = true;
    flush();
  };

  let connecting: Promise<void> | undefined;
  const connect = (): Promise<void> =>
    (connecting ??= (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const info = liveDaemon(paths);
        if (info) {
          try {
            return await open(info);
          } catch {
            // listed but not answering (shutting down): start a successor below
          }
        }
        if (Date.now() > deadline) throw new Error(`cannot reach an mcplex daemon; see ${paths.log}`);
        spawnDaemon(paths);
        await waitForDaemon(paths, info?.pid).catch(() => undefined);
      }
    })().finally(() => {
      connecting = undefined;
    }));

  const splitter = new LineSplitter({
    line: (text) => {
      const frame = state.fromClient(text);
      if (frame === undefined) return;
      queue.push(frame);
      flush();
    },
    oversize: (bytes, head) => state.rejectOversize(bytes, head),
  });
  process.stdin.on('data', (chunk: Buffer) => splitter.push(chunk));
  process.stdin.on('end', () => {
    stdinOpen = false;
    socket?.close(1000);
    setTimeout(() => process.exit(0), 50).unref();
  });
  process.stdout.on('error', () => process.exit(0));

  try {
    await connect();
  } catch (err) {
    state.failPending((err as Error).message);
    process.stderr.write(`mcplex shim: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
