/**
 * Requests Node's HTTP parser refuses before Fastify routes them, sent over a raw TCP socket (node:net) to the
 * listening gateway: each is answered with problem+json and the connection closed.
 */
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildApp, type GatewayApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { clientErrorHandler } from '../src/plugins/problem.ts';

let g: GatewayApp;
let port: number;

beforeAll(async () => {
  // No inference is needed: these requests never reach a route.
  g = await buildApp(loadConfig({ PHISHNET_GATEWAY_INFERENCE_URL: 'http://127.0.0.1:9' }), { logger: false });
  await g.app.listen({ port: 0, host: '127.0.0.1' });
  const a = g.app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
afterAll(async () => {
  await g?.app.close();
});

/** Sends raw bytes, reads until the server closes; returns status, lower-case headers and body. */
function raw(data: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => { buf += d; });
    s.on('error', (err: NodeJS.ErrnoException) => {
      // The server may reset while we are still writing a large request; what it answered first still counts.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    s.on('close', () => {
      const [head = '', body = ''] = buf.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    s.setTimeout(5_000, () => s.destroy(new Error(`no answer; got ${JSON.stringify(buf)}`)));
    s.write(data);
  });
}

test('a malformed request line: 400 problem+json', async () => {
  const r = await raw('GET /api/lists\x01 HTTP/1.1 nonsense\r\nHost: x\r\n\r\n');
  expect(r.status).toBe(400);
  expect(r.headers['content-type']).toBe('application/problem+json');
  expect(r.headers['connection']).toBe('close');
  const p = JSON.parse(r.body);
  expect(p).toMatchObject({ type: 'urn:phishnet:problem:bad-request', title: 'Bad Request', status: 400 });
  expect(p.detail).toMatch(/^malformed HTTP request/);
  expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
});

test('an invalid header line: 400 problem+json', async () => {
  const r = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
  expect(r.status).toBe(400);
  expect(JSON.parse(r.body)).toMatchObject({ type: 'urn:phishnet:problem:bad-request', status: 400 });
});

test('a 20 KB header: 431 problem+json', async () => {
  const r = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  expect(r.status).toBe(431);
  expect(r.headers['content-type']).toBe('application/problem+json');
  expect(JSON.parse(r.body)).toEqual({
    type: 'urn:phishnet:problem:header-too-large', title: 'Request Header Fields Too Large', status: 431,
    detail: 'request headers exceed the size limit',
  });
});

test('a well-formed request on the same server still answers', async () => {
  const r = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(r.status).toBe(200);
});

test('a request that did not arrive in time (Node\'s ERR_HTTP_REQUEST_TIMEOUT): 408 problem+json on that socket', async () => {
  // Node raises this 'clientError' only after its headersTimeout (60 s, checked every 30 s), too slow for a unit
  // test: the handler the gateway registers gets the error Node would pass, on a real accepted socket.
  const server = createServer((socket) => {
    clientErrorHandler(Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  const saved = port;
  port = typeof a === 'object' && a ? a.port : 0;
  try {
    const r = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expect(r.status).toBe(408);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.headers['connection']).toBe('close');
    expect(JSON.parse(r.body)).toEqual({
      type: 'urn:phishnet:problem:request-timeout', title: 'Request Timeout', status: 408, detail: 'the request did not arrive in time',
    });
  } finally {
    port = saved;
    server.close();
  }
});
