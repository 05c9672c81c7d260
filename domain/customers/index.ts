/** The customers context's public module: customers and leads, contacts, communication history. */
export {
  archiveCustomer,
  assertNotArchived,
  createCustomer,
  getCustomer,
  listCustomers,
  readCustomer,
  restoreCustomer,
  toCustomerView,
  updateCustomer,
  type CustomerItem,
} from './customers';
export { createContact, deleteContact, listContacts, updateContact } from './contacts';
export {
  activityWrites,
  getOpportunityActivities,
  getTimeline,
  lastOpportunityActivityAt,
  logActivity,
  toActivityView,
  type ActivityInput,
} from './activities';
export { assignCustomer } from './reassignment';
export { customerInChange } from './lifecycle';
