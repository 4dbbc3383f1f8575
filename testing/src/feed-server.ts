/**
 * A local HTTP server on 127.0.0.1 serving feed documents for PhishFeed tests: each path holds a body (with a strong
 * ETag derived from it, honouring If-None-Match with 304), or a forced status; a path can be served slowly (the body
 * trickled in chunks) so a test can stop the operator in the middle of a download. Every request is recorded.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedDoc {
  body?: string;
  /** Answer this status instead of the body (e.g. 500). */
  status?: number;
  /** Trickle the body over this many milliseconds (30 chunks). */
  slowMs?: number;
  /** Required Authorization header value; any other gets 401. */
  authorization?: string;
}

export interface FeedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
  at: number;
}

export interface FeedServer {
  base: string;
  docs: Map<string, FeedDoc>;
  requests: FeedRequest[];
  /** Requests of `path` answered with `status`. */
  count(path: string, status?: number): number;
  close(): Promise<void>;
}

export const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;

export async function startFeedServer(): Promise<FeedServer> {
  const docs = new Map<string, FeedDoc>();
  const requests: FeedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const doc = docs.get(path);
    const record = (status: number) => requests.push({ path, headers: req.headers, status, at: Date.now() });
    if (!doc) { record(404); res.writeHead(404).end(); return; }
    if (doc.authorization !== undefined && req.headers.authorization !== doc.authorization) { record(401); res.writeHead(401).end(); return; }
    if (doc.status !== undefined) { record(doc.status); res.writeHead(doc.status, { 'content-type': 'text/plain' }).end('error'); return; }
    const body = doc.body ?? '';
    const etag = etagOf(body);
    if (req.headers['if-none-match'] === etag) { record(304); res.writeHead(304, { etag }).end(); return; }
    record(200);
    if (!doc.slowMs) { res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(body); return; }
    res.writeHead(200, { etag, 'content-type': 'text/plain' });
    const chunks = 30;
    const size = Math.ceil(body.length / chunks);
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed) { clearInterval(timer); return; }
      res.write(body.slice(i * size, (i + 1) * size));
      if (++i >= chunks) { clearInterval(timer); res.end(); }
    }, doc.slowMs / chunks);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    docs,
    requests,
    count: (path, status) => requests.filter((r) => r.path === path && (status === undefined || r.status === status)).length,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
