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
  renderLinkDecided,
  renderLinkPage,
  revokeApprovalLinks,
} from '../../../domain/approvals';
import { ValidationError } from '../../../domain/errors';
import { runtimeApprovalEngine } from '../../shared/approval-engine';
import { htmlPage, ok, type HttpEvent } from '../../shared/http';
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
  // A browser (html) gets the link's page and its confirmation; errors are pages too (the chain renders them).
  getApprovalLink: async ({ deps, params, html }) => {
    const view = await describeLink(deps, params.token, await approvalLinkSecret());
    return html ? htmlPage(200, renderLinkPage(view)) : ok(view);
  },
  revokeApprovalLinks: async ({ deps, actor, body }) => ok(await revokeApprovalLinks(deps, actor, body)),
  useApprovalLink: async ({ deps, params, body, html }) => {
    const secret = await approvalLinkSecret();
    const decide = () => decideByLink(deps, runtimeApprovalEngine(), params.token, secret, body);
    if (!html) return ok(await decide());
    try {
      return htmlPage(200, renderLinkDecided(await decide()));
    } catch (error) {
      // Refused as it was filled in (a rejection without its reason): the form again, saying why, as typed.
      if (!(error instanceof ValidationError)) throw error;
      return htmlPage(400, renderLinkPage(await describeLink(deps, params.token, secret), { problem: error.message, comment: body.comment }));
    }
  },
});

/** Where this API is reachable, as the caller reached it: links work on the same host and stage. */
function apiBaseUrl(event: HttpEvent): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  const stage = event.requestContext.stage && event.requestContext.stage !== '$default' ? `/${event.requestContext.stage}` : '';
  return `${proto}://${event.requestContext.domainName}${stage}`;
}
