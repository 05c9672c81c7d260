/** Contract templates and contracts. */
import {
  contractDocument,
  createContract,
  createTemplate,
  getContract,
  listContracts,
  listTemplates,
  reviseContract,
  signContract,
  submitContract,
  updateContract,
} from '../../../domain/contracts';
import { runtimeApprovalEngine } from '../../shared/approval-engine';
import { created, htmlDocument, ok } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { contractRoutes } from './routes';

export const handler = createHttpHandler(contractRoutes, {
  createContractTemplate: async ({ deps, actor, body }) => {
    const template = await createTemplate(deps, actor, body);
    return created(template, `/contract-templates/${template.id}`);
  },
  listContractTemplates: async ({ deps, actor, query }) => ok(await listTemplates(deps, actor, query)),
  createContract: async ({ deps, actor, params, body }) => {
    const contract = await createContract(deps, actor, params.id, body);
    return created(contract, `/contracts/${contract.id}`);
  },
  listContracts: async ({ deps, actor, query }) => ok(await listContracts(deps, actor, query)),
  getContract: async ({ deps, actor, params }) => {
    const contract = await getContract(deps, actor, params.id);
    return ok(contract, contract.version);
  },
  updateContract: async ({ deps, actor, params, body, ifMatch }) => {
    const contract = await updateContract(deps, actor, params.id, body, { ifMatch });
    return ok(contract, contract.version);
  },
  signContract: async ({ deps, actor, params, body, ifMatch }) => {
    const contract = await signContract(deps, actor, params.id, body, { ifMatch });
    return ok(contract, contract.version);
  },
  submitContract: async ({ deps, actor, params, ifMatch }) => {
    const contract = await submitContract(deps, runtimeApprovalEngine(), actor, params.id, { ifMatch });
    return ok(contract, contract.version);
  },
  reviseContract: async ({ deps, actor, params, ifMatch }) => {
    const contract = await reviseContract(deps, actor, params.id, { ifMatch });
    return ok(contract, contract.version);
  },
  getContractDocument: async ({ deps, actor, params }) => {
    const contract = await getContract(deps, actor, params.id);
    return htmlDocument(contractDocument(contract));
  },
});

