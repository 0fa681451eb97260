// A 2025-era backend's question (elicitation, sampling, roots) for a modern client travels as `input_required` on the
// client's own call; the call's work waits, parked under a requestState, until the client retries with the answers.
import crypto from 'node:crypto';
import { BackendRpcError, McplexError } from '../protocol/errors.js';
import { RpcCode, type JsonRpcId } from '../protocol/jsonrpc.js';
import { Cancellation, type CancelSignal } from '../protocol/cancel.js';

/** How long a parked call waits for its client's retry. */
const PARK_MS = 10 * 60 * 1000;

/** Parked calls one session may hold; past it the oldest is given up. */
const MAX_PARKED = 16;

/** The prefix of requestState values mcplex mints (a backend's own requestState passes through untouched). */
export const STATE_PREFIX = 'mcplex:';

/** A question the work put to the client, answered when the client retries. */
export interface Question {
  key: string;
  method: string;
  params: unknown;
  resolve(answer: unknown): void;
  reject(err: Error): void;
}

/** Where the work's progress goes: the client request it currently answers (its id and progress token). */
export interface Target {
  id: JsonRpcId;
  progressToken?: unknown;
}

/** What to tell the client next: the work's outcome, or the questions it is waiting on. */
export type Next = { outcome: { result: unknown } | { error: unknown } } | { questions: Question[] };

/** One client call's work, which can pause to ask its client something and go on when answered. */
export class Work {
  readonly controller = new Cancellation();
  private done?: Promise<{ result: unknown } | { error: unknown }>;
  private readonly waiting: Question[] = [];
  private wake?: () => void;
  private asked = 0;

  constructor(public target: Target) {}

  /** Starts the work (after it is registered, so a question asked at once finds it). */
  run(fn: (signal: CancelSignal) => Promise<unknown>): void {
    this.done = fn(this.controller).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
  }

  /** Puts a question to the client; resolves with the client's answer once it retries. */
  ask(method: string, params: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key: `q${++this.asked}`, method, params, resolve, reject });
      this.wake?.();
    });
  }

  /** Waits for the outcome, or for questions (every one waiting, at once). */
  async next(): Promise<Next> {
    for (;;) {
      if (this.waiting.length) return { questions: this.waiting.splice(0) };
      const woke = new Promise<undefined>((resolve) => (this.wake = () => resolve(undefined)));
      const outcome = await Promise.race([this.done!, woke]);
      this.wake = undefined;
      if (outcome) return { outcome };
    }
  }
}

interface Parked {
  work: Work;
  questions: Question[];
  timer: NodeJS.Timeout;
}

/** The input_required result that asks the client the work's questions. */
export function inputRequiredResult(questions: readonly Question[], requestState: string): Record<string, unknown> {
  return {
    resultType: 'input_required',
    inputRequests: Object.fromEntries(questions.map((q) => [q.key, q.params === undefined ? { method: q.method } : { method: q.method, params: q.params }])),
    requestState,
  };
}

/** Calls waiting for their client's retry, by the requestState they were answered with; bounded and expiring. */
export class ParkedCalls {
  private readonly byState = new Map<string, Parked>();

  /** Parks a call that asked its client something; returns the requestState the client echoes on its retry. */
  park(work: Work, questions: Question[]): string {
    const state = `${STATE_PREFIX}${crypto.randomUUID()}`;
    const timer = setTimeout(() => this.giveUp(state, 'the client did not retry in time'), PARK_MS);
    timer.unref();
    this.byState.set(state, { work, questions, timer });
    if (this.byState.size > MAX_PARKED) this.giveUp(this.byState.keys().next().value!, 'too many calls were waiting for their client');
    return state;
  }

  /**
   * Resumes the call a retry names: each question gets the client's answer under its key (a missing one fails that
   * question at the server). Undefined if the state is unknown or expired.
   */
  resume(state: string, responses: unknown): Work | undefined {
    const parked = this.byState.get(state);
    if (!parked) return undefined;
    this.byState.delete(state);
    clearTimeout(parked.timer);
    const answers = typeof responses === 'object' && responses !== null ? (responses as Record<string, unknown>) : {};
    for (const q of parked.questions) {
      if (Object.hasOwn(answers, q.key)) q.resolve(answers[q.key]);
      else q.reject(new BackendRpcError({ code: RpcCode.InvalidParams, message: `the client did not answer ${q.method}` }));
    }
    return parked.work;
  }

  /** Gives up every parked call (the session ended). */
  closeAll(): void {
    for (const state of [...this.byState.keys()]) this.giveUp(state, 'the client session ended');
  }

  private giveUp(state: string, why: string): void {
    const parked = this.byState.get(state);
    if (!parked) return;
    this.byState.delete(state);
    clearTimeout(parked.timer);
    for (const q of parked.questions) q.reject(new McplexError('CANCELLED', `mcplex asked the client ${q.method}, but ${why}`));
    parked.work.controller.abort();
  }
}
