/** The bundled model artifact (trained by `npm run train`, committed), used when no other is configured. */
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../../models/phishnet-url-lexical-v1.tar.gz', import.meta.url));
