/**
 * The HMAC key of approval links: APPROVAL_LINK_SECRET locally, or the Secrets Manager secret named by
 * APPROVAL_LINK_SECRET_ARN on AWS, read once per process on first use (./stage-secret.ts).
 */
import { stageSecret } from './stage-secret';

export function approvalLinkSecret(): Promise<string> {
  return stageSecret('APPROVAL_LINK_SECRET');
}
