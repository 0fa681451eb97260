// Watches files (config.yaml, .env files, workspace .mcplex.yaml) with chokidar and reports changes, debounced.
import fs from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** How long a burst of file events settles before one change is reported. */
export const DEBOUNCE_MS = 150;

/** How often a file that does not exist yet is checked for. */
export const MISSING_POLL_MS = 500;

/**
 * Watches the given files and calls onChange with each changed file once its events settle. Files that exist
 * are watched natively (chokidar handles editors that save by rename). A file that does not exist yet is polled:
 * watching for it natively means watching its directory, and a busy directory (MCPLEX_HOME with audit.jsonl on
 * every call, a project root during a build) would cost CPU on every write there.
 */
export class FileWatcher {
  private readonly native: FSWatcher;
  private readonly polled: FSWatcher;
  private readonly files = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onChange: (file: string) => void) {
    this.native = watch([], { ignoreInitial: true, atomic: true });
    this.polled = watch([], { ignoreInitial: true, usePolling: true, interval: MISSING_POLL_MS });
    for (const w of [this.native, this.polled]) w.on('all', (_event, changed) => this.fire(path.resolve(changed)));
  }

  /** Starts watching a file (idempotent). */
  add(file: string): void {
    const abs = path.resolve(file);
    if (this.files.has(abs)) return;
    this.files.add(abs);
    (fs.existsSync(abs) ? this.native : this.polled).add(abs);
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
    await Promise.all([this.native.close(), this.polled.close()]);
  }
}
