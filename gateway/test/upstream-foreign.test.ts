/**
 * A keep-alive connection to inference that reaches something else is not kept. On a real node the gateway once
 * connected to a Service address before kube-proxy had programmed it, got an empty 404 from whatever held the address,
 * and reused that connection for every later call. Here a real TCP forwarder stands for the Service address (nothing
 * else can make one address lead to two servers on this machine): its first connection goes to a foreign HTTP server
 * that answers 404 with an empty body and keeps the connection open, every later one to a real inference process.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createConnection, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMetrics } from '../src/metrics/metrics.ts';
import { InferenceClient, isInferenceProblem } from '../src/upstream/inference-client.ts';
import { UpstreamHttpError } from '../src/upstream/errors.ts';
import { type ServiceProc, startInference } from '@phishnet/testing';

let inference: ServiceProc;
let foreign: HttpServer;
let forwarder: Server;
let connections = 0;
let foreignRequests = 0;

beforeAll(async () => {
  inference = await startInference();
  foreign = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    foreignRequests++;
    req.resume();
    res.writeHead(404, { 'content-length': '0' }).end();
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  const inferencePort = Number(new URL(inference.url).port);
  const foreignPort = (foreign.address() as AddressInfo).port;
  forwarder = createServer((client) => {
    const port = connections++ === 0 ? foreignPort : inferencePort;
    const upstream = createConnection({ host: '127.0.0.1', port });
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => forwarder.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  forwarder?.close();
  foreign?.closeAllConnections();
  foreign?.close();
  await inference?.stop();
});

describe('an upstream connection that reaches something other than inference', () => {
  test('is dropped: the pool is replaced, the call is retried on a new connection and scored, later calls too', async () => {
    const metrics = createMetrics();
    const client = new InferenceClient('stable', {
      baseUrl: `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}`,
      timeoutMs: 5_000, retryAttempts: 2, breakerFailures: 5, halfOpenAfterMs: 1_000, concurrency: 1, queue: 16,
    }, metrics);
    try {
      const first = await client.predict(['http://login-check.example/verify']);
      expect(first.predictions).toHaveLength(1);
      for (let i = 0; i < 5; i++) expect((await client.predict([`http://page-${i}.example/`])).predictions).toHaveLength(1);
      expect(foreignRequests).toBe(1); // the foreign connection was never used again
      expect(connections).toBeGreaterThanOrEqual(2);
      const replaced = await metrics.registry.getSingleMetricAsString('phishnet_gateway_upstream_pool_replacements_total');
      expect(replaced).toMatch(/_total 1$/m);
    } finally {
      await client.close();
    }
  }, 60_000);

  test("inference's own error answers are not foreign; an empty 404 or another server's JSON is", async () => {
    const res = await fetch(`${inference.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"urls":' });
    expect(res.status).toBe(400);
    expect(isInferenceProblem(res.headers.get('content-type') ?? undefined, await res.text())).toBe(true);
    expect(isInferenceProblem(undefined, '')).toBe(false);
    expect(isInferenceProblem('application/json', '{"error":"not found"}')).toBe(false);
    expect(isInferenceProblem('application/problem+json', '{"type":"about:blank","title":"Not Found","status":404}')).toBe(false);
    const e = new UpstreamHttpError(404, null, '', true);
    expect(e.message).toContain('not inference');
  });
});
