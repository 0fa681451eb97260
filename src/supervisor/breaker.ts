// A circuit breaker per instance (opossum): repeated process-level failures open it; calls then fail fast until a cool-down.
import CircuitBreaker from 'opossum';
import type { RestartPolicy } from '../config/types.js';
import { McplexError } from '../protocol/errors.js';
import { formatTail } from './ring.js';

/** Errors that say the backend process itself is unwell (tool errors and timeouts of one call do not count). */
const PROCESS_FAILURES = new Set(['START_FAILED', 'START_TIMEOUT', 'BACKEND_CLOSED']);

/** True if the error says the backend process failed (a start failure, a crash). */
export function isProcessFailure(err: unknown): err is McplexError {
  return err instanceof McplexError && PROCESS_FAILURES.has(err.code);
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'failed';

/** Wraps every backend operation of one instance; exhausting the restart budget leaves it `failed` until reset. */
export class InstanceBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private consecutive = 0;
  private retryAt = 0;
  private lastFailure = '';
  private exhausted = false;
  /** The last failed backend run already counted: every call it took down reports it, but it is one failure. */
  private countedIncident?: number;
  /** opossum keeps (and reads) this very object, so changing resetTimeout here sets the next cool-down. */
  private readonly options: CircuitBreaker.Options;

  constructor(private readonly policy: RestartPolicy, private readonly describe: () => { name: string; stderr: string[] }) {
    this.options = {
      timeout: false,
      volumeThreshold: 3,
      errorThresholdPercentage: 50,
      rollingCountTimeout: 60_000,
      resetTimeout: policy.minDelay,
      errorFilter: (err: unknown) => !this.isNewFailure(err),
    };
    this.breaker = new CircuitBreaker((op: () => Promise<unknown>) => op(), this.options);
    this.breaker.on('open', () => {
      this.retryAt = Date.now() + (this.options.resetTimeout ?? 0);
    });
  }

  get state(): BreakerState {
    if (this.exhausted) return 'failed';
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** A process failure not counted yet (the first report of a crash or failed start). */
  private isNewFailure(err: unknown): boolean {
    return isProcessFailure(err) && (err.details.incident === undefined || err.details.incident !== this.countedIncident);
  }

  /** Exponential cool-down (with jitter) from minDelay to maxDelay as failures repeat. */
  private coolDown(): number {
    const base = Math.min(this.policy.maxDelay, this.policy.minDelay * 2 ** Math.max(0, this.consecutive - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Runs an operation through the breaker; fails fast when it is open or the budget is spent. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.exhausted) throw this.openError('failed');
    try {
      const result = (await this.breaker.fire(op)) as T;
      this.consecutive = 0;
      return result;
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER') throw this.openError('open');
      if (this.isNewFailure(err)) {
        this.countedIncident = (err as McplexError).details.incident;
        this.consecutive++;
        this.lastFailure = (err as Error).message.split('\n')[0] ?? '';
        this.options.resetTimeout = this.coolDown();
        if (this.consecutive > this.policy.retries) this.exhausted = true;
      }
      throw err;
    }
  }

  private openError(kind: 'open' | 'failed'): McplexError {
    const { name, stderr } = this.describe();
    const when =
      kind === 'failed'
        ? `it failed ${this.consecutive} times in a row, past its restart budget (restart.retries: ${this.policy.retries}); fix its config or run \`mcplex restart ${name}\``
        : `it will be retried in ${Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000))}s (at ${new Date(this.retryAt).toISOString()})`;
    return new McplexError('CIRCUIT_OPEN', `server "${name}" is unavailable: ${this.lastFailure || 'repeated failures'}; ${when}${formatTail(stderr)}`, { stderr });
  }

  /** Closes the breaker and restores the budget (`mcplex restart SERVER`). */
  reset(): void {
    this.exhausted = false;
    this.consecutive = 0;
    this.breaker.close();
  }

  /** Stops the breaker's timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }
}
