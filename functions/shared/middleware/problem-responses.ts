import type { MiddlewareObj } from '@middy/core';
import { problemFromError, PROBLEM_CONTENT_TYPE } from '../problem';
import { logger } from '../runtime';
import { findState, type HttpMiddyRequest } from '../http';

/**
 * Attached last, so it sees every error first: turns it into a problem+json response. Faults (5xx) are
 * logged with their stack; client errors at info level. The error text of a fault never reaches the client.
 */
export function problemResponses(): MiddlewareObj {
  return {
    name: 'problemResponses',
    onError: (request: HttpMiddyRequest) => {
      if (request.response !== undefined && request.response !== null) return;
      const state = findState(request.event);
      const { problem, headers } = problemFromError(request.error, request.event.rawPath);
      if (problem.status >= 500) logger.error('Request failed', request.error as Error);
      else logger.info('Request refused', { status: problem.status, detail: problem.detail });
      request.response = {
        statusCode: problem.status,
        headers: {
          'content-type': PROBLEM_CONTENT_TYPE,
          ...(state?.correlationId !== undefined && { 'x-correlation-id': state.correlationId }),
          ...headers,
        },
        body: JSON.stringify(problem),
      };
    },
  } as MiddlewareObj;
}
