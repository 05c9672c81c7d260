/** Use cases of the SLA policy: what a tenant starts with, and what its admins change. */
import type { EntityItem } from 'electrodb';
import type { SalesDb } from '../db';
import type { Actor } from '../shared/actor';
import { logChange } from '../shared/change-log';
import type { Deps } from '../shared/ports';
import { diffFields } from '../shared/records';
import { versionedWrite } from '../shared/versioned-write';
import type { StoredCalendar, StoredSlaTarget, TicketPriority } from './model';
import type { SlaPolicyInput, SlaPolicyView } from './schemas';

type SlaPolicyItem = EntityItem<SalesDb['entities']['slaPolicy']>;

const WEEKDAY_HOURS: [string, string][] = [['09:00', '17:00']];

/**
 * A new tenant's policy: office hours Monday to Friday, 09:00–17:00 UTC (an admin sets the real zone and holidays);
 * urgent tickets on the clock around the hour, the others in business hours.
 */
export const DEFAULT_SLA_POLICY: Omit<SlaPolicyView, 'version'> = {
  calendar: { timezone: 'UTC', hours: { mon: WEEKDAY_HOURS, tue: WEEKDAY_HOURS, wed: WEEKDAY_HOURS, thu: WEEKDAY_HOURS, fri: WEEKDAY_HOURS }, holidays: [] },
  targets: {
    urgent: { firstResponseMinutes: 60, resolutionMinutes: 240, businessHours: false },
    high: { firstResponseMinutes: 120, resolutionMinutes: 960, businessHours: true },
    normal: { firstResponseMinutes: 480, resolutionMinutes: 2400, businessHours: true },
    low: { firstResponseMinutes: 960, resolutionMinutes: 4800, businessHours: true },
  },
  atRiskPercent: 80,
  escalateTo: { role: 'manager' },
};

export async function getSlaPolicy(deps: Deps, actor: Actor, options: { consistent?: boolean } = {}): Promise<SlaPolicyView> {
  const { data } = await deps.db.entities.slaPolicy.get({ tenantId: actor.tenantId }).go(options);
  if (!data) return { ...DEFAULT_SLA_POLICY, version: 0 };
  return {
    calendar: data.calendar,
    targets: data.targets,
    atRiskPercent: data.atRiskPercent,
    escalateTo: data.escalateTo,
    version: data.version,
    updatedAt: data.updatedAt,
    updatedBy: data.updatedBy,
  };
}

/** Replaces the policy (admins). Tickets already open keep the terms they were opened on. */
export async function putSlaPolicy(deps: Deps, actor: Actor, input: SlaPolicyInput, options: { ifMatch?: number }): Promise<SlaPolicyView> {
  return versionedWrite(deps, options, {
    read: () => getSlaPolicy(deps, actor, { consistent: true }),
    version: (current) => current.version,
    build: (current) => {
      const now = deps.clock.now().toISOString();
      const policy = {
        calendar: { timezone: input.calendar.timezone, hours: input.calendar.hours as StoredCalendar['hours'], holidays: [...new Set(input.calendar.holidays)].sort() },
        targets: input.targets as Record<TicketPriority, StoredSlaTarget>,
        atRiskPercent: input.atRiskPercent,
        escalateTo: input.escalateTo,
      };
      const next: SlaPolicyItem = { tenantId: actor.tenantId, ...policy, updatedAt: now, updatedBy: actor.userId, version: current.version + 1 };
      const { version: _version, updatedAt: _at, updatedBy: _by, ...before } = current;
      const changes = diffFields(before, policy);
      const log = logChange(deps, actor, now, {
        entityType: 'slaPolicy',
        entityId: actor.tenantId,
        action: 'update',
        changes,
        events: [{ type: 'sla_policy.updated', data: { changed: Object.keys(changes) } }],
      });
      return {
        result: { ...policy, version: next.version, updatedAt: now, updatedBy: actor.userId },
        write: (tx) =>
          tx
            .record(
              'slaPolicy',
              current.version === 0
                ? tx.entities.slaPolicy.create(next).commit()
                : tx.entities.slaPolicy
                    .put(next)
                    .where((attr, op) => op.eq(attr.version, current.version))
                    .commit(),
            )
            .log(log),
      };
    },
  });
}
