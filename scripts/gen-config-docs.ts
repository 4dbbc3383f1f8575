/**
 * Generates the README's configuration tables from the services' config schemas, so each setting is described once:
 * beside its zod field in `gateway/src/config.ts`, `inference/src/config.ts` and `operator/src/config.ts`.
 *
 *   bash scripts/node.sh scripts/gen-config-docs.ts           rewrite the tables in README.md
 *   bash scripts/node.sh scripts/gen-config-docs.ts --check   exit 1 when README.md differs from what it would write
 *
 * Per variable: its name without the `PHISHNET_<COMPONENT>_` prefix; its default, read by parsing an empty environment
 * with the schema itself (`unset` = no default; an absolute path inside the repository is shown relative to it); its
 * meaning, the JSDoc comment right above the field (read with the TypeScript compiler's parser). A field without a
 * comment is an error: every setting is documented where it is defined.
 * Each table stands between `<!-- BEGIN config-docs:<component> -->` and `<!-- END config-docs:<component> -->`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { z } from 'zod';
import { GatewayConfig } from '@phishnet/gateway/config';
import { InferenceEnv } from '@phishnet/inference/config';
import { OperatorEnv } from '@phishnet/operator/config';
import { regenerate } from './generated-file.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = `${ROOT}README.md`;

/** A service whose environment is described by a zod schema. */
export interface Component {
  id: 'gateway' | 'inference' | 'operator';
  prefix: string;
  /** The `z.object` over the environment, and the name it is exported under in `module`. */
  schema: z.ZodObject;
  exportName: string;
  module: string;
}

export const COMPONENTS: Component[] = [
  { id: 'gateway', prefix: 'PHISHNET_GATEWAY_', schema: GatewayConfig, exportName: 'GatewayConfig', module: '@phishnet/gateway/config' },
  { id: 'inference', prefix: 'PHISHNET_INFERENCE_', schema: InferenceEnv, exportName: 'InferenceEnv', module: '@phishnet/inference/config' },
  { id: 'operator', prefix: 'PHISHNET_OPERATOR_', schema: OperatorEnv, exportName: 'OperatorEnv', module: '@phishnet/operator/config' },
];

/**
 * The JSDoc text above each property of the object literal passed to `z.object(...)` in `export const <name> = ...`.
 * @returns field name → comment as one line (Markdown kept as written)
 * @throws Error when the export or its object literal is not found
 */
export function fieldComments(sourceText: string, exportName: string): Map<string, string> {
  const sf = ts.createSourceFile('config.ts', sourceText, ts.ScriptTarget.Latest, true);
  let literal: ts.ObjectLiteralExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (literal) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === exportName && n.initializer) {
      const find = (e: ts.Node): void => {
        if (literal) return;
        if (ts.isCallExpression(e) && e.arguments[0] && ts.isObjectLiteralExpression(e.arguments[0])) literal = e.arguments[0];
        else ts.forEachChild(e, find);
      };
      find(n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (!literal) throw new Error(`no \`${exportName} = z.object({...})\` found`);
  const out = new Map<string, string>();
  for (const p of literal.properties) {
    if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    const ranges = ts.getLeadingCommentRanges(sourceText, p.pos) ?? [];
    const doc = ranges.map((r) => sourceText.slice(r.pos, r.end)).filter((c) => c.startsWith('/**')).pop();
    if (doc === undefined) continue;
    const text = doc.replace(/^\/\*\*/, '').replace(/\*\/$/, '').split('\n')
      .map((l) => l.replace(/^\s*\* ?/, '').trim()).filter((l) => l.length > 0).join(' ');
    out.set(p.name.text, text);
  }
  return out;
}

/** A default as the table shows it. */
function showDefault(v: unknown): string {
  if (v === undefined) return 'unset';
  if (Array.isArray(v)) return v.length === 0 ? 'empty' : `\`${v.join(',')}\``;
  if (typeof v === 'string') {
    if (v === '') return 'empty';
    const shown = v.startsWith(ROOT) ? relative(ROOT, v) : v;
    return `\`${shown}\``;
  }
  if (typeof v === 'object' && v !== null) return `\`${JSON.stringify(v)}\``;
  return String(v);
}

/** Markdown table of one component's variables. @throws Error naming any variable without a comment */
export function table(c: Component): string {
  const source = readFileSync(fileURLToPath(import.meta.resolve(c.module)), 'utf8');
  const comments = fieldComments(source, c.exportName);
  const defaults = c.schema.parse({}) as Record<string, unknown>;
  const rows = Object.keys(c.schema.shape).map((name) => {
    const meaning = comments.get(name);
    if (meaning === undefined) throw new Error(`${c.module}: ${name} has no JSDoc comment; document it beside its field`);
    const cell = (s: string) => s.replaceAll('|', '\\|');
    return `| \`${name.slice(c.prefix.length)}\` | ${cell(showDefault(defaults[name]))} | ${cell(meaning)} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** README text with every component's table replaced. @throws Error when a marker pair is missing */
export function render(readme: string): string {
  let out = readme;
  for (const c of COMPONENTS) {
    const begin = `<!-- BEGIN config-docs:${c.id} (generated from ${c.module} by scripts/gen-config-docs.ts; do not edit) -->`;
    const end = `<!-- END config-docs:${c.id} -->`;
    const re = new RegExp(`<!-- BEGIN config-docs:${c.id} [^\\n]*-->\\n[\\s\\S]*?\\n${end.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    if (!re.test(out)) throw new Error(`README.md has no ${begin} … ${end} block`);
    out = out.replace(re, () => `${begin}\n${table(c)}\n${end}`);
  }
  return out;
}

if (import.meta.main) regenerate(README, render, 'README.md configuration tables');
