/**
 * Errors as RFC 9457 problem details (`application/problem+json`), one error handler for the whole app, strict JSON
 * body parsing: application/json only (anything else → 415); a `Content-Encoding` other than identity → 415 (bodies
 * are never decompressed: RFC 9110 §8.4.1 lets a server refuse an encoding it does not support with 415); a
 * `charset` parameter other than UTF-8 → 415 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8); invalid
 * UTF-8 → 400.
 * 4xx pass through with their message; 5xx are masked (logged, never shown).
 */
import fp from 'fastify-plugin';
import { MIMEType } from 'node:util';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { NoVerdictError } from '../upstream/errors.ts';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { PROBLEM_CONTENT_TYPE, problem, type Problem, type ProblemIssue } from '@phishnet/api';


/** A 400 caused by input the schema accepted but the domain rejects (e.g. a URL that cannot be canonicalized). */
export class InputError extends Error {
  readonly statusCode = 400;
  readonly issues: ProblemIssue[];

  constructor(message: string, issues: ProblemIssue[]) {
    super(message);
    this.name = 'InputError';
    this.issues = issues;
  }
}


/**
 * Fastify's `clientErrorHandler` (Node's 'clientError'): a request Node's HTTP parser refused before any route saw it
 * — a bad request line, an invalid header, headers over Node's limit (16 KiB by default), a request that did not
 * arrive in time — is answered with a problem+json body and the connection closed, like every other error. Statuses:
 * 431 header overflow (`header-too-large`), 408 request timeout (`request-timeout`), else 400 (`bad-request`, the
 * parser's reason in `detail`). Nothing is written when the peer already reset or closed the connection.
 */
export function clientErrorHandler(err: Error & { code?: string; reason?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let code = 'bad-request';
  let detail = `malformed HTTP request${err.reason ? `: ${err.reason}` : ''}`;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    [status, code, detail] = [431, 'header-too-large', 'request headers exceed the size limit'];
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    [status, code, detail] = [408, 'request-timeout', 'the request did not arrive in time'];
  }
  if (socket.writable) {
    const body = JSON.stringify(problem(status, code, detail));
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n`
      + `content-length: ${Buffer.byteLength(body)}\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\n`
      + `connection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Sends a problem+json response (`@phishnet/api` problem()). `code` is a stable kebab-case slug (part of `type`). */
export function sendProblem(reply: FastifyReply, status: number, code: string, detail: string, extra?: Partial<Problem>): FastifyReply {
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem(status, code, detail, { instance: reply.request.url, ...extra }));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A 4xx raised while parsing a body, with its problem code (kebab-case, part of `type`). */
function bodyError(status: number, code: string, message: string): FastifyError {
  const err = new Error(message) as FastifyError;
  err.statusCode = status;
  err.code = code;
  return err;
}

/**
 * Why a JSON body cannot be read as sent, or null: a `Content-Encoding` other than identity, or a `charset` other
 * than UTF-8 in `Content-Type` (parsed with node:util MIMEType, WHATWG MIME rules; only when it has parameters).
 */
function bodyEncodingError(headers: IncomingHttpHeaders): FastifyError | null {
  const enc = headers['content-encoding'];
  if (enc !== undefined && enc.trim().toLowerCase() !== 'identity') {
    return bodyError(415, 'unsupported-content-encoding',
      `Content-Encoding ${JSON.stringify(enc.slice(0, 40))} is not supported; send the body uncompressed (identity)`);
  }
  const type = headers['content-type'];
  if (type !== undefined && type.includes(';')) {
    let charset: string | undefined;
    try {
      charset = new MIMEType(type).params.get('charset') ?? undefined;
    } catch {
      return bodyError(415, 'unsupported-media-type', 'Content-Type is not a valid media type');
    }
    if (charset !== undefined && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
      return bodyError(415, 'unsupported-charset', `charset ${JSON.stringify(charset.slice(0, 40))} is not supported; JSON bodies must be UTF-8`);
    }
  }
  return null;
}

export default fp(async function problemPlugin(app: FastifyInstance, opts: { metrics: GatewayMetrics }) {
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const refused = bodyEncodingError(req.headers);
    if (refused !== null) {
      done(refused, undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(bodyError(400, 'invalid-utf8', 'request body is not valid UTF-8'), undefined);
      return;
    }
    jsonParser(req, text, done);
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'not-found', `no route ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({ path: v.instancePath, code: v.keyword, message: v.message ?? 'invalid' }));
      return sendProblem(reply, 400, 'invalid-request', 'the request body does not match the schema', { issues });
    }
    if (err instanceof InputError) return sendProblem(reply, 400, 'invalid-url', err.message, { issues: err.issues });
    if (err instanceof NoVerdictError) {
      reply.header('retry-after', String(err.retryAfterSeconds));
      req.log.warn({ err: { code: err.code, cause: (err.cause as Error | undefined)?.message } }, 'no verdict');
      return sendProblem(reply, 503, 'no-verdict', err.message);
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      opts.metrics.rateLimited.inc();
      return sendProblem(reply, 429, 'rate-limited', err.message);
    }
    if (status >= 400 && status < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported-media-type'
        : err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body-too-large'
          : err.code === 'invalid-utf8' || err.code === 'unsupported-content-encoding' || err.code === 'unsupported-charset'
            || err.code === 'unsupported-media-type' ? err.code
            : err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'invalid-json'
              : (err.code ?? 'client-error').toLowerCase();
      return sendProblem(reply, status, code, err.message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 500, 'internal', 'internal error');
  });
}, { name: 'phishnet-problem' });
