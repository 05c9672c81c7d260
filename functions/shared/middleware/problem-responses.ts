import { problemFromError, PROBLEM_CONTENT_TYPE } from '../problem';
import { problemPage } from '../problem-page';
import { logger } from '../logger';
import { HTML_CONTENT_TYPE, type HttpMiddleware } from '../http';

/**
 * Attached last, so it sees every error first: turns it into a problem+json response (or, for a browser on a
 * route marked `html`, the same problem as a page with the same status). Faults (5xx) are logged with their
 * stack; client errors at info level. The error text of a fault never reaches the client.
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
      const page = request.internal.http?.html === true;
      request.response = {
        statusCode: problem.status,
        headers: {
          'content-type': page ? HTML_CONTENT_TYPE : PROBLEM_CONTENT_TYPE,
          ...(correlationId !== undefined && { 'x-correlation-id': correlationId }),
          ...headers,
        },
        body: page ? problemPage(problem) : JSON.stringify(problem),
      };
    },
  };
}
