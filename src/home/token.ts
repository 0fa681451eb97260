// The daemon token: made once per MCPLEX_HOME and kept (0600), so HTTP clients registered with it survive restarts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TOKEN = /^[0-9a-f]{64}$/;

/** The token in `file`, created (random, 0600) if missing or malformed; concurrent callers all get the same one. */
export function daemonToken(file: string): string {
  for (;;) {
    try {
      const text = fs.readFileSync(file, 'utf8').trim();
      if (TOKEN.test(text)) return text;
      fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    try {
      // Written whole, then linked into place only if nobody else made one meanwhile.
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}
