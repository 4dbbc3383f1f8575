/**
 * The README's configuration tables are generated from the services' config schemas (scripts/gen-config-docs.ts):
 * this fails when a setting changed in a config.ts and `npm run gen:config-docs` was not run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('README configuration tables match gateway, inference and operator config.ts', async () => {
  const run = promisify(execFile)(process.execPath, ['scripts/gen-config-docs.ts', '--check'], { cwd: ROOT });
  await expect(run).resolves.toMatchObject({ stderr: '' });
});
