import { defineConfig } from 'vitest/config';

// One project per workspace; `npm test` runs them all. Integration tests start real processes
// (inference, gateway, redis-server, prometheus) on 127.0.0.1, so they get generous timeouts.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'api', root: 'api', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'lists', root: 'lists', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'telemetry', root: 'telemetry', include: ['src/**/*.test.ts'] } },
      { test: { name: 'inference', root: 'inference', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 } },
      { test: { name: 'tools', root: 'tools', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      { test: { name: 'gateway', root: 'gateway', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 } },
      { test: { name: 'operator', root: 'operator', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 600_000 } },
      // extension: unit tests, and the browser tier (Debian's chromium driving the built extension against real services).
      { test: { name: 'extension', root: 'extension', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 } },
      // scripts: the generators' own functions (what they write is checked by `npm run gen` + git diff in npm test).
      { test: { name: 'scripts', root: 'scripts', include: ['*.test.ts'] } },
      { test: { name: 'e2e', root: 'test', include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 120_000, hookTimeout: 300_000 } },
    ],
  },
});
