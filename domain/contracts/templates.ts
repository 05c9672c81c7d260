/** Use cases: contract templates (admins). A version never changes, so a contract always shows the text it was made from. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import { NotFoundError, UnprocessableError, ValidationError } from '../errors';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import { readPage, type Page, type PageRequest } from '../shared/pagination';
import type { Deps } from '../shared/ports';
import { createWrite } from '../shared/versioned-write';
import { templateIssues, templateRefusals } from './placeholders';
import type { ContractTemplateView, CreateTemplateInput } from './schemas';

export type TemplateItem = EntityItem<SalesDb['entities']['contractTemplate']>;

/**
 * Saves a template, or with `replaces` the next version of one. A tag or filter that contract templates may not
 * use (reading files, unescaped output, object dumps) is refused (400, naming it); a syntax error or an unknown
 * placeholder too (422).
 */
export async function createTemplate(deps: Deps, actor: Actor, input: CreateTemplateInput): Promise<ContractTemplateView> {
  const refused = templateRefusals(input.body);
  if (refused.length > 0) throw new ValidationError('The template uses what contract templates may not', refused);
  const issues = templateIssues(input.body);
  if (issues.length > 0) throw new UnprocessableError('The template cannot be used as it is', issues);
  const previous = input.replaces ? await readTemplate(deps, actor, input.replaces) : undefined;
  return createWrite(deps, async () => {
    let templateVersion = 1;
    if (previous) {
      const { data } = await deps.db.entities.contractTemplate.query
        .byKey({ tenantId: actor.tenantId })
        .begins({ templateKey: previous.templateKey })
        .go({ order: 'desc', limit: 1 });
      templateVersion = (data[0]?.templateVersion ?? previous.templateVersion) + 1;
    }
    const now = deps.clock.now().toISOString();
    const templateId = deps.ids.next();
    const template: TemplateItem = {
      tenantId: actor.tenantId,
      templateId,
      templateKey: previous?.templateKey ?? templateId,
      templateVersion,
      name: input.name,
      body: input.body,
      createdAt: now,
      createdBy: actor.userId,
    };
    const log = logChange(deps, actor, now, {
      entityType: 'contractTemplate',
      entityId: templateId,
      action: 'create',
      changes: { name: { to: input.name }, version: { to: templateVersion } },
      events: [{ type: 'contract_template.created', data: { templateId, templateKey: template.templateKey, version: templateVersion } }],
    });
    return { result: toTemplateView(template), write: (tx) => tx.put('contractTemplate', tx.entities.contractTemplate.create(template).commit()).log(log) };
  });
}

export async function listTemplates(deps: Deps, actor: Actor, input: PageRequest): Promise<Page<ContractTemplateView>> {
  const page = await readPage(deps, `${actor.tenantId}|templates`, input, deps.db.entities.contractTemplate.query.byKey({ tenantId: actor.tenantId }));
  return { ...page, items: page.items.map(toTemplateView) };
}

export async function readTemplate(deps: Deps, actor: Actor, templateId: string): Promise<TemplateItem> {
  const { data } = await deps.db.entities.contractTemplate.get({ tenantId: actor.tenantId, templateId }).go();
  if (!data) throw new NotFoundError(`Contract template ${templateId} not found`);
  return data;
}

function toTemplateView(item: TemplateItem): ContractTemplateView {
  return {
    id: item.templateId,
    templateKey: item.templateKey,
    version: item.templateVersion,
    name: item.name,
    body: item.body,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
  };
}
