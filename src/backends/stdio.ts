// A stdio backend: the server runs in its own process group; stdout is bounded NDJSON, stderr is drained into a ring.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { idFromHead, parseMessage, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import { LineSplitter, MAX_FRAME_BYTES } from '../protocol/lines.js';
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
      const stdout = new LineSplitter(
        {
          line: (text) => {
            const parsed = parseMessage(text);
            if ('message' in parsed) this.onmessage?.(parsed.message);
            else log.warn({ line: redact(text).slice(0, 200) }, 'backend wrote a non-JSON-RPC line to stdout; skipped');
          },
          oversize: (bytes, head) => {
            const cap = this.opts.maxFrameBytes ?? MAX_FRAME_BYTES;
            log.error({ bytes, cap }, 'backend sent an oversized frame; dropped');
            // Answer the request the frame belonged to, so its caller gets an error now rather than a timeout.
            const id = idFromHead(head);
            if (id !== null) {
              const message = `the server's response was ${bytes} bytes, over mcplex's ${cap}-byte frame limit; it was dropped`;
              this.onmessage?.({ jsonrpc: '2.0', id, error: { code: -32000, message } });
            }
          },
        },
        this.opts.maxFrameBytes ?? MAX_FRAME_BYTES,
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
        // Give stdout a moment to drain what the process wrote before it died.
        setImmediate(() => this.finish());
      });
    });
  }

  send(message: JsonRpcMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed || stdin.destroyed) return Promise.reject(new Error('backend is not running'));
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
      stdin.write(JSON.stringify(message) + '\n', (err) => (err ? reject(err) : resolve()));
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
