// The three real backend servers, as direct spawn specs and as mcplex config, plus the one tool call each gets.
import { NODE, serverEntry } from './env.mjs';
import path from 'node:path';
import fs from 'node:fs';

/** Specs for the three servers; `dir` holds the memory file and the filesystem root. */
export function serverSpecs(dir) {
  const files = path.join(dir, 'files');
  fs.mkdirSync(files, { recursive: true });
  fs.writeFileSync(path.join(files, 'hello.txt'), 'hello\n');
  return [
    { name: 'everything', command: NODE, args: [serverEntry('everything'), 'stdio'], env: {}, tool: 'echo', toolArgs: { message: 'hello' } },
    { name: 'memory', command: NODE, args: [serverEntry('memory')], env: { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') }, tool: 'read_graph', toolArgs: {} },
    { name: 'filesystem', command: NODE, args: [serverEntry('filesystem'), files], env: {}, tool: 'list_allowed_directories', toolArgs: {} },
  ];
}

/** The `servers:` block of a config.yaml for these specs, every server shared globally. */
export function serversYaml(specs) {
  const q = (s) => JSON.stringify(s);
  return specs
    .map((s) => {
      const env = Object.keys(s.env).length ? `    env: {${Object.entries(s.env).map(([k, v]) => `${k}: ${q(v)}`).join(', ')}}\n` : '';
      return `  ${s.name}:\n    command: ${q(s.command)}\n    args: [${s.args.map(q).join(', ')}]\n${env}    sharing: global\n`;
    })
    .join('');
}

/** The minimal environment the SDK gives a stdio child, plus the spec's own. */
export function directEnv(spec) {
  const env = {};
  for (const k of ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, ...spec.env };
}
