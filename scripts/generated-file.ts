/**
 * The command-line end shared by the generators in `scripts/`: rewrite a generated file, or with `--check` only compare.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Reads `path`, computes its generated text with `render`, and writes it back when it changed; with `--check` in
 * `process.argv` writes nothing and exits with status 1 when the text differs.
 * @param path absolute path of the generated file
 * @param render current text → text it should have
 * @param what what is generated, for the messages (e.g. "README.md configuration tables")
 */
export function regenerate(path: string, render: (current: string) => string, what: string): void {
  const current = readFileSync(path, 'utf8');
  const next = render(current);
  if (next === current) return;
  if (process.argv.includes('--check')) {
    console.error(`${what} are out of date: run \`npm run gen\``);
    process.exit(1);
  }
  writeFileSync(path, next);
  console.error(`${what} rewritten`);
}
