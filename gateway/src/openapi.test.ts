import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { OPENAPI_PATH, generateOpenApi } from './openapi.ts';

test('committed gateway/openapi.json matches the zod schemas (run `npm run openapi -w gateway` after API changes)', async () => {
  const committed = await readFile(OPENAPI_PATH, 'utf8');
  expect(committed).toBe(await generateOpenApi());
});

test('the document describes both check routes with their error statuses', async () => {
  const doc = JSON.parse(await generateOpenApi());
  for (const p of ['/api/check-url', '/api/check-urls']) {
    expect(Object.keys(doc.paths[p].post.responses).sort()).toEqual(['200', '400', '401', '403', '413', '415', '429', '503']);
  }
  expect(doc.components.schemas).toHaveProperty('UrlVerdict');
  expect(doc.components.schemas).toHaveProperty('Problem');
  expect(Object.keys(doc.paths['/api/usage'].get.responses)).toContain('200');
  expect(doc.components.schemas).toHaveProperty('UsageResponse');
});
