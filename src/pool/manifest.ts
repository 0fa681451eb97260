// What a backend offers (tools, prompts, resources), and the on-disk cache that lets listing work without spawning.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BackendEra } from './era.js';

export interface ToolDef {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface NamedItem {
  name: string;
  description?: string;
  [key: string]: unknown;
}

export interface ResourceDef {
  uri: string;
  name?: string;
  [key: string]: unknown;
}

export interface Manifest {
  server: string;
  configHash: string;
  serverInfo?: { name?: string; version?: string };
  capabilities: Record<string, unknown>;
  instructions?: string;
  tools: ToolDef[];
  prompts: NamedItem[];
  resources: ResourceDef[];
  resourceTemplates: NamedItem[];
  savedAt: string;
  /** The protocol era the backend spoke (older caches lack it: the next start probes). */
  era?: BackendEra;
  /** Until when (ISO time) a modern backend's discover result (capabilities, serverInfo, instructions) may be reused. */
  freshUntil?: string;
}

/** Manifests under MCPLEX_HOME/cache, one file per server and resolved-config hash (the hash holds no secret). */
export class ManifestCache {
  private readonly memory = new Map<string, Manifest>();

  constructor(private readonly dir: string) {}

  private file(server: string, configHash: string): string {
    const safe = server.replace(/[^A-Za-z0-9_-]/g, '_');
    return path.join(this.dir, `${safe}-${configHash}.json`);
  }

  /** The cached manifest for this exact resolved config, if any. */
  get(server: string, configHash: string): Manifest | undefined {
    const key = `${server}\0${configHash}`;
    const hit = this.memory.get(key);
    if (hit) return hit;
    try {
      const m = JSON.parse(fs.readFileSync(this.file(server, configHash), 'utf8')) as Manifest;
      if (m.server !== server || m.configHash !== configHash || !Array.isArray(m.tools)) return undefined;
      this.memory.set(key, m);
      return m;
    } catch {
      return undefined;
    }
  }

  /** Stores a manifest (atomically, mode 0600). */
  put(m: Manifest): void {
    this.memory.set(`${m.server}\0${m.configHash}`, m);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(m.server, m.configHash);
    const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(m), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
}
