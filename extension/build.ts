/**
 * Builds the extension: esbuild bundles the service worker and the pages into `extension/dist/` (load it unpacked),
 * copies the manifest, HTML and CSS, and zips `dist/` into `extension/build/phishnet-extension.zip` (the file to
 * upload to a store, or to unpack elsewhere). Run: `npm run build -w extension`.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = join(HERE, 'dist');
const ZIP = join(HERE, 'build', 'phishnet-extension.zip');

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
await build({
  entryPoints: {
    background: join(HERE, 'src/background.ts'),
    popup: join(HERE, 'src/pages/popup.ts'),
    warning: join(HERE, 'src/pages/warning.ts'),
    options: join(HERE, 'src/pages/options.ts'),
  },
  outdir: DIST,
  bundle: true,
  format: 'esm',
  target: ['chrome120', 'firefox128'],
  platform: 'browser',
  sourcemap: false,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
});
const pkg = JSON.parse(readFileSync(join(HERE, 'package.json'), 'utf8')) as { version: string };
const manifest = JSON.parse(readFileSync(join(HERE, 'manifest.json'), 'utf8')) as { version: string };
manifest.version = pkg.version;
writeFileSync(join(DIST, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
for (const f of readdirSync(join(HERE, 'src/pages'))) {
  if (f.endsWith('.html') || f.endsWith('.css')) cpSync(join(HERE, 'src/pages', f), join(DIST, f));
}
// A deterministic zip: sorted names, fixed timestamps.
const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
for (const f of readdirSync(DIST).sort()) files[f] = [readFileSync(join(DIST, f)), { mtime: new Date('2026-01-01T00:00:00Z') }];
mkdirSync(join(HERE, 'build'), { recursive: true });
writeFileSync(ZIP, zipSync(files, { level: 9 }));
console.log(`extension: ${Object.keys(files).length} files in ${DIST}, zip ${ZIP}`);
