import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { buildApp } from './src/app.ts';
import { loadConfig } from './src/config.ts';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
writeFileSync('/tmp/tn-tenants.yaml', `tenants:\n  - id: filet\n    keySha256s: [${sha('k1')}]\n    rateLimit: {requests: 100}\n    quota: {daily: 10}\n`);
const g = await buildApp(loadConfig({ PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${process.argv[2]}`, PHISHNET_GATEWAY_TENANTS_FILE: '/tmp/tn-tenants.yaml', PHISHNET_GATEWAY_INFERENCE_URL: 'http://127.0.0.1:1' }), { logger: false });
for (let i = 0; i < 3; i++) {
  const r = await g.app.inject({ method: 'GET', url: '/api/usage', headers: { 'x-api-key': 'k1' } });
  console.log(r.statusCode, r.headers['quota-remaining'], r.body.slice(0, 200));
}
console.log((await g.metrics.registry.metrics()).split('\n').filter((l) => l.includes('local_adm') || l.includes('redis_errors') || l.includes('breaker')).join('\n'));
await g.app.close();
