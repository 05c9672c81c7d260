import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/http/routes';
import { isCollectionRead } from '../../bench/scale';

describe('the reads the scale comparison measures', () => {
  const measured = routes.filter(isCollectionRead).map((route) => `${route.method} ${route.path}`);

  it('takes every list, timeline, history and feed of the route table', () => {
    expect(measured).toEqual(expect.arrayContaining(['GET /customers', 'GET /customers/{id}/timeline', 'GET /opportunities/{id}/history', 'GET /events', 'GET /me/tasks']));
  });

  it('leaves out single records, writes and public routes', () => {
    expect(measured).not.toContain('GET /customers/{id}');
    expect(measured).not.toContain('POST /customers');
    expect(measured).not.toContain('GET /health');
  });
});
