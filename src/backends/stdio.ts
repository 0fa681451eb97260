// A stdio backend: the server runs in its own process group; stdout is bounded NDJSON, stderr is drained into a ring.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { encodeMessage, errorResponse, parseMessage, RpcCode, type JsonRpcId, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import { LineSplitter } from '../protocol/lines.js';
import { MAX_FRAME_BYTES } from '../protocol/limits.js';
import type { MessageTransport } from '../protocol/transport.js';
import { LineRing } from '../supervisor/ring.js';
import { terminateGroup, type LadderTiming, DEFAULT_LADDER } from '../supervisor/terminate.js';

export interface StdioSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

export interface StdioOptions {
  log: Logger;
  redact: (text: string) => string;
  maxFrameBytes?: number;
  ladder?: LadderTiming;
  /** Called with the pid right after spawn (to record the process group for the orphan sweep). */
  onSpawn?: (pid: number) => void;
}

/** How long an exited backend's stdio may take to deliver what it wrote last. */
const STDIO_DRAIN_MS = 250;

/** MessageTransport over a child process's stdio. */
export class StdioTransport implements MessageTransport {
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly stderr = new LineRing(50);
  private child?: ChildProcess;
  private closed = false;
  private corked = false;
  exitDescription = '';
  /** How the process ended (code or signal), once it has. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(private readonly spec: StdioSpec, private readonly opts: StdioOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.spec.command, [...this.spec.args], {
        cwd: this.spec.cwd,
        env: this.spec.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
      });
      this.child = child;
      const { log, redact } = this.opts;
      const cap = this.opts.maxFrameBytes ?? MAX_FRAME_BYTES;
      // An answer that cannot be delivered fails the request it answers at once (rather than after callTimeout); a
      // request from the server that cannot be read is refused to the server.
      const refuse = (id: JsonRpcId | null, request: boolean, message: string, code: string) => {
        if (id === null) return;
        if (request) void this.send(errorResponse(id, RpcCode.InvalidRequest, message, { code })).catch(() => undefined);
        else this.onmessage?.(errorResponse(id, RpcCode.InternalError, message, { code }));
      };
      const stdout = new LineSplitter(
        {
          line: (text) => {
            // No depth limit on what a server sends: an answer too deep to forward fails when it is written.
            const parsed = parseMessage(text, { maxDepth: Infinity });
            if ('message' in parsed) return this.onmessage?.(parsed.message);
            log.warn({ line: redact(text).slice(0, 200), why: parsed.error.message }, 'backend wrote an invalid line to stdout; skipped');
            refuse(parsed.id, parsed.request, `the server sent an invalid message: ${parsed.error.message}`, 'MESSAGE_INVALID');
          },
          oversize: (bytes, _head, id, request) => {
            log.error({ bytes, cap }, 'backend sent an oversized frame; dropped');
            refuse(id, request, `the server's message was ${bytes} bytes, over mcplex's ${cap / 1048576} MiB frame limit; it was dropped`, 'MESSAGE_TOO_LARGE');
          },
        },
        cap,
      );
      const stderr = new LineSplitter({
        line: (text) => {
          const clean = redact(text);
          this.stderr.push(clean);
          log.info({ stderr: clean }, 'backend stderr');
        },
        oversize: () => undefined,
      }, 64 * 1024);
      child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin!.on('error', () => undefined);
      child.once('spawn', () => {
        if (child.pid) this.opts.onSpawn?.(child.pid);
        resolve();
      });
      child.once('error', (err) => {
        this.exitDescription = `could not start ${this.spec.command}: ${err.message}`;
        reject(new Error(this.exitDescription));
        this.finish();
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.exitDescription = signal ? `exited on ${signal}` : `exited with code ${code}`;
        // Let stdout and stderr drain what the process wrote before it died (its last words explain the exit); a
        // grandchild holding the pipes open must not keep the exit from being noticed, hence the bound.
        const drained = setTimeout(() => this.finish(), STDIO_DRAIN_MS);
        child.once('close', () => {
          clearTimeout(drained);
          this.finish();
        });
      });
    });
  }

  /** Rejects with MESSAGE_TOO_LARGE / MESSAGE_INVALID when this one message cannot be written; any other error means the process is gone. */
  send(message: JsonRpcMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed || stdin.destroyed) return Promise.reject(new Error('backend is not running'));
    let line: string;
    try {
      line = encodeMessage(message, this.opts.maxFrameBytes ?? MAX_FRAME_BYTES) + '\n';
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (!this.corked) {
      // Messages sent in one turn of the event loop (many sessions' calls under load) go out in one write.
      this.corked = true;
      stdin.cork();
      setImmediate(() => {
        this.corked = false;
        stdin.uncork();
      });
    }
    return new Promise((resolve, reject) => {
      stdin.write(line, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Runs the termination ladder on the whole process group. */
  async close(): Promise<void> {
    if (this.child) await terminateGroup(this.child, this.opts.ladder ?? DEFAULT_LADDER);
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
