/**
 * `npm run gen:digests [-- --check]`: pins the artifact digests of the chart values and PhishModel samples to
 * models/*.sha256 (see pin-digests.ts). `--check` changes nothing and exits 1 when a file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FILES, bundledDigest, pinDigests } from './pin-digests.ts';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const check = process.argv.includes('--check');
let stale = 0;
for (const f of FILES) {
  const path = join(root, f);
  const before = readFileSync(path, 'utf8');
  const { text, changes } = pinDigests(before, (file) => bundledDigest(root, file));
  for (const c of changes) console.log(`${f}:${c}`);
  if (changes.length === 0) continue;
  stale++;
  if (!check) writeFileSync(path, text);
}
if (check && stale > 0) {
  console.error(`${stale} file(s) not pinned to models/*.sha256: run npm run gen:digests`);
  process.exit(1);
}
