/**
 * Pins the `sha256` of every PhishModel artifact written in the repository's values and samples to the digest of the
 * bundled artifact it names, read from `models/<artifact>.sha256` (written by training next to each `.tar.gz`) — the
 * one source of those digests. An artifact reference is a `uri:` line ending in `/<file>.tar.gz` followed, within the
 * same YAML mapping, by a `sha256:` line; the `sha256:` line's value is rewritten, nothing else.
 *
 *   npm run gen:digests            rewrite the files (FILES below)
 *   npm run gen:digests -- --check exit 1 and list the differences when a file is not pinned
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Files (relative to the repository root) whose artifact digests are pinned. */
export const FILES = [
  'charts/phishnet/values.yaml',
  'charts/phishnet/ci/production-values.yaml',
  'manifests/samples/phishmodel-fast.yaml',
  'manifests/samples/phishmodel-url-lexical.yaml',
] as const;

/** Digest of `models/<file>`, from `models/<file>.sha256` (`<64 hex>  <file>`). Throws when absent or malformed. */
export function bundledDigest(root: string, file: string): string {
  const text = readFileSync(join(root, 'models', `${file}.sha256`), 'utf8');
  const m = /^([0-9a-f]{64})\s+\*?(\S+)/.exec(text);
  if (!m || m[2] !== file) throw new Error(`models/${file}.sha256 is not "<sha256>  ${file}"`);
  return m[1]!;
}

/** A digest no artifact has: one hex character repeated 64 times (the usual placeholder). */
export function isPlaceholderDigest(hex: string): boolean {
  return /^([0-9a-f])\1{63}$/.test(hex);
}

export interface PinResult {
  /** The text with every artifact digest pinned. */
  text: string;
  /** One line per changed digest: `<line>: <artifact> <old> → <new>`. */
  changes: string[];
}

/**
 * Pins the digests in one YAML text. `digestOf(file)` gives the digest of a bundled artifact file name. Throws when a
 * `uri:` names a `.tar.gz` whose mapping has no `sha256:` line.
 */
export function pinDigests(text: string, digestOf: (file: string) => string): PinResult {
  const lines = text.split('\n');
  const changes: string[] = [];
  // Indent of a line's key ("    - a: 1" → 6, the indent of its mapping's keys); whether it opens a list item.
  const keyIndent = (line: string) => {
    const t = line.replace(/^(\s*)- /, '$1  ');
    return t.length - t.trimStart().length;
  };
  const opensItem = (line: string) => /^\s*- /.test(line);
  const isKey = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');
  // The sibling `sha256:` line of the mapping holding line i (same key indent, before or after it), or -1.
  const siblingSha = (i: number): number => {
    const indent = keyIndent(lines[i]!);
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (!isKey(line)) continue;
      if (keyIndent(line) < indent || (keyIndent(line) === indent && opensItem(line))) break;
      if (keyIndent(line) === indent && /^\s*sha256:/.test(line)) return j;
    }
    if (opensItem(lines[i]!)) return -1;
    for (let j = i - 1; j >= 0; j--) {
      const line = lines[j]!;
      if (!isKey(line)) continue;
      if (keyIndent(line) < indent) break;
      if (keyIndent(line) === indent && /^\s*(- )?sha256:/.test(line)) return j;
      if (keyIndent(line) === indent && opensItem(line)) break;
    }
    return -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const uri = /^\s*(?:- )?uri:\s*["']?([^"'\s]+\.tar\.gz)["']?\s*$/.exec(lines[i]!);
    if (!uri) continue;
    const file = basename(uri[1]!);
    const j = siblingSha(i);
    if (j < 0) throw new Error(`line ${i + 1}: artifact ${file} has no sha256 in the same mapping`);
    const sha = /^(\s*(?:- )?sha256:\s*)["']?([^"'\s]*)["']?(.*)$/.exec(lines[j]!)!;
    const want = digestOf(file);
    if (sha[2] !== want) {
      changes.push(`${j + 1}: ${file} ${sha[2] || '(empty)'} → ${want}`);
      lines[j] = `${sha[1]}"${want}"${sha[3]}`;
    }
  }
  return { text: lines.join('\n'), changes };
}
