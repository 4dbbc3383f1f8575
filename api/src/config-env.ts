/**
 * The one set of environment-variable helpers behind the gateway's, inference's and the operator's config schemas
 * (each a `z.object` over `process.env`, parsed once in its `main.ts`). Every helper takes its default first, treats
 * an empty string as unset (Helm renders unset values as ""), and coerces the string it reads.
 *
 *   PORT: port(8080)                 integer 0..65535
 *   TIMEOUT_MS: int(2_000, { min: 1 })
 *   WAIT_MS: num(20)                 any number ≥ 0
 *   TRUST_PROXY: bool(false)         "true" | "false"
 *   ORIGINS: list()                  comma-separated, trimmed, empty items dropped
 *   URL: str('http://x')             non-empty string with a default;  optionalStr(): string | undefined
 *   LOG_LEVEL: logLevel()            pino level, default "info"
 */
import { z } from 'zod';

/** "" → undefined, so a variable rendered empty falls back to its default. */
export const unsetIfEmpty = (v: unknown): unknown => (v === '' ? undefined : v);

/** Inclusive bounds of a number. */
export interface Range { min?: number; max?: number }

/** An integer with a default; `min` defaults to 0. */
export function int(def: number, range: Range = {}) {
  let s = z.coerce.number().int().min(range.min ?? 0);
  if (range.max !== undefined) s = s.max(range.max);
  return z.preprocess(unsetIfEmpty, s.default(def));
}

/** A number (fractions allowed) with a default; `min` defaults to 0. */
export function num(def: number, range: Range = {}) {
  let s = z.coerce.number().min(range.min ?? 0);
  if (range.max !== undefined) s = s.max(range.max);
  return z.preprocess(unsetIfEmpty, s.default(def));
}

/** A TCP port (0 = any free port) with a default. */
export const port = (def: number) => int(def, { min: 0, max: 65_535 });

/** `true` or `false` (exactly), with a default. */
export const bool = (def: boolean) =>
  z.preprocess(unsetIfEmpty, z.enum(['true', 'false']).default(def ? 'true' : 'false')).transform((v) => v === 'true');

/** A non-empty string with a default. */
export const str = (def: string) => z.preprocess(unsetIfEmpty, z.string().min(1).default(def));

/** `redis://` or `rediss://` URL. */
export const REDIS_URL_PATTERN = /^rediss?:\/\/\S+$/;
/** `http://` or `https://` URL (or URL template). */
export const HTTP_URL_PATTERN = /^https?:\/\/\S+$/;

/** A string matching `pattern` (`what` names it in the error), with a default. */
export const matching = (pattern: RegExp, what: string, def: string) =>
  z.preprocess(unsetIfEmpty, z.string().regex(pattern, what).default(def));

/**
 * A string matching `pattern` (`what` names it in the error), or undefined when unset or empty.
 * E.g. `optionalMatching(REDIS_URL_PATTERN, 'a redis:// or rediss:// URL')`.
 */
export const optionalMatching = (pattern: RegExp, what: string) =>
  z.preprocess(unsetIfEmpty, z.string().regex(pattern, what).optional());

/** A string, or undefined when unset or empty. */
export const optionalStr = () => z.preprocess(unsetIfEmpty, z.string().optional());

/**
 * A comma-separated list: items trimmed, empty items dropped; unset or empty → []. Marked with the metadata
 * `{ envList: true }`, so schema generators (the chart's values schema) know a list is meant, not a plain string.
 */
export const list = () => z.preprocess(unsetIfEmpty, z.string().default(''))
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0))
  .meta({ envList: true });

/** pino log levels. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino log level, default `info`. */
export const logLevel = () => z.preprocess(unsetIfEmpty, z.enum(LOG_LEVELS).default('info'));

/** A configuration that does not validate; `message` lists every bad variable and why. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses an environment with a service's schema.
 * @param component named in the error message, e.g. `gateway`
 * @throws ConfigError listing every invalid variable (`NAME: reason`, one per line)
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, component: string): z.output<S> {
  const r = schema.safeParse(env);
  if (!r.success) {
    throw new ConfigError(`invalid ${component} configuration:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return r.data;
}
