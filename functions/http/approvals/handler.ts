/** Approval policy, approval requests and decisions (by API or signed link), and contracts' approval trails. */
import {
  contractApprovalTrail,
  createApprovalLinks,
  decideApproval,
  decideByLink,
  describeLink,
  getApprovalPolicy,
  listApprovals,
  putApprovalPolicy,
} from '../../../domain/approvals';
import { runtimeApprovalEngine } from '../../shared/approval-engine';
import { ok, type HttpEvent } from '../../shared/http';
import { createHttpHandler } from '../../shared/http-handler';
import { approvalRoutes } from './routes';
import { approvalLinkSecret } from '../../shared/link-secret';

export const handler = createHttpHandler(approvalRoutes, {
  listContractApprovals: async ({ deps, actor, params }) => ok(await contractApprovalTrail(deps, actor, params.id)),
  getApprovalPolicy: async ({ deps, actor }) => {
    const policy = await getApprovalPolicy(deps, actor);
    return ok(policy, policy.version);
  },
  putApprovalPolicy: async ({ deps, actor, body, ifMatch }) => {
    const policy = await putApprovalPolicy(deps, actor, body, { ifMatch });
    return ok(policy, policy.version);
  },
  listApprovals: async ({ deps, actor, query }) => ok(await listApprovals(deps, actor, query)),
  decideApproval: async ({ deps, actor, params, body }) => ok(await decideApproval(deps, runtimeApprovalEngine(), actor, params.id, body)),
  createApprovalLinks: async ({ deps, actor, params, event }) =>
    ok(await createApprovalLinks(deps, actor, params.id, { secret: await approvalLinkSecret(), baseUrl: apiBaseUrl(event) })),
  getApprovalLink: async ({ deps, params }) => ok(await describeLink(deps, params.token, await approvalLinkSecret())),
  useApprovalLink: async ({ deps, params, body }) => ok(await decideByLink(deps, runtimeApprovalEngine(), params.token, await approvalLinkSecret(), body)),
});

/** Where this API is reachable, as the caller reached it: links work on the same host and stage. */
function apiBaseUrl(event: HttpEvent): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  const stage = event.requestContext.stage && event.requestContext.stage !== '$default' ? `/${event.requestContext.stage}` : '';
  return `${proto}://${event.requestContext.domainName}${stage}`;
}
