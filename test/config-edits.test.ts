// An edit that leaves config.yaml empty (or only comments) is refused like any invalid edit while sessions run;
// `servers: {}` is how to remove every server.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Home, alive, call, json, serverNames, servers, text, waitFor } from './helpers/harness.js';

let home: Home | undefined;
afterEach(async () => {
  await home?.dispose();
  home = undefined;
});

describe('config.yaml emptied while sessions are live', () => {
  it('is refused: the last good config keeps serving, the error shows; servers: {} then removes every server', async () => {
    home = new Home(servers.everything());
    const a = await home.client();
    const b = await home.client();
    expect(text(await call(a, 'everything', 'echo', { message: 'before' }))).toContain('before');
    const pid = (await home.status()).instances[0]!.pid as number;

    for (const emptied of ['', '# every line a comment\n# nothing else\n', '\n\n---\n']) {
      fs.writeFileSync(home.configPath, emptied);
      const st = await waitFor(async () => {
        const s = (await home!.status()) as unknown as { daemon: { configError: string | null } };
        return s.daemon.configError?.includes('empty') ? s : undefined;
      }, 15_000, 'the refused edit in status');
      expect(st.daemon.configError).toContain('servers: {}');
      const listed = json(await b.callTool({ name: 'list_servers', arguments: {} }));
      expect(listed.servers.map((s: { name: string }) => s.name)).toEqual(['everything']);
      expect(listed.configError).toContain('empty');
      expect(text(await call(b, 'everything', 'echo', { message: 'still' }))).toContain('still');
      expect((await home.status()).instances[0]!.pid).toBe(pid);
      // Restore a valid config so the next emptying is a fresh edit.
      home.writeConfig(servers.everything());
      await waitFor(async () => ((await home!.status()) as unknown as { daemon: { configError: string | null } }).daemon.configError === null, 15_000, 'the error to clear');
    }
    const table = await home.cli(['status']);
    expect(table.stdout).toMatch(/^everything\s+global\s+global\s+ready/m);

    fs.writeFileSync(home.configPath, 'servers: {}\n');
    await waitFor(async () => (await serverNames(a)).length === 0, 15_000, 'every server to go');
    expect(await serverNames(b)).toEqual([]);
    await waitFor(() => !alive(pid), 15_000, 'the backend to stop');
    expect((await home.status()).instances).toEqual([]);
  });

  it('a daemon started on an empty config says why, and config validate exits 2', async () => {
    home = new Home('');
    fs.writeFileSync(home.configPath, '# nothing yet\n');
    const v = await home.cli(['config', 'validate']);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('the file is empty or holds only comments');
    const serve = await home.cli(['serve']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain('servers: {}');
  });
});
