import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING, ToolIndex, type ToolEntry } from '../src/surface/search.js';
import { parsePhrasings, phrasingsFor } from '../src/surface/phrasings.js';
import { oneLine, stem, tokenize } from '../src/surface/text.js';
import { expansions, parseVocabulary } from '../src/surface/vocabulary.js';
import { serverSummary } from '../src/surface/summary.js';
import { signature } from '../src/surface/signature.js';
import fs from 'node:fs';
import YAML from 'yaml';

// Names and descriptions as published by the reference servers.
const TOOLS: ToolEntry[] = [
  // filesystem
  {
    server: 'filesystem',
    name: 'read_text_file',
    description:
      'Read the complete contents of a file from the file system as text. Handles various text encodings and provides detailed error messages if the file cannot be read. Use this tool when you need to examine the contents of a single file. Only works within allowed directories.',
  },
  {
    server: 'filesystem',
    name: 'read_multiple_files',
    description:
      "Read the contents of multiple files simultaneously. This is more efficient than reading files one by one when you need to analyze or compare multiple files. Each file's content is returned with its path as a reference. Only works within allowed directories.",
  },
  {
    server: 'filesystem',
    name: 'write_file',
    description:
      'Create a new file or completely overwrite an existing file with new content. Use with caution as it will overwrite existing files without warning. Handles text content with proper encoding. Only works within allowed directories.',
  },
  {
    server: 'filesystem',
    name: 'edit_file',
    description:
      'Make line-based edits to a text file. Each edit replaces exact line sequences with new content. Returns a git-style diff showing the changes made. Only works within allowed directories.',
  },
  {
    server: 'filesystem',
    name: 'list_directory',
    description:
      'Get a detailed listing of all files and directories in a specified path. Results clearly distinguish between files and directories with [FILE] and [DIR] prefixes. Only works within allowed directories.',
  },
  {
    server: 'filesystem',
    name: 'directory_tree',
    description:
      "Get a recursive tree view of files and directories as a JSON structure. Each entry includes 'name', 'type' (file/directory), and 'children' for directories. Only works within allowed directories.",
  },
  {
    server: 'filesystem',
    name: 'search_files',
    description:
      "Recursively search for files and directories matching a pattern. Use pattern like '*.ext' to match files in current directory. Great for finding files when you don't know their exact location.",
  },
  {
    server: 'filesystem',
    name: 'get_file_info',
    description:
      'Retrieve detailed metadata about a file or directory. Returns comprehensive information including size, creation time, last modified time, permissions, and type. Only works within allowed directories.',
  },
  {
    server: 'filesystem',
    name: 'create_directory',
    description:
      'Create a new directory or ensure a directory exists. Can create multiple nested directories in one operation. Only works within allowed directories.',
  },
  {
    server: 'filesystem',
    name: 'move_file',
    description:
      'Move or rename files and directories. Can move files between directories and rename them in a single operation. Both source and destination must be within allowed directories.',
  },
  // memory
  { server: 'memory', name: 'create_entities', description: 'Create multiple new entities in the knowledge graph' },
  {
    server: 'memory',
    name: 'create_relations',
    description:
      'Create multiple new relations between entities in the knowledge graph. Relations should be in active voice',
  },
  { server: 'memory', name: 'add_observations', description: 'Add new observations to existing entities in the knowledge graph' },
  { server: 'memory', name: 'read_graph', description: 'Read the entire knowledge graph' },
  { server: 'memory', name: 'search_nodes', description: 'Search for nodes in the knowledge graph based on a query' },
  { server: 'memory', name: 'open_nodes', description: 'Open specific nodes in the knowledge graph by their names' },
  {
    server: 'memory',
    name: 'delete_entities',
    description: 'Delete multiple entities and their associated relations from the knowledge graph',
  },
  // everything
  { server: 'everything', name: 'echo', title: 'Echo Tool', description: 'Echoes back the input string' },
  { server: 'everything', name: 'get-sum', title: 'Get Sum Tool', description: 'Returns the sum of two numbers' },
  {
    server: 'everything',
    name: 'get-env',
    title: 'Print Environment Tool',
    description: 'Returns all environment variables, helpful for debugging MCP server configuration',
  },
  {
    server: 'everything',
    name: 'trigger-long-running-operation',
    title: 'Trigger Long Running Operation Tool',
    description: 'Demonstrates a long running operation with progress updates.',
  },
  { server: 'everything', name: 'get-tiny-image', title: 'Get Tiny Image Tool', description: 'Returns a tiny MCP logo image.' },
];

