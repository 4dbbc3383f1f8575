/**
 * The OpenAPI document generated from the zod schemas (what /docs/json serves), as committed in
 * gateway/openapi.json. `npm run openapi -w gateway` rewrites the file; openapi.test.ts fails when it drifts.
 */
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

/** Path of the committed document. */
export const OPENAPI_PATH = fileURLToPath(new URL('../openapi.json', import.meta.url));

/** The document as pretty JSON text with a trailing newline (builds an app without Redis; connects to nothing). */
export async function generateOpenApi(): Promise<string> {
  const { app } = await buildApp(loadConfig({}), { logger: false });
  try {
    const doc = app.swagger() as Record<string, unknown>;
    return JSON.stringify({ 'x-generated': 'generated from gateway/src/schemas by `npm run openapi -w gateway` — do not edit', ...doc }, null, 2) + '\n';
  } finally {
    await app.close();
  }
}
