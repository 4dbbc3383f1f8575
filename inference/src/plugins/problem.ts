/**
 * RFC 9457 problem details: one error handler and one not-found handler for the whole app. 4xx errors pass through
 * with their message (Fastify's body-parser messages never echo the body); 5xx are logged and masked.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem details object (RFC 9457 §3); `code` and `errors` are extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable machine-readable code, e.g. `INVALID_BODY`, `TOO_MANY_URLS`, `QUEUE_FULL`. */
  code: string;
  /** Field-level issues: `path` is a JSON path such as `urls.3`; `index` is set for per-URL errors. */
  errors?: { path: string; message: string; code: string; index?: number }[];
}

/**
 * Sends an `application/problem+json` response with `type: about:blank` and the status phrase as title.
 * @param headers extra headers (e.g. `retry-after` in seconds)
 */
export function sendProblem(
  reply: FastifyReply, status: number, code: string, detail: string,
  errors?: Problem['errors'], headers?: Record<string, string>,
): FastifyReply {
  const body: Problem = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, code, ...(errors ? { errors } : {}) };
  if (headers) reply.headers(headers);
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}

async function problemPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status < 500) {
      return sendProblem(reply, status, err.code ?? 'BAD_REQUEST', err.message);
    }
    req.log.error({ err }, 'request failed');
    return sendProblem(reply, status, 'INTERNAL', 'internal error; see the service log');
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`));
}

/** Registers the problem+json error and not-found handlers. */
export default fp(problemPlugin, { name: 'problem', fastify: '5.x' });
