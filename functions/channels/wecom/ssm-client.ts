/**
 * What the resolver uses of the SSM client, re-exported by name so the bundler keeps only that: a dynamic
 * `import('@aws-sdk/client-ssm')` would keep every command and schema of the service in the artifact's SSM chunk.
 */
export { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
