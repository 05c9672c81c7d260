import * as z from 'zod';
import { BooleanFlag, DomainName, Email, Id, Key, PageQuery, Phone, ShortText, Timestamp, UserId, pageOf } from '../shared/schemas';
import { ACTIVITY_TYPES, BUYING_ROLES, LIFECYCLES } from './model';

export const Lifecycle = z.enum(LIFECYCLES);
const Label = ShortText(80);
const Tag = z.string().trim().min(1).max(40);

export const Address = z
  .strictObject({
    line1: ShortText(200).optional(),
    line2: ShortText(200).optional(),
    city: ShortText(100).optional(),
    region: ShortText(100).optional(),
    postalCode: ShortText(20).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 country code such as DE')
      .optional(),
  })
  .meta({ id: 'Address' });

// ---- customers ----------------------------------------------------------------------------------

export const CreateCustomerBody = z
  .strictObject({
    name: ShortText(200),
    lifecycle: Lifecycle.optional().meta({ description: 'Default `lead`' }),
    segment: Label.optional(),
    territory: Key.optional().meta({ description: 'Sales territory, e.g. emea: assignment rules and rep territories match on it' }),
    industry: Label.optional(),
    source: Label.optional(),
    tags: z.array(Tag).max(50).optional(),
    address: Address.optional(),
    domain: DomainName.optional(),
    email: Email.optional(),
    phone: Phone.optional(),
    owner: UserId.optional().meta({ description: "The owner's user id (`sub`); defaults to the caller" }),
  })
  .meta({ id: 'CreateCustomer' });

/** PATCH: every field optional; `null` clears an optional field. */
export const UpdateCustomerBody = z
  .strictObject({
    name: ShortText(200).optional(),
    lifecycle: Lifecycle.optional(),
    segment: Label.nullable().optional(),
    territory: Key.nullable().optional(),
    industry: Label.nullable().optional(),
    source: Label.nullable().optional(),
    tags: z.array(Tag).max(50).nullable().optional(),
    address: Address.nullable().optional(),
    domain: DomainName.nullable().optional(),
    email: Email.nullable().optional(),
    phone: Phone.nullable().optional(),
    owner: UserId.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateCustomer' });

export const Customer = z
  .object({
    id: z.string(),
    name: z.string(),
    lifecycle: Lifecycle,
    segment: z.string().optional(),
    territory: z.string().optional(),
    industry: z.string().optional(),
    source: z.string().optional(),
    tags: z.array(z.string()),
    address: Address.optional(),
    domain: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    owner: z.string(),
    lastContactedAt: z.string().optional(),
    customerSince: z.string().optional().meta({ description: 'When it first became a customer (lifecycle `customer`); kept if it churns' }),
    archived: z.boolean(),
    archivedAt: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Customer' });

export const CustomerIdParams = z.strictObject({ id: Id });

export const CreateCustomerQuery = z.strictObject({
  allowDuplicate: BooleanFlag.optional().meta({
    description: 'Managers and admins only: create even when the domain or email is already used',
  }),
});
export const UpdateCustomerQuery = CreateCustomerQuery;

export const ListCustomersQuery = z.strictObject({
  ...PageQuery,
  owner: UserId.optional(),
  lifecycle: Lifecycle.optional(),
  segment: Label.optional(),
  tag: Tag.optional(),
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'Name prefix, case-insensitive' }),
  archived: BooleanFlag.optional().meta({ description: '`true` lists archived customers instead of active ones' }),
});

export const CustomerPage = pageOf(Customer, 'CustomerPage');

// ---- contacts -----------------------------------------------------------------------------------

export const BuyingRole = z.enum(BUYING_ROLES);

export const CreateContactBody = z
  .strictObject({
    name: ShortText(200),
    title: ShortText(120).optional(),
    email: Email.optional(),
    phone: Phone.optional(),
    buyingRole: BuyingRole.optional(),
  })
  .meta({ id: 'CreateContact' });

export const UpdateContactBody = z
  .strictObject({
    name: ShortText(200).optional(),
    title: ShortText(120).nullable().optional(),
    email: Email.nullable().optional(),
    phone: Phone.nullable().optional(),
    buyingRole: BuyingRole.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' })
  .meta({ id: 'UpdateContact' });

export const Contact = z
  .object({
    id: z.string(),
    customerId: z.string(),
    name: z.string(),
    title: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    buyingRole: BuyingRole.optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Contact' });

export const ContactParams = z.strictObject({ id: Id, contactId: Id });
export const ListContactsQuery = z.strictObject({ ...PageQuery });
export const ContactPage = pageOf(Contact, 'ContactPage');

// ---- activities ---------------------------------------------------------------------------------

export const ActivityType = z.enum(ACTIVITY_TYPES);

export const CreateActivityBody = z
  .strictObject({
    type: ActivityType,
    subject: ShortText(200),
    body: z.string().max(20_000).optional(),
    occurredAt: Timestamp.optional().meta({ description: 'When it happened; default now; never in the future' }),
    contactId: Id.optional(),
    opportunityId: Id.optional().meta({ description: "Links the activity to one of the customer's opportunities" }),
  })
  .meta({ id: 'CreateActivity' });

/** Logging on an opportunity: the opportunity comes from the path. */
export const CreateOpportunityActivityBody = CreateActivityBody.omit({ opportunityId: true }).meta({ id: 'CreateOpportunityActivity' });

export const Activity = z
  .object({
    id: z.string(),
    customerId: z.string(),
    type: ActivityType,
    subject: z.string(),
    body: z.string().optional(),
    occurredAt: z.string(),
    contactId: z.string().optional(),
    opportunityId: z.string().optional(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .meta({ id: 'Activity' });

export const TimelineQuery = z.strictObject({ ...PageQuery });
export const TimelinePage = pageOf(Activity, 'TimelinePage');

export type CreateCustomerInput = z.infer<typeof CreateCustomerBody>;
export type UpdateCustomerInput = z.infer<typeof UpdateCustomerBody>;
export type ListCustomersInput = z.infer<typeof ListCustomersQuery>;
export type CustomerView = z.infer<typeof Customer>;
export type CreateContactInput = z.infer<typeof CreateContactBody>;
export type UpdateContactInput = z.infer<typeof UpdateContactBody>;
export type ContactView = z.infer<typeof Contact>;
export type CreateActivityInput = z.infer<typeof CreateActivityBody>;
export type ActivityView = z.infer<typeof Activity>;
