// `mcplex shim`: stdio MCP endpoint that relays to the shared daemon over mcplex.sock; survives daemon restarts,
// and when no daemon can start, answers every request at once with the reason instead of hanging.
import fs from 'node:fs';
import path from 'node:path';
import { homePaths } from '../home/paths.js';
import { DaemonStartError, liveDaemon, startDaemon } from '../home/starter.js';
import { LineSplitter } from '../protocol/lines.js';
import type { ShimHello } from '../protocol/shim-hello.js';
import { helloFromThisProcess, openDaemonChannel, type DaemonChannel } from './daemon-socket.js';
import { ShimState } from './state.js';

declare const MCPLEX_VERSION: string;

const USAGE = 'usage: mcplex shim [--workspace DIR] [--surface auto|meta|direct|both]';
const SURFACES = ['auto', 'meta', 'direct', 'both'] as const;

/** A failed daemon start is not retried sooner than this (one failure never becomes a launch loop). */
const START_RETRY_MS = 1000;

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
      if (!SURFACES.includes(v as never)) fail(`--surface must be auto, meta, direct or both (got ${v ?? 'nothing'})`);
      out.surface = v as ShimHello['surface'];
    } else if (flag === '--workspace') {
      const v = value();
      if (!v || !isDirectory(v)) fail(`--workspace must be an existing directory (got ${v || 'nothing'})`);
      out.workspace = path.resolve(v);
    }
    else if (flag === '--help' || flag === '-h') {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown option ${a}; ${USAGE}`);
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function fail(message: string): never {
  process.stderr.write(`mcplex shim: ${message}\n`);
  process.exit(2);
}

/** Runs the shim until stdin closes. */
export async function runShim(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const paths = homePaths();
  const stdout = process.stdout;
  const state = new ShimState((line) => {
    // A client that stops reading its stdout stops us reading the daemon, so the backlog builds up there (capped).
    if (!stdout.write(line + '\n')) channel?.socket.pause();
  });
  stdout.on('drain', () => channel?.socket.resume());
  stdout.on('error', () => process.exit(0));
  const hello = helloFromThisProcess(MCPLEX_VERSION, args);
  let channel: DaemonChannel | undefined;
  let stdinOpen = true;
  const queue: string[] = [];
  /** The last failed attempt to reach or start a daemon. */
  let lastFailure: { at: number; message: string } | undefined;
  let lastPrinted = '';

  /** Tells the client (every pending request) and the user (stderr, once per distinct reason) why there is no daemon. */
  const report = (err: Error) => {
    if (err.message !== lastPrinted) process.stderr.write(`mcplex shim: ${err.message}\n`);
    lastPrinted = err.message;
    queue.length = 0;
    state.failPending(err.message);
  };

  let waitingForDrain = false;
  const resumeClient = () => {
    waitingForDrain = false;
    process.stdin.resume();
    flush();
  };

  const flush = () => {
    if (!channel) {
      if (stdinOpen && !connecting) void connect().catch(report);
      return;
    }
    while (queue.length) {
      if (!channel.send(queue.shift()!)) {
        // The daemon is not keeping up: stop reading the client until the socket drains (or closes), then go on.
        if (!waitingForDrain) {
          waitingForDrain = true;
          process.stdin.pause();
          channel.socket.once('drain', resumeClient);
        }
        return;
      }
    }
  };

  const open = async (info: NonNullable<ReturnType<typeof liveDaemon>>): Promise<void> => {
    const ch = await openDaemonChannel(info, hello, {
      message: (text) => state.fromDaemon(text),
      oversize: (bytes, _head, id, request) => state.dropOversizedAnswer(bytes, id, request),
      close: (stopping) => {
        if (channel !== ch) return;
        channel = undefined;
        // Lines not yet written belonged to that connection: their requests get the connection-lost error.
        queue.length = 0;
        state.connectionLost(!stdinOpen);
        if (waitingForDrain) {
          waitingForDrain = false;
          process.stdin.resume();
        }
        // A daemon that died is replaced at once; one that was stopped on purpose only when the client next speaks.
        if (stdinOpen && !stopping) void connect().catch(report);
      },
    });
    channel = ch;
    for (const frame of state.replayFrames()) ch.send(frame);
    lastFailure = undefined;
    lastPrinted = '';
    flush();
  };

  let connecting: Promise<void> | undefined;
  const connect = (): Promise<void> =>
    (connecting ??= (async () => {
      const info = liveDaemon(paths);
      if (info) {
        try {
          return await open(info);
        } catch {
          // listed but not answering (shutting down): start a successor below
        }
      }
      if (lastFailure && Date.now() - lastFailure.at < START_RETRY_MS) throw new Error(lastFailure.message);
      try {
        await open(await startDaemon(paths, info?.pid));
      } catch (err) {
        const message = err instanceof DaemonStartError ? err.message : `cannot reach the mcplex daemon: ${(err as Error).message} (see ${paths.log})`;
        lastFailure = { at: Date.now(), message };
        throw new Error(message);
      }
    })().finally(() => {
      connecting = undefined;
    }));

  const splitter = new LineSplitter({
    line: (text) => {
      queue.push(state.fromClient(text));
      flush();
    },
    oversize: (bytes, _head, id, request) => state.rejectOversize(bytes, id, request),
  });
  process.stdin.on('data', (chunk: Buffer) => splitter.push(chunk));
  process.stdin.on('end', () => {
    stdinOpen = false;
    channel?.close();
    setTimeout(() => process.exit(0), 50).unref();
  });

  await connect().catch(report);
}
