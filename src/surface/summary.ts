// One line about a server: what list_servers, search_tools and the initialize instructions say it is for.
import type { Catalog } from '../catalog/catalog.js';
import { toolAllowed } from './filter.js';
import { oneLine } from './text.js';

/** What a server says about itself (from its manifest). */
export interface ServerSelf {
  instructions?: string;
  serverInfo?: { name?: string; title?: string; version?: string };
}

/**
 * The configured description, else the first line of the server's own instructions that is not a markdown
 * heading, else its title; at most `max` characters.
 */
export function serverSummary(description: string | undefined, self: ServerSelf | undefined, max = 160): string {
  if (description) return oneLine(description, max);
  const prose = self?.instructions?.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
  return oneLine(prose, max) || oneLine(self?.serverInfo?.title, max);
}

/** What a session's instructions say about one server. */
export interface ServerNote {
  name: string;
  /** One line on what it is for (may be empty). */
  summary: string;
  /** Its allowed tool names, or undefined while its tools are not known yet (never started, nothing cached). */
  tools?: string[];
}

/** A note on every server the session sees, from config and cached manifests (nothing is started). */
export function serverNotes(catalog: Catalog): ServerNote[] {
  return catalog.servers().map((view) => {
    const m = catalog.cachedManifest(view);
    const tools = m?.tools.filter((t) => toolAllowed(view.config.tools, t.name)).map((t) => t.name).sort();
    return { name: view.name, summary: serverSummary(view.config.description, m), ...(tools ? { tools } : {}) };
  });
}
