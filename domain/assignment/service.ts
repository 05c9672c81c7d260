/** Use case of assignment: the tenant's rules (admins). Reassignments are the customers' and the pipeline's use cases. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import { getAssignmentRules } from './choose';
import type { AssignmentRulesView, PutAssignmentRulesInput } from './schemas';

type RulesItem = EntityItem<SalesDb['entities']['assignmentRules']>;

export async function putAssignmentRules(deps: Deps, actor: Actor, input: PutAssignmentRulesInput, options: { ifMatch?: number }): Promise<AssignmentRulesView> {
  return versionedWrite(deps, options, {
    read: () => getAssignmentRules(deps, actor, { consistent: true }),
    version: (current) => current.version,
    build: (current) => {
      const now = deps.clock.now().toISOString();
      const next: RulesItem = { tenantId: actor.tenantId, rules: input.rules, fallbackOwner: input.fallbackOwner, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
      const log = logChange(deps, actor, now, {
        entityType: 'assignmentRules',
        entityId: actor.tenantId,
        action: 'update',
        changes: diffFields({ rules: current.rules, fallbackOwner: current.fallbackOwner }, { rules: input.rules, fallbackOwner: input.fallbackOwner }),
        events: [{ type: 'assignment_rules.updated', data: { rules: input.rules.length } }],
      });
      return {
        result: { rules: input.rules, fallbackOwner: input.fallbackOwner, version: next.version, updatedAt: now, updatedBy: actor.userId },
        write: (tx) =>
          tx
            .record(
              'assignmentRules',
              current.version === 0
                ? tx.entities.assignmentRules.create(next).commit()
                : tx.entities.assignmentRules
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit(),
            )
            .log(log),
      };
    },
  });
}
