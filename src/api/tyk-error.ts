import type { FastifyError, FastifyInstance } from 'fastify';

/** An expected failure on a Tyk-compatible route; becomes the Tyk error envelope. */
export class TykError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_AUTHORISED = 'Not authorised';

export const envelope = (message: string) => ({ Status: 'Error', Message: message, Meta: null });

/** Fastify's own client errors (bad JSON, body too large, wrong media type) keep their status. */
const fastifyMessages: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type: send application/json or application/msgpack',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
};

/**
 * The one error handler of the HTTP surface: every error body is the Tyk envelope. 4xx carry a
 * message for the caller; anything else is a bug, logged with detail and answered with a bland 500.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | TykError, request, reply) => {
    if (err instanceof TykError) return reply.code(err.statusCode).send(envelope(err.message));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        fastifyMessages[err.code] ??
        (err instanceof SyntaxError ? 'Request body is not valid JSON' : err.message);
      return reply.code(status).send(envelope(message || 'Malformed request'));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(envelope('Internal server error'));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(envelope('Not found')));
}
