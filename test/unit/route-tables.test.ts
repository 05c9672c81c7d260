/**
 * The route tables of the bounded contexts and the index that joins them; and what `createHttpHandler` demands of a
 * context's operations (the `@ts-expect-error` lines are checked by `tsc`: each must be an error).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FUNCTIONS, routes } from '../../functions/http/routes';
import { ok } from '../../functions/shared/http';
import { createHttpHandler } from '../../functions/shared/http-handler';
import { ALL, bodyIsOptional, defineRoutes, routeKey } from '../../functions/shared/route';

describe('the route index', () => {
  it('joins one table per function, each in one piece, in the order of FUNCTIONS', () => {
    const runs = routes.map((route) => route.fn).filter((fn, index, all) => fn !== all[index - 1]);
    expect(runs).toEqual([...FUNCTIONS]);
  });

  it('has a folder with routes.ts and handler.ts per function under functions/http/', () => {
    const folders = readdirSync(new URL('../../functions/http/', import.meta.url), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual([...FUNCTIONS].sort());
    for (const fn of FUNCTIONS) {
      expect(readdirSync(new URL(`../../functions/http/${fn}/`, import.meta.url)).sort()).toEqual(['handler.ts', 'routes.ts']);
    }
  });

  it('names every operation and every route key once', () => {
    expect(new Set(routes.map((route) => route.id)).size).toBe(routes.length);
    expect(new Set(routes.map(routeKey)).size).toBe(routes.length);
  });

  it('knows which actions may be sent without a body: those whose body has no required field', () => {
    expect(routes.filter((route) => bodyIsOptional(route)).map((route) => route.id)).toEqual(['acceptQuote', 'rejectQuote', 'useApprovalLink', 'completeTask']);
  });
});

describe('a context table and its operations', () => {
  const table = defineRoutes('tasks', [
    {
      id: 'renameThing',
      method: 'POST',
      path: '/things/{id}/name',
      access: ALL,
      tag: 'Things',
      summary: 'Rename a thing',
      request: { params: z.object({ id: z.string() }), body: z.object({ name: z.string() }) },
      response: { status: 200, description: 'The thing' },
    },
    {
      id: 'getStatus',
      method: 'GET',
      path: '/status',
      access: 'public',
      tag: 'Things',
      summary: 'Status',
      response: { status: 200, description: 'Up' },
    },
  ]);

  it('stamps the function on every route and keeps the literal types', () => {
    expect(table.map((route) => route.fn)).toEqual(['tasks', 'tasks']);
    const ids: readonly ['renameThing', 'getStatus'] = [table[0].id, table[1].id];
    expect(ids).toEqual(['renameThing', 'getStatus']);
  });

  it('types each operation from its route', () => {
    const handler = createHttpHandler(table, {
      renameThing: async ({ params, body, actor }) => {
        const typed: { id: string; name: string; tenant: string } = { id: params.id, name: body.name, tenant: actor.tenantId };
        // @ts-expect-error: the body has no field `colour`
        return ok({ ...typed, colour: body.colour });
      },
      getStatus: async ({ actor, body }) => {
        // A public route has no actor, a route without a body schema no body.
        const none: [undefined, undefined] = [actor, body];
        return ok(none);
      },
    });
    expect(typeof handler).toBe('function');
  });

  it('needs exactly one operation per route (the compiler says so; a table built at run time is checked too)', () => {
    // @ts-expect-error: getStatus has no operation
    expect(() => createHttpHandler(table, { renameThing: async () => ok({}) })).toThrow('Function tasks has no operation for route getStatus');
    const extra = () =>
      createHttpHandler(table, {
        renameThing: async () => ok({}),
        getStatus: async () => ok({}),
        // @ts-expect-error: no route has this id
        deleteThing: async () => ok({}),
      });
    expect(extra).not.toThrow();
  });
});