const key = (h: { server: string; tool: string }): string => `${h.server}/${h.tool}`;
const rank = (hits: { server: string; tool: string }[], k: string): number => {
  const i = hits.map(key).indexOf(k);
  return i < 0 ? Number.POSITIVE_INFINITY : i;
};

describe('tokenize', () => {
  it('splits snake, kebab, dotted, slashed and camelCase names, lowercased', () => {
    expect(tokenize('getFileInfo')).toEqual(['get', 'file', 'info']);
    expect(tokenize('read_text_file')).toEqual(['read', 'text', 'file']);
    expect(tokenize('trigger-long-running-operation')).toEqual(['trigger', 'long', 'running', 'operation']);
    expect(tokenize('fs.read/File')).toEqual(['fs', 'read', 'file']);
    expect(tokenize('readHTMLPage')).toEqual(['read', 'html', 'page']);
  });
});

describe('stem and vocabulary', () => {
  it('irregular plurals meet their singular', () => {
    for (const [plural, singular] of [['indices', 'index'], ['children', 'child'], ['people', 'person'], ['matrices', 'matrix']]) {
      expect(stem(plural!)).toBe(stem(singular!));
    }
  });

  it('knows a word in a form it does not list (errors, folders, labelled), as the listed form', () => {
    const words = (w: string) => expansions(w).map((e) => e.words.join(' '));
    expect(words('errors')).toEqual(words('error'));
    expect(words('errors')).toContain('issue');
    expect(words('folders')).toContain('directory');
    expect(words('labelled').length).toBeGreaterThan(0);
    // A form the vocabulary lists keeps its own entries (`links` are URLs; `link` also relates things).
    expect(words('links')).not.toEqual(words('link'));
  });
});

describe('oneLine', () => {
  it('keeps the first sentence of the first non-empty line', () => {
    expect(oneLine('Read the entire knowledge graph')).toBe('Read the entire knowledge graph');
    expect(oneLine('\n\n  Echoes back.  Second sentence.\nmore')).toBe('Echoes back.');
    expect(oneLine('Line one without period\nLine two.')).toBe('Line one without period');
    expect(oneLine('Fetch things, e.g. pages. Then more.')).toBe('Fetch things, e.g. pages.');
    expect(oneLine(undefined)).toBe('');
    expect(oneLine('   ')).toBe('');
    // A label or heading line says nothing itself; a list marker is not part of the sentence.
    expect(oneLine('\n    🎯 Purpose:\n      1. Retrieves a list of objects. More.')).toBe('Retrieves a list of objects.');
    expect(oneLine('## Usage\n- Lists the tags.')).toBe('Lists the tags.');
    expect(oneLine('Returns:')).toBe('Returns:');
  });

  it('truncates to max characters', () => {
    const long = 'word '.repeat(100);
    const out = oneLine(long);
    expect(out.length).toBeLessThanOrEqual(160);
    expect(out.endsWith('…')).toBe(true);
    expect(oneLine('abcdefghij', 5)).toHaveLength(5);
  });
});

