import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  type StoredResponse,
} from '../../../domain/idempotency';
import type { Deps } from '../../../domain/shared/ports';
import { stateOf, type HttpMiddleware, type HttpMiddyRequest, type HttpResponse } from '../http';
import { HttpProblemError } from '../problem';
import { logger } from '../logger';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** How long a retry waits for a concurrent first attempt with the same key to answer. */
const WAIT_FOR_FIRST_ATTEMPT_MS = 10_000;
const POLL_INTERVAL_MS = 50;

/**
 * `Idempotency-Key` on POSTs the route table marks idempotent. Runs after validation, so only requests that
 * start executing are remembered; the response (2xx or 4xx) is stored and replayed, a 5xx frees the key.
 */
export function idempotency(deps: () => Deps): HttpMiddleware {
  return {
    name: 'idempotency',
    before: async (request) => {
      const state = stateOf(request);
      const key = request.event.headers?.['idempotency-key'];
      if (!state.route.idempotent || key === undefined || !state.actor) return undefined;
      if (!KEY_FORMAT.test(key)) {
        throw new HttpProblemError(400, 'Bad Request', 'Idempotency-Key must be 1–255 visible ASCII characters', [
          { path: 'headers.idempotency-key', message: 'Invalid key' },
        ]);
      }
      const ref = { tenantId: state.actor.tenantId, scope: state.actor.userId, key };
      const { event } = request;
      const requestHash = createHash('sha256')
        .update(`${event.requestContext.http.method} ${event.rawPath}?${event.rawQueryString ?? ''}\n${state.rawBody ?? ''}`)
        .digest('base64url');

      const deadline = Date.now() + WAIT_FOR_FIRST_ATTEMPT_MS;
      for (;;) {
        const claim = await claimIdempotencyKey(deps(), ref, requestHash);
        if (claim.outcome === 'run') {
          state.idempotency = ref;
          return undefined;
        }
        if (claim.outcome === 'replay') return replay(claim.response, state.correlationId);
        if (Date.now() >= deadline) {
          throw new HttpProblemError(409, 'Conflict', 'A request with this Idempotency-Key is still being processed', undefined, {
            'retry-after': '1',
          });
        }
        await sleep(POLL_INTERVAL_MS);
      }
    },
    after: async (request) => {
      await remember(request, deps());
    },
    onError: async (request) => {
      await remember(request, deps());
    },
  };
}

async function remember(request: HttpMiddyRequest, deps: Deps): Promise<void> {
  const ref = request.internal.http?.idempotency;
  const response = request.response;
  if (!ref) return;
  try {
    if (!response || (response.statusCode ?? 500) >= 500) {
      await releaseIdempotencyKey(deps, ref);
      return;
    }
    await completeIdempotencyKey(deps, ref, {
      status: response.statusCode ?? 200,
      headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)])),
      body: response.body,
    });
  } catch (error) {
    // The request itself succeeded or failed on its own terms; a lost record only costs a later retry.
    logger.error('Could not record the idempotent response', error instanceof Error ? error : String(error));
  }
}

function replay(stored: StoredResponse, correlationId: string): HttpResponse {
  return {
    statusCode: stored.status,
    headers: { ...stored.headers, 'x-correlation-id': correlationId, 'idempotent-replayed': 'true' },
    ...(stored.body !== undefined && { body: stored.body }),
  };
}
