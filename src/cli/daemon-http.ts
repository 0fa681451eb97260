// JSON over HTTP to the running daemon (status, restart), through its owner-only socket: it works even when the
// daemon's TCP port could not be bound.
import http from 'node:http';
import type { DaemonInfo } from '../home/state-file.js';

export interface DaemonRequest {
  method?: 'GET' | 'POST';
  timeoutMs?: number;
}

/** Calls a path on the daemon; `body` is the parsed JSON, or undefined when the answer is not JSON. */
export function daemonJson(info: Pick<DaemonInfo, 'socket'>, path: string, opts: DaemonRequest = {}): Promise<{ status: number; body: any }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    http
      .request({ socketPath: info.socket, path, method: opts.method ?? 'GET', headers: { host: 'localhost' }, timeout: timeoutMs }, (res) => {
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
