import {
  SsmWebhookError,
  type SsmFailure,
  type WebhookRefError,
} from '../../functions/channels/wecom/index.ts';

// The local steps that fix each SSM failure; the Lambda has its role and region, so only a person at a shell needs them.
const SSM_ADVICE: Record<SsmFailure, (path: string) => string | undefined> = {
  'no-region': () =>
    'set the region that holds the parameter: export AWS_REGION=ap-southeast-1 ' +
    '(or an AWS_PROFILE whose ~/.aws/config has a region)',
  'no-credentials': () =>
    'give the AWS SDK credentials: export AWS_PROFILE=<profile> (after `aws sso login --profile <profile>` ' +
    'if it uses SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  'credentials-rejected': () =>
    'the credentials are wrong or expired: renew them (`aws sso login`, new access keys) and check that ' +
    'AWS_PROFILE names the account that holds the parameter',
  'access-denied': (path) =>
    `let these credentials read it: ssm:GetParameters on the parameter ${path}, and kms:Decrypt on its key ` +
    'if the SecureString uses a customer-managed KMS key',
  'parameter-not-found': (path) =>
    `create it: aws ssm put-parameter --type SecureString --name ${path} --value <robot key>; ` +
    'or, if it exists, point AWS_PROFILE and AWS_REGION at the account and region that hold it',
  unreachable: () => 'check that this machine reaches ssm.<region>.amazonaws.com (network, VPN, HTTPS_PROXY)',
  throttled: () => undefined,
  'server-error': () => undefined,
  unexpected: () => undefined,
};

const WITHOUT_AWS =
  'to test without AWS, set the receiver\'s webhook to "env:WECOM_ROBOT_KEY" and run ' +
  'WECOM_ROBOT_KEY=<robot key> npx kube-wecom send-test …';

/**
 * What a person running `send-test` should do about a webhook reference that did not resolve: set up what SSM
 * lacks, or test without AWS through an `env:` reference. Empty when there is nothing better than trying again.
 */
export function webhookAdvice(error: WebhookRefError, ref: string): string[] {
  if (ref.startsWith('env:')) {
    return [
      `export ${ref.slice(4)}=<robot key> (the part after key= in the robot's webhook URL; the whole URL works too)`,
    ];
  }
  if (!(error instanceof SsmWebhookError)) return [];
  const advice = SSM_ADVICE[error.failure](ref.slice(4));
  const lines = advice === undefined ? [] : [advice];
  if (!error.retryable) lines.push(WITHOUT_AWS);
  return lines;
}
