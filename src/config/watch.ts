// Watches files (config.yaml, .env files, workspace .mcplex.yaml) with chokidar and reports changes, debounced.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** How long a burst of file events settles before one change is reported. */
export const DEBOUNCE_MS = 150;

/**
 * Watches the directories of the given files (so editors that save by rename, and files that do not
 * exist yet, are handled) and calls onChange with each changed file once its events settle.
 */
export class FileWatcher {
  private readonly watcher: FSWatcher;
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onChange: (file: string) => void) {
    // Everything but the watched files is ignored up front, so busy neighbours (audit.jsonl, logs) cost nothing.
    const ignored = (p: string) => {
      const abs = path.resolve(p);
      return !this.files.has(abs) && !this.dirs.has(abs);
    };
    this.watcher = watch([], { ignoreInitial: true, depth: 0, atomic: true, ignored });
    this.watcher.on('all', (_event, changed) => this.fire(path.resolve(changed)));
  }

  /** Starts watching a file (idempotent). */
  add(file: string): void {
    const abs = path.resolve(file);
    if (this.files.has(abs)) return;
    this.files.add(abs);
    this.dirs.add(path.dirname(abs));
    this.watcher.add(path.dirname(abs));
  }

  private fire(file: string): void {
    if (!this.files.has(file)) return;
    clearTimeout(this.timers.get(file));
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        this.onChange(file);
      }, DEBOUNCE_MS),
    );
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    await this.watcher.close();
  }
}
