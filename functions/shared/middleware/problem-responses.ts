import { problemFromError, PROBLEM_CONTENT_TYPE } from '../problem';
import { logger } from '../logger';
import type { HttpMiddleware } from '../http';

/**
 * Attached last, so it sees every error first: turns it into a problem+json response. Faults (5xx) are
 * logged with their stack; client errors at info level. The error text of a fault never reaches the client.
 */
export function problemResponses(): HttpMiddleware {
  return {
    name: 'problemResponses',
    onError: (request) => {
      if (request.response !== undefined && request.response !== null) return;
      const correlationId = request.internal.http?.correlationId;
      const { problem, headers } = problemFromError(request.error, request.event.rawPath);
      // middy sets `error` before it runs onError; it is only typed as possibly absent.
      if (problem.status >= 500) logger.error('Request failed', request.error ?? 'no error');
      else logger.info('Request refused', { status: problem.status, detail: problem.detail });
      request.response = {
        statusCode: problem.status,
        headers: {
          'content-type': PROBLEM_CONTENT_TYPE,
          ...(correlationId !== undefined && { 'x-correlation-id': correlationId }),
          ...headers,
        },
        body: JSON.stringify(problem),
      };
    },
  };
}
