// A request's cancellation: the part of AbortController mcplex uses, without its cost. A Node AbortSignal is an
// EventTarget (microseconds to make and to listen on), and every client request made one on the call's path.

/** How code on a request's path hears of its cancellation; an AbortSignal is one too. */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A cancellation that is its own signal: abort() runs each listener once, in the order added; later ones never run. */
export class Cancellation implements CancelSignal {
  aborted = false;
  private listeners?: Array<() => void>;

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i !== -1) this.listeners!.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}
