/** The bundled model artifact (trained by `npm run train`, committed), used when no other is configured. */
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../../models/phishnet-url-lexical-v4.tar.gz', import.meta.url));
/** The previous bundled model (tree model only, Platt calibration); kept as a real second artifact for canary demos and tests. */
export const PREVIOUS_MODEL_PATH = fileURLToPath(new URL('../../../models/phishnet-url-lexical-v1.tar.gz', import.meta.url));
