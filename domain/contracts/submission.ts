/**
 * Use cases of a contract after its draft: submission for approval (starts the approval workflow, decided in
 * domain/approvals), the next revision of a rejected contract, and the customer's signature.
 */
import { ConflictError, ServiceUnavailableError } from '../errors';
import type { Actor } from '../shared/actor';
import type { Deps } from '../shared/ports';
import { assertVersion, versionedWrite, type WriteOptions } from '../shared/versioned-write';
import { executionName, type ApprovalEngine } from './approval-engine';
import { readContract, readContractToChange, statusChange, toContractView } from './contracts';
import { planSigning } from './rules';
import type { ContractView } from './schemas';

/**
 * Submits a draft for approval: `pending_approval`, then one workflow execution named from the contract and its
 * revision. Submitting a contract that is already pending re-sends the same start, which the engine ignores when
 * the execution runs — so a double submit starts nothing new, and a submit whose start was lost is repaired.
 */
export async function submitContract(
  deps: Deps,
  engine: ApprovalEngine,
  actor: Actor,
  contractId: string,
  options: WriteOptions = {},
): Promise<ContractView> {
  let submittedNow = false;
  const submitted = await versionedWrite(deps, {}, {
    read: () => readContractToChange(deps, actor, contractId),
    build: ({ current, opportunity }) => {
      submittedNow = current.status !== 'pending_approval';
      if (!submittedNow) return { result: current };
      // Checked here, not by the write path: a repeated submit of a pending contract is answered whatever its If-Match.
      assertVersion(current.version, options.ifMatch);
      if (current.status !== 'draft') {
        throw new ConflictError(`The contract is ${current.status}; only a draft is submitted for approval`, { contractStatus: current.status });
      }
      const revision = current.revision ?? 1;
      return statusChange(
        deps,
        actor,
        current,
        'pending_approval',
        'submit',
        // The owner the approval's separation of duties and its notifications go by: the deal's, now.
        { owner: opportunity.owner, revision, submittedBy: actor.userId, submittedAt: deps.clock.now().toISOString(), approvalChain: undefined, rejection: undefined },
        { events: [{ type: 'contract.submitted', data: { contractId, revision, total: current.moneyTerms.totals.total } }], deal: opportunity },
      );
    },
  });
  const revision = submitted.revision ?? 1;
  try {
    await engine.start(executionName(contractId, revision), { tenantId: actor.tenantId, contractId, revision });
  } catch (error) {
    // Nothing will decide the revision this call submitted: put the draft back so it can be submitted again.
    if (submittedNow) {
      await versionedWrite(deps, {}, {
        read: () => readContract(deps, actor, contractId),
        build: (current) =>
          current.status === 'pending_approval' && current.version === submitted.version
            ? statusChange(deps, actor, current, 'draft', 'submit_failed', { submittedBy: undefined, submittedAt: undefined })
            : { result: current },
      }).catch(() => undefined);
    }
    throw new ServiceUnavailableError(`The approval workflow could not be started; try again (${(error as Error).name})`, { cause: error });
  }
  return toContractView(submitted);
}

/** Turns a rejected contract into the next revision's draft, to be changed and submitted again. */
export async function reviseContract(deps: Deps, actor: Actor, contractId: string, options: WriteOptions = {}): Promise<ContractView> {
  const saved = await versionedWrite(deps, options, {
    read: () => readContractToChange(deps, actor, contractId),
    version: ({ current }) => current.version,
    build: ({ current, opportunity }) => {
      if (current.status !== 'rejected') {
        throw new ConflictError(`The contract is ${current.status}; only a rejected contract is revised`, { contractStatus: current.status });
      }
      const revision = (current.revision ?? 1) + 1;
      return statusChange(
        deps,
        actor,
        current,
        'draft',
        'revise',
        { owner: opportunity.owner, revision, submittedBy: undefined, submittedAt: undefined, approvalChain: undefined, rejection: undefined, approvedAt: undefined },
        { events: [{ type: 'contract.revised', data: { contractId, revision } }], deal: opportunity },
      );
    },
  });
  return toContractView(saved);
}

/** Records the customer's signature on an approved contract; it is active at once if its start date has come. */
export async function signContract(
  deps: Deps,
  actor: Actor,
  contractId: string,
  input: { signedBy: string; signedAt: string },
  options: WriteOptions = {},
): Promise<ContractView> {
  const saved = await versionedWrite(deps, options, {
    read: () => readContractToChange(deps, actor, contractId),
    version: ({ current }) => current.version,
    build: ({ current, opportunity }) => {
      const status = planSigning(current, input.signedAt, deps.clock.now());
      const signed = { owner: opportunity.owner, signedBy: input.signedBy, signedAt: new Date(input.signedAt).toISOString() };
      return statusChange(deps, actor, current, status, 'sign', signed, { deal: opportunity });
    },
  });
  return toContractView(saved);
}
