/** Tasks and follow-ups: create, list, change, complete; the caller's own list. */
import { completeTask, createTask, getTask, listTasks, myTasks, updateTask } from '../../../domain/tasks';
import { created, ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { taskRoutes } from './routes';

export const handler = createHttpHandler(taskRoutes, {
  createTask: async ({ deps, actor, body }) => {
    const task = await createTask(deps, actor, body);
    return created(task, `/tasks/${task.id}`);
  },
  listTasks: async ({ deps, actor, query }) => ok(await listTasks(deps, actor, query)),
  getTask: async ({ deps, actor, params }) => {
    const task = await getTask(deps, actor, params.id);
    return ok(task, task.version);
  },
  updateTask: async ({ deps, actor, params, body, ifMatch }) => {
    const task = await updateTask(deps, actor, params.id, body, { ifMatch });
    return ok(task, task.version);
  },
  completeTask: async ({ deps, actor, params, body, ifMatch }) => {
    const task = await completeTask(deps, actor, params.id, body, { ifMatch });
    return ok(task, task.version);
  },
  listMyTasks: async ({ deps, actor, query }) => ok(await myTasks(deps, actor, query)),
});
