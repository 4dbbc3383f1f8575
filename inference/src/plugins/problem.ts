/**
 * RFC 9457 problem details in phishnet's one dialect (`@phishnet/api` problem.ts: `urn:phishnet:problem:<code>` types,
 * kebab-case codes, field issues in `issues` with JSON Pointer paths): one error handler and one not-found handler
 * for the whole app. 4xx errors pass through with their message (Fastify's body-parser messages never echo the body);
 * 5xx are logged and masked.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { PROBLEM_CONTENT_TYPE, problem, type ProblemIssue } from '@phishnet/api';

/**
 * Sends an `application/problem+json` response.
 * @param code stable kebab-case code (the end of `type`), e.g. `queue-full`
 * @param headers extra headers (e.g. `retry-after` in seconds)
 */
export function sendProblem(
  reply: FastifyReply, status: number, code: string, detail: string,
  issues?: ProblemIssue[], headers?: Record<string, string>,
): FastifyReply {
  if (headers) reply.headers(headers);
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problem(status, code, detail, { instance: reply.request.url, ...(issues ? { issues } : {}) }));
}

/** Problem codes of Fastify's own 4xx errors (body parsing, routing); anything else is `bad-request`. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json', FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large', FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request', 'invalid-utf8': 'invalid-utf8',
};

async function problemPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status < 500) {
      const code = (err.code && FASTIFY_CODES[err.code]) ?? (err instanceof SyntaxError ? 'invalid-json' : 'bad-request');
      return sendProblem(reply, status, code, err.message);
    }
    req.log.error({ err }, 'request failed');
    return sendProblem(reply, status, 'internal', 'internal error; see the service log');
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'not-found', `no route ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`));
}

/** Registers the problem+json error and not-found handlers. */
export default fp(problemPlugin, { name: 'problem', fastify: '5.x' });
