/** The bundled model artifact (trained by `npm run train`, committed), used when no other is configured. */
import { fileURLToPath } from 'node:url';

/** Model v5: `url-lexical/v2` trees + `char-ngram/v1` regression, stacked (models/MODEL_CARD.md). */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../../models/phishnet-url-lexical-v5.tar.gz', import.meta.url));
/**
 * The previous bundled model, v4 (`url-lexical/v1`, stacked); kept as a real second artifact for canary demos and
 * tests, and as the reference of v5's comparisons.
 */
export const PREVIOUS_MODEL_PATH = fileURLToPath(new URL('../../../models/phishnet-url-lexical-v4.tar.gz', import.meta.url));
