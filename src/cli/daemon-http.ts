// JSON over loopback HTTP to the running daemon (status, restart, health checks).
import http from 'node:http';

export interface DaemonRequest {
  method?: 'GET' | 'POST';
  /** The daemon token from daemon.json (required by token-mode auth and the admin paths). */
  token?: string;
  timeoutMs?: number;
}

/** Calls a path on the daemon; `body` is the parsed JSON, or undefined when the answer is not JSON. */
export function daemonJson(port: number, path: string, opts: DaemonRequest = {}): Promise<{ status: number; body: any }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    http
      .request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      })
      .on('error', reject)
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`the daemon did not answer within ${timeoutMs / 1000}s`));
      })
      .end();
  });
}
