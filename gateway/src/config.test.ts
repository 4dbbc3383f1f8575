import { expect, test } from 'vitest';
import { loadConfig } from './config.ts';

test('defaults', () => {
  const c = loadConfig({});
  expect(c.PHISHNET_GATEWAY_PORT).toBe(8080);
  expect(c.PHISHNET_GATEWAY_INFERENCE_URL).toBe('http://127.0.0.1:8000');
  expect(c.PHISHNET_GATEWAY_REDIS_URL).toBeUndefined();
  expect(c.PHISHNET_GATEWAY_API_KEY_SHA256S).toEqual([]);
});

test('lists and empty values', () => {
  const c = loadConfig({
    PHISHNET_GATEWAY_CORS_ORIGINS: 'chrome-extension://abc, moz-extension://def',
    PHISHNET_GATEWAY_API_KEY_SHA256S: 'a'.repeat(64),
    PHISHNET_GATEWAY_REDIS_URL: '',
  });
  expect(c.PHISHNET_GATEWAY_CORS_ORIGINS).toEqual(['chrome-extension://abc', 'moz-extension://def']);
  expect(c.PHISHNET_GATEWAY_REDIS_URL).toBeUndefined();
});

test('bad values are all reported by name', () => {
  expect(() => loadConfig({ PHISHNET_GATEWAY_PORT: 'x', PHISHNET_GATEWAY_API_KEY_SHA256S: 'secret', PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS: '-1' }))
    .toThrow(/PHISHNET_GATEWAY_PORT[\s\S]*PHISHNET_GATEWAY_API_KEY_SHA256S[\s\S]*PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS/);
});

test('PhishModel reference and mirror bounds', () => {
  expect(loadConfig({}).PHISHNET_GATEWAY_PHISHMODEL).toBeUndefined();
  expect(loadConfig({ PHISHNET_GATEWAY_PHISHMODEL: '' }).PHISHNET_GATEWAY_PHISHMODEL).toBeUndefined();
  const c = loadConfig({ PHISHNET_GATEWAY_PHISHMODEL: 'phishnet/url-lexical', PHISHNET_GATEWAY_MIRROR_CONCURRENCY: '2' });
  expect(c.PHISHNET_GATEWAY_PHISHMODEL).toEqual({ namespace: 'phishnet', name: 'url-lexical' });
  expect(c.PHISHNET_GATEWAY_MIRROR_CONCURRENCY).toBe(2);
  expect(c.PHISHNET_GATEWAY_MIRROR_QUEUE).toBe(32);
  expect(() => loadConfig({ PHISHNET_GATEWAY_PHISHMODEL: 'url-lexical' })).toThrow(/PHISHNET_GATEWAY_PHISHMODEL/);
  expect(() => loadConfig({ PHISHNET_GATEWAY_PHISHMODEL: 'a/b/c' })).toThrow(/PHISHNET_GATEWAY_PHISHMODEL/);
});

test('list settings: defaults, values, and bad values by name', () => {
  const d = loadConfig({});
  expect(d.PHISHNET_GATEWAY_LISTS_DIR).toBeUndefined();
  expect(d.PHISHNET_GATEWAY_LISTS_REFRESH_MS).toBe(10_000);
  expect(d.PHISHNET_GATEWAY_DEFAULT_ALLOWLIST).toBe(true);
  expect(d.PHISHNET_GATEWAY_DEFAULT_ALLOWLIST_FILE).toBeUndefined();
  expect(d.PHISHNET_GATEWAY_LISTS_CACHE_TTL_SECONDS).toBe(300);
  const c = loadConfig({ PHISHNET_GATEWAY_LISTS_DIR: '/etc/phishnet/lists', PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false', PHISHNET_GATEWAY_LISTS_REFRESH_MS: '500' });
  expect(c).toMatchObject({ PHISHNET_GATEWAY_LISTS_DIR: '/etc/phishnet/lists', PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: false, PHISHNET_GATEWAY_LISTS_REFRESH_MS: 500 });
  expect(() => loadConfig({ PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'no', PHISHNET_GATEWAY_LISTS_REFRESH_MS: '10' }))
    .toThrow(/PHISHNET_GATEWAY_LISTS_REFRESH_MS[\s\S]*PHISHNET_GATEWAY_DEFAULT_ALLOWLIST|PHISHNET_GATEWAY_DEFAULT_ALLOWLIST[\s\S]*PHISHNET_GATEWAY_LISTS_REFRESH_MS/);
});
