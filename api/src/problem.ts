/**
 * Problem details (RFC 9457, `application/problem+json`): the one error format of every phishnet HTTP API — the
 * gateway's public API and inference's `/v1/predict`.
 *
 *   {"type": "urn:phishnet:problem:<code>", "title": "<RFC 9110 reason phrase>", "status": 400, "detail": "…",
 *    "instance": "/api/check-url", "issues": [{"path": "/urls/3", "code": "INVALID_HOST", "message": "…"}]}
 *
 * - `type` is `urn:phishnet:problem:` + a stable kebab-case code (e.g. `invalid-request`, `rate-limited`,
 *   `queue-full`); clients branch on it, never on `detail`.
 * - `issues` (400 only) lists field-level problems; `path` is a JSON Pointer (RFC 6901) into the request body and
 *   `code` a machine-readable reason (a UrlError code such as `INVALID_HOST`, or the schema rule that failed).
 * - 5xx details never carry internals.
 */
import { z } from 'zod';

/** The media type of every error response (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI prefix; a code is appended. */
export const PROBLEM_TYPE_PREFIX = 'urn:phishnet:problem:';

/** One field-level problem of a 400. `path` is a JSON Pointer into the body, e.g. `/urls/3`; `""` is the whole body. */
export const ProblemIssue = z.object({ path: z.string(), code: z.string(), message: z.string() });
export type ProblemIssue = z.infer<typeof ProblemIssue>;

/** RFC 9457 problem details, as every error response of phishnet's HTTP APIs. */
export const Problem = z.looseObject({
  type: z.string().describe('URI reference identifying the problem type: urn:phishnet:problem:<code>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  issues: z.array(ProblemIssue).optional().describe('Field-level problems (400 only)'),
}).meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

/** Titles by status: RFC 9110 §15 reason phrases. */
export const PROBLEM_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** `urn:phishnet:problem:<code>` for a kebab-case code. */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_PREFIX}${code}`;
}

/** The code of a problem `type` (`urn:phishnet:problem:queue-full` → `queue-full`), or undefined for another URI. */
export function problemCode(type: string): string | undefined {
  return type.startsWith(PROBLEM_TYPE_PREFIX) ? type.slice(PROBLEM_TYPE_PREFIX.length) : undefined;
}

/**
 * A problem body.
 * @param status HTTP status (4xx or 5xx); the title is its RFC 9110 reason phrase ({@link PROBLEM_TITLES})
 * @param code stable kebab-case code, e.g. `invalid-request`
 * @param extra `instance`, `issues` or extension members
 */
export function problem(status: number, code: string, detail: string, extra?: Partial<Problem>): Problem {
  return { type: problemType(code), title: PROBLEM_TITLES[status] ?? 'Error', status, detail, ...extra };
}

/** JSON Pointer (RFC 6901) of a zod issue path, e.g. `['urls', 3]` → `/urls/3`; `[]` → `""` (the whole body). */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