describe('ToolIndex', () => {
  const index = new ToolIndex(TOOLS);

  it('"read file" ranks read_text_file and read_multiple_files above write_file', () => {
    const hits = index.search('read file');
    expect(hits.length).toBeGreaterThan(0);
    const top2 = hits.slice(0, 2).map(key).sort();
    expect(top2).toEqual(['filesystem/read_multiple_files', 'filesystem/read_text_file']);
    expect(rank(hits, 'filesystem/read_text_file')).toBeLessThan(rank(hits, 'filesystem/write_file'));
    expect(rank(hits, 'filesystem/read_multiple_files')).toBeLessThan(rank(hits, 'filesystem/write_file'));
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
  });

  it('hits carry a one-line description', () => {
    const [first] = index.search('read_text_file');
    expect(first).toMatchObject({ server: 'filesystem', tool: 'read_text_file' });
    expect(first!.description).toBe('Read the complete contents of a file from the file system as text.');
    expect(first!.score).toBeGreaterThan(0);
  });

  it('"knowledge graph entities" finds memory tools first', () => {
    const hits = index.search('knowledge graph entities');
    expect(hits.length).toBeGreaterThanOrEqual(3);
    for (const h of hits.slice(0, 5)) expect(h.server).toBe('memory');
    const top3 = hits.slice(0, 3).map((h) => h.tool);
    expect(top3).toContain('create_entities');
  });

  it('"add two numbers" finds get-sum', () => {
    const hits = index.search('add two numbers');
    expect(hits[0]).toMatchObject({ server: 'everything', tool: 'get-sum', description: 'Returns the sum of two numbers' });
  });

  it('matches camelCase queries against snake_case names, and word forms against each other', () => {
    expect(key(index.search('getFileInfo')[0]!)).toBe('filesystem/get_file_info');
    expect(key(index.search('directories')[0]!)).toMatch(/^filesystem\/(list_directory|directory_tree|create_directory)$/);
  });

  it('tolerates small typos in longer terms', () => {
    expect(index.search('enviroment').map(key)).toContain('everything/get-env');
    expect(index.search('obsrvations')[0]).toMatchObject({ tool: 'add_observations' });
  });

  it('filters by server', () => {
    const hits = index.search('read file', { server: 'memory' });
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) expect(h.server).toBe('memory');
    expect(hits[0]!.tool).toBe('read_graph');
    expect(index.search('read file', { server: 'nope' })).toEqual([]);
  });

  it('respects limit (default 10)', () => {
    expect(index.search('files directories').length).toBe(10);
    expect(index.search('file', { limit: 3 })).toHaveLength(3);
    expect(index.search('file', { limit: 0 })).toEqual([]);
    expect(index.search('xyzzyplugh')).toEqual([]);
  });

  it('empty query returns entries in (server, name) order', () => {
    const hits = index.search('', { limit: 4 });
    expect(hits.map(key)).toEqual([
      'everything/echo',
      'everything/get-env',
      'everything/get-sum',
      'everything/get-tiny-image',
    ]);
    expect(hits.every((h) => h.score === 0)).toBe(true);
    const mem = index.search('  ', { server: 'memory', limit: 100 });
    expect(mem.map((h) => h.tool)).toEqual([
      'add_observations',
      'create_entities',
      'create_relations',
      'delete_entities',
      'open_nodes',
      'read_graph',
      'search_nodes',
    ]);
  });

  it('breaks score ties by server then name, independent of input order', () => {
    const a = new ToolIndex([
      { server: 'b', name: 'ping' },
      { server: 'a', name: 'ping' },
      { server: 'a', name: 'ping' }, // duplicate ignored
    ]);
    const b = new ToolIndex([
      { server: 'a', name: 'ping' },
      { server: 'b', name: 'ping' },
    ]);
    expect(a.search('ping').map(key)).toEqual(['a/ping', 'b/ping']);
    expect(b.search('ping')).toEqual(a.search('ping'));
    expect(a.size).toBe(2);
  });

  it('title field is searchable', () => {
    expect(index.search('print environment')[0]).toMatchObject({ tool: 'get-env' });
  });
});

