/**
 * The admin listener: `/metrics` and `/docs` are served there (PHISHNET_GATEWAY_ADMIN_PORT), never on the public
 * port — checked on a real gateway process listening on both (no inference needed: nothing is scored).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type GatewayProc, startGateway } from '@phishnet/testing';

let gw: GatewayProc;

beforeAll(async () => {
  gw = await startGateway({ PHISHNET_GATEWAY_INFERENCE_URL: 'http://127.0.0.1:9' });
});
afterAll(async () => {
  await gw?.stop();
});

test('/metrics: 404 problem+json on the public port, Prometheus text on the admin port', async () => {
  const pub = await fetch(`${gw.url}/metrics`);
  expect(pub.status).toBe(404);
  expect(pub.headers.get('content-type')).toContain('application/problem+json');
  expect(await pub.json()).toMatchObject({ status: 404 });
  const admin = await fetch(`${gw.adminUrl}/metrics`);
  expect(admin.status).toBe(200);
  expect(admin.headers.get('content-type')).toContain('text/plain');
  const text = await admin.text();
  // The public request above is counted (route "unmatched"); the admin listener's own requests are not.
  expect(text).toMatch(/phishnet_gateway_requests_total\{route="unmatched",status="404"\} 1/);
  expect(text).toContain('phishnet_gateway_redis_breaker_state 0');
});

test('/docs: 404 on the public port; the admin port serves Swagger UI and the public API\'s OpenAPI document', async () => {
  expect((await fetch(`${gw.url}/docs`)).status).toBe(404);
  expect((await fetch(`${gw.url}/docs/json`)).status).toBe(404);
  const ui = await fetch(`${gw.adminUrl}/docs`);
  expect(ui.status).toBe(200);
  expect(await ui.text()).toContain('swagger');
  const doc = await (await fetch(`${gw.adminUrl}/docs/json`)).json() as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/check-url', '/api/check-urls']));
  expect(Object.keys(doc.paths)).not.toContain('/metrics');
});

test('the public API stays on the public port only', async () => {
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  const r = await fetch(`${gw.adminUrl}/api/check-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":"http://a.example/"}' });
  expect(r.status).toBe(404);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
});
