// Resource subscriptions outlive a restart of their backend: the new process is told again, and updates keep coming.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Home, ROOT, killQuietly, waitFor } from './helpers/harness.js';

const NOTIFY = path.join(ROOT, 'test/fixtures/notify-server.mjs');
let home: Home | undefined;

afterAll(async () => {
  await home?.dispose();
});

describe('resource subscriptions', () => {
  it('a session stays subscribed when its backend crashes and is started again', { timeout: 60_000 }, async () => {
    home = new Home(`  notify:\n    command: ${process.execPath}\n    args: [${NOTIFY}]\n`, '  surface: direct\n');
    const c = await home.client();
    const updates: string[] = [];
    c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await c.subscribeResource({ uri: 'test://r' });
    await c.callTool({ name: 'notify__notify', arguments: {} });
    await waitFor(() => updates.length === 1, 10_000, 'an update before the crash');

    const first = (await home.status()).instances.find((i) => i.server === 'notify')!.pid as number;
    killQuietly(first, 'SIGKILL');
    await waitFor(async () => (await home!.status()).instances.find((i) => i.server === 'notify')?.state !== 'ready', 10_000, 'the crash to be noticed');
    // The next call starts the backend again; the renewed subscription runs beside it, so call until its effect shows.
    await waitFor(
      async () => {
        await c.callTool({ name: 'notify__notify', arguments: {} });
        return updates.length > 1;
      },
      20_000,
      'an update from the restarted backend',
    );
    expect((await home.status()).instances.find((i) => i.server === 'notify')!.pid).not.toBe(first);
    expect(updates.at(-1)).toBe('test://r');
  });
});
