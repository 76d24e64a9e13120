// A raw HTTP request for tests that need what fetch() will not do: a chosen source address on the
// loopback network (127.0.0.2 is another client to the daemon), any header, one connection each.
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body when it was JSON (problem+json included), else undefined. */
  json: Record<string, unknown> | undefined;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The local (source) address, e.g. 127.0.0.2. */
  from?: string;
  timeoutMs?: number;
}

export function rawRequest(url: string | URL, options: RawRequest = {}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: false, localAddress: options.from, timeout: options.timeoutMs ?? 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        try {
          const json = /^application\/(problem\+)?json\b/.test(res.headers['content-type'] ?? '') && text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${String(url)} in time`)));
    req.on('error', reject);
    req.end(body);
  });
}