// The eval corpus (scripts/eval/corpus.json): real servers' manifests. `npm run eval` measures every labelled
// query; these few paraphrases, which share no word with their tool's name, guard the ranking in CI.
describe('search over the eval corpus', () => {
  const corpus = JSON.parse(fs.readFileSync(new URL('../scripts/eval/corpus.json', import.meta.url), 'utf8')) as {
    servers: Array<{ name: string; instructions?: string; serverInfo?: { title?: string }; tools: Array<{ name: string; title?: string; description?: string; inputSchema?: Record<string, unknown> }> }>;
  };
  const entries = (only?: string[]): ToolEntry[] =>
    corpus.servers
      .filter((s) => !only || only.includes(s.name))
      .flatMap((s) => s.tools.map((t) => ({ server: s.name, ...t, serverSummary: serverSummary(undefined, s) })));
  const all = new ToolIndex(entries());

  it.each([
    ['forget everything stored about the old staging server', 'memory/delete_entities'],
    ['make a folder called build/output', 'filesystem/create_directory'],
    ['shelve my work in progress for later', 'git/git_stash'],
    ['which XHR calls did the page make', 'playwright/browser_network_requests'],
    ['bump the web deployment to 5 replicas', 'kubernetes/kubectl_scale'],
    ['are the CI checks green on my PR', 'github/get_pull_request_status'],
    ['who wrote line 120 of server.ts', 'git/git_blame'],
    ['creat a pul request', 'github/create_pull_request'],
    ['show open PRs on the repo', 'github/list_pull_requests'],
  ])('"%s" → %s', (query, want) => {
    expect(all.search(query, { limit: 3 }).map(key)).toContain(want);
  });

  it('a well-known tool also matches how agents ask for it (data/phrasings.txt)', () => {
    const without = new ToolIndex(entries(), { fields: { ...DEFAULT_TUNING.fields, phrasings: { weight: 0, b: 0 } } });
    for (const [query, want] of [
      ['what is eating the cpu on this box', 'desktop-commander/list_processes'],
      ['let me see the dom as text', 'playwright/browser_snapshot'],
      ['how many documents match this filter', 'mongodb/count'],
    ]) {
      expect(all.search(query!, { limit: 1 }).map(key), query).toEqual([want]);
      expect(without.search(query!, { limit: 1 }).map(key), query).not.toEqual([want]);
    }
  });

  it('never takes a real word for a misspelling of another ("mode" is not "move")', () => {
    const small = new ToolIndex(entries(['everything', 'memory', 'filesystem']));
    const hits = small.search('turn the simulated logging mode on', { limit: 3 }).map(key);
    expect(hits[0]).toBe('everything/toggle-simulated-logging');
    expect(hits).not.toContain('filesystem/move_file');
    expect(small.search('mode', { limit: 5 }).map(key)).not.toContain('filesystem/move_file');
    // A real misspelling is still corrected.
    expect(small.search('mvoe a file', { limit: 1 }).map(key)).toEqual(['filesystem/move_file']);
  });

  it('treats paths, URLs and quoted text as things to act on, not as what to do', () => {
    expect(all.search('rename utils.js to helpers.js', { limit: 3 }).map(key)).toContain('filesystem/move_file');
    expect(all.search('commit with message "list the pods and crawl the site"', { limit: 1 }).map(key)).toEqual(['git/git_commit']);
    // A branch by its usual prefix is a branch, not a path (which would favour file tools).
    expect(all.search('merge feature/login into main', { limit: 1 }).map(key)).toEqual(['git/git_merge']);
    // A server named as the topic of a web search does not take the search over.
    expect(all.search('search the web for kubernetes autoscaling best practices', { limit: 1 }).map(key)[0]).toMatch(/web_search/);
    // Single quotes mark content as double quotes do (not the apostrophe of what's); a dotfile is a file.
    expect(all.search("search the web for 'list pods crawl site'", { limit: 1 }).map(key)[0]).toMatch(/web_search/);
    expect(all.search('read .env.production', { limit: 3 }).map(key)).toContain('filesystem/read_file');
    // `#204` is an issue's number, `#deploys` a channel.
    expect(all.search('get issue #204', { limit: 1 }).map(key)).toEqual(['github/get_issue']);
    expect(all.search('post the summary in #deploys', { limit: 1 }).map(key)).toEqual(['slack/slack_post_message']);
  });

  it('a phrase counts only for a tool holding all its words (recall → "search knowledge graph", not MongoDB\'s search-knowledge)', () => {
    const hits = all.search('recall what we know', { limit: 5 }).map(key);
    expect(hits[0]).toBe('memory/search_nodes');
    expect(hits).not.toContain('mongodb/search-knowledge');
  });

  it('what an agent asks for decides between sibling tools (add, not delete; list, not create), also among the example config\'s three servers', () => {
    // As the example config serves them: each server with the description the config gives it.
    const config = YAML.parse(fs.readFileSync(new URL('../config.example.yaml', import.meta.url), 'utf8')) as { servers: Record<string, { description?: string }> };
    const example = corpus.servers
      .filter((s) => s.name in config.servers)
      .flatMap((s) => s.tools.map((t) => ({ server: s.name, ...t, serverSummary: serverSummary(config.servers[s.name]!.description, s) })));
    for (const index of [new ToolIndex(example), all]) {
      for (const [query, want] of [
        ['remember a fact', 'memory/add_observations'],
        ['keep in mind that we use pnpm', 'memory/add_observations'],
        ["what's in this folder", 'filesystem/list_directory'],
        ['link alice to acme', 'memory/create_relations'],
      ]) {
        const top = index.search(query!, { limit: 1 }).map(key);
        // Listing a folder with its sizes answers "what's in this folder" too; creating one would not.
        if (want === 'filesystem/list_directory') expect(['filesystem/list_directory', 'filesystem/list_directory_with_sizes']).toContain(top[0]);
        else expect(top).toEqual([want]);
      }
    }
  });

  it('a tool that destroys ranks first only when the query asks to destroy', () => {
    expect(all.search('what tables are in the database', { limit: 3 }).map(key).filter((h) => /drop|delete/.test(h))).toEqual([]);
    expect(all.search('drop the orders database', { limit: 1 }).map(key)).toEqual(['mongodb/drop-database']);
    expect(all.search('forget everything about the old server', { limit: 1 }).map(key)[0]).toMatch(/^memory\/delete_/);
  });

  it('each hit carries its required parameters and their types', () => {
    const [hit] = all.search('create a GitHub issue', { limit: 1 });
    expect(hit).toMatchObject({ server: 'github', tool: 'create_issue', signature: '(owner: string, repo: string, title: string, +4 optional)' });
  });
});

