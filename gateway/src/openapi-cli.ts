/** Writes gateway/openapi.json (generated — do not edit by hand). */
import { writeFile } from 'node:fs/promises';
import { OPENAPI_PATH, generateOpenApi } from './openapi.ts';

await writeFile(OPENAPI_PATH, await generateOpenApi());
console.log(`wrote ${OPENAPI_PATH}`);
