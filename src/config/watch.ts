// Watches files (config.yaml, .env files, workspace .mcplex.yaml) with chokidar and reports changes, debounced.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** How long a burst of file events settles before one change is reported. */
export const DEBOUNCE_MS = 150;

/**
 * Watches the given files themselves (chokidar handles editors that save by rename, and files that do
 * not exist yet) and calls onChange with each changed file once its events settle.
 */
export class FileWatcher {
  private readonly watcher: FSWatcher;
  private readonly files = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onChange: (file: string) => void) {
    // Files, not their directories: a busy neighbour (audit.jsonl, a build's output) must cost nothing.
    this.watcher = watch([], { ignoreInitial: true, atomic: true });
    this.watcher.on('all', (_event, changed) => this.fire(path.resolve(changed)));
  }

  /** Starts watching a file (idempotent). */
  add(file: string): void {
    const abs = path.resolve(file);
    if (this.files.has(abs)) return;
    this.files.add(abs);
    this.watcher.add(abs);
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