describe('signature', () => {
  it('shows required parameters with short types, enums and arrays, then the optional count', () => {
    expect(signature({ type: 'object', properties: {} })).toBe('()');
    expect(signature(undefined)).toBe('()');
    const schema = {
      type: 'object',
      properties: {
        mode: { enum: ['a', 'b'] },
        paths: { type: 'array', items: { type: 'string' } },
        n: { type: 'integer' },
        opt: { type: 'string' },
        cfg: { type: 'object', properties: { x: { type: 'string' } } },
        v: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['mode', 'paths', 'n', 'cfg', 'v'],
    };
    expect(signature(schema)).toBe('(mode: "a"|"b", paths: string[], n: number, cfg: object, v: string, +1 optional)');
  });
});

describe('the agent vocabulary file', () => {
  it('reads shorthand, groups (both ways) and meanings (one way), and refuses a line it cannot read, naming it', () => {
    const v = parseVocabulary('# a comment\n[shorthand]\npr: pull request\n[groups]\nfolder | directory\n[means]\nremember => memory, add observation\n');
    expect(v.shorthand.get('pr')).toEqual(['pull', 'request']);
    expect(v.related.get('folder')).toEqual([['directory']]);
    expect(v.related.get('directory')).toEqual([['folder']]);
    expect(v.related.get('remember')).toEqual([['memory'], ['add', 'observation']]);
    expect(v.related.has('memory')).toBe(false);
    expect(() => parseVocabulary('[means]\nremember memory\n')).toThrow(/line 2: cannot read "remember memory"/);
    expect(() => parseVocabulary('[means]\none step at a time => thinking\n')).toThrow(/line 2: "one step at a time" is not a phrase of 1–4 words/);
  });

  it('the shipped file reads whole', () => {
    expect(expansions('pr')[0]).toEqual({ words: ['pull', 'request'], shorthand: true });
    expect(expansions('remember').length).toBeGreaterThan(0);
  });
});

describe('the phrasings file', () => {
  it('reads [server tool] sections and refuses a phrasing before any, naming its line', () => {
    const p = parsePhrasings('# a comment\n\n[memory search_nodes] Search for nodes in the knowledge graph.\nwhat do we know about auth\n');
    expect(p.get('search_nodes')?.[0]?.lines).toEqual(['what do we know about auth']);
    expect(() => parsePhrasings('# x\nwhat do we know\n')).toThrow(/line 2: a phrasing before any \[server tool\] section/);
  });

  it('applies to a tool of that name only while its description still says the same thing; literals count as their kind', () => {
    const lead = 'Read the complete contents of a file from the file system as text.';
    const text = phrasingsFor('read_text_file', lead);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/\.ts\b|\//); // a path in a phrasing counts as `file`, never as its own words
    expect(phrasingsFor('read_text_file', 'Fetch a row from the billing ledger.')).toBe('');
    expect(phrasingsFor('no_such_tool_anywhere', lead)).toBe('');
  });

  it('still applies to the same tools at older versions, whose descriptions drifted (corpus-old.json)', () => {
    const older = JSON.parse(fs.readFileSync(new URL('../scripts/eval/corpus-old.json', import.meta.url), 'utf8')) as {
      servers: Array<{ name: string; tools: Array<{ name: string; description?: string }> }>;
    };
    const sections = parsePhrasings(fs.readFileSync(new URL('../data/phrasings.txt', import.meta.url), 'utf8'));
    const named = older.servers.flatMap((s) => s.tools).filter((t) => sections.has(t.name));
    const missed = named.filter((t) => !phrasingsFor(t.name, oneLine(t.description, 400))).map((t) => t.name);
    expect(named.length).toBeGreaterThan(150);
    // Only tools whose description was rewritten whole (git's wrap-up instructions) lose theirs.
    expect(missed.length, missed.join(', ')).toBeLessThanOrEqual(3);
  });

  it('holds no eval query, nor any phrasing sharing 60% of its words with one (the eval stays unseen)', () => {
    const words = (q: string) => new Set(q.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2));
    const dir = new URL('../scripts/eval/', import.meta.url);
    const evalQueries = fs
      .readdirSync(dir)
      .filter((f) => /^(queries|holdout).*\.json$/.test(f))
      .flatMap((f) => {
        const set = JSON.parse(fs.readFileSync(new URL(f, dir), 'utf8')) as Array<{ q: string }> | { queries: Array<{ q: string }> };
        return (Array.isArray(set) ? set : set.queries).map((q) => words(q.q));
      });
    expect(evalQueries.length).toBeGreaterThan(700);
    const phrasings = [...parsePhrasings(fs.readFileSync(new URL('../data/phrasings.txt', import.meta.url), 'utf8')).values()].flat().flatMap((s) => s.lines);
    expect(phrasings.length).toBeGreaterThan(3000);
    const near = phrasings.filter((line) => {
      const a = words(line);
      return evalQueries.some((b) => {
        let both = 0;
        for (const w of a) if (b.has(w)) both++;
        return both / (a.size + b.size - both || 1) >= 0.6;
      });
    });
    expect(near).toEqual([]);
  });
});
