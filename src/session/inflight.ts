// A session's requests in flight, by id: how to cancel each and, for a modern call, its work and the log level it asked for.
import { idKey, type JsonRpcId } from '../protocol/jsonrpc.js';
import type { Cancellation } from '../protocol/cancel.js';
import type { Work } from './input-required.js';
import { mostVerbose, type LogLevel } from './log-levels.js';

/** A request in flight: how to cancel it and, for a modern call, its work and the log level it asked for. */
export interface InFlight {
  controller: Cancellation;
  id: JsonRpcId;
  method: string;
  work?: Work;
  logLevel?: LogLevel;
}

/** The requests one session has in flight, in the order they came. */
export class InFlightRequests {
  private readonly byId = new Map<string, InFlight>();

  /** Why a new request cannot have this id (a request still in flight has it), or undefined. */
  clash(id: JsonRpcId): string | undefined {
    if (!this.byId.has(idKey(id))) return undefined;
    return `Invalid Request: id ${String(id)} belongs to a request of this session that is still in flight; use a new id for each request`;
  }

  add(request: InFlight): void {
    this.byId.set(idKey(request.id), request);
  }

  get(id: JsonRpcId): InFlight | undefined {
    return this.byId.get(idKey(id));
  }

  delete(id: JsonRpcId): void {
    this.byId.delete(idKey(id));
  }

  /** Every request in flight, oldest first. */
  all(): InFlight[] {
    return [...this.byId.values()];
  }

  /** Cancels one request (the client's notifications/cancelled). */
  cancel(id: JsonRpcId): void {
    this.get(id)?.controller.abort();
  }

  /** Cancels every request and forgets them (the session ended). */
  cancelAll(): void {
    for (const f of this.all()) f.controller.abort();
    this.byId.clear();
  }

  /** The modern call in flight that asked for log messages at the most verbose level, if any (the oldest such). */
  loggingCall(): InFlight | undefined {
    const level = mostVerbose(this.all().flatMap((f) => f.logLevel ?? []));
    return level && this.all().find((f) => f.logLevel === level);
  }
}
