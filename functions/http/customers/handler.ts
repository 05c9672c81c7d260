/** Customer information management: customers, contacts, communication history. */
import {
  archiveCustomer,
  createContact,
  createCustomer,
  deleteContact,
  getCustomer,
  getTimeline,
  listContacts,
  listCustomers,
  logActivity,
  restoreCustomer,
  updateContact,
  updateCustomer,
} from '../../../domain/customers';
import { created, noContent, ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { customerRoutes } from './routes';

const allowDuplicate = (query: { allowDuplicate?: 'true' | 'false' }) => query.allowDuplicate === 'true';

export const handler = createHttpHandler(customerRoutes, {
  createCustomer: async ({ deps, actor, body, query }) => {
    const customer = await createCustomer(deps, actor, body, { allowDuplicate: allowDuplicate(query) });
    return created(customer, `/customers/${customer.id}`);
  },
  listCustomers: async ({ deps, actor, query }) => ok(await listCustomers(deps, actor, query)),
  getCustomer: async ({ deps, actor, params }) => {
    const customer = await getCustomer(deps, actor, params.id);
    return ok(customer, customer.version);
  },
  updateCustomer: async ({ deps, actor, params, query, body, ifMatch }) => {
    const customer = await updateCustomer(deps, actor, params.id, body, { ifMatch, allowDuplicate: allowDuplicate(query) });
    return ok(customer, customer.version);
  },
  archiveCustomer: async ({ deps, actor, params, ifMatch }) => {
    await archiveCustomer(deps, actor, params.id, { ifMatch });
    return noContent();
  },
  restoreCustomer: async ({ deps, actor, params, ifMatch }) => {
    const customer = await restoreCustomer(deps, actor, params.id, { ifMatch });
    return ok(customer, customer.version);
  },
  createContact: async ({ deps, actor, params, query, body }) => {
    const contact = await createContact(deps, actor, params.id, body, { allowDuplicate: allowDuplicate(query) });
    return created(contact, `/customers/${params.id}/contacts/${contact.id}`);
  },
  listContacts: async ({ deps, actor, params, query }) => ok(await listContacts(deps, actor, params.id, query)),
  updateContact: async ({ deps, actor, params, query, body, ifMatch }) => {
    const contact = await updateContact(
      deps,
      actor,
      { customerId: params.id, contactId: params.contactId },
      body,
      { ifMatch, allowDuplicate: allowDuplicate(query) },
    );
    return ok(contact, contact.version);
  },
  deleteContact: async ({ deps, actor, params, ifMatch }) => {
    await deleteContact(deps, actor, { customerId: params.id, contactId: params.contactId }, { ifMatch });
    return noContent();
  },
  logActivity: async ({ deps, actor, params, body }) => {
    const activity = await logActivity(deps, actor, params.id, body);
    return created(activity, `/customers/${params.id}/timeline`);
  },
  getTimeline: async ({ deps, actor, params, query }) => ok(await getTimeline(deps, actor, params.id, query)),
});
