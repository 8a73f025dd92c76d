'use strict';
// IRSA trust condition for the forwarder role. The condition keys are `<oidc provider>:sub` and `:aud`, and
// serverless does not resolve variables in YAML keys, so this builds the object from the stage's params.

/** Resolves to the `Condition` block that admits only `system:serviceaccount:<namespace>:<service account>`. */
module.exports = async ({ resolveVariable }) => {
  const provider = String(await resolveVariable('param:forwarderOidcProvider')).replace(/^https:\/\//, '');
  const namespace = await resolveVariable('param:forwarderNamespace');
  const serviceAccount = await resolveVariable('param:forwarderServiceAccount');
  return {
    StringEquals: {
      [`${provider}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
      [`${provider}:aud`]: 'sts.amazonaws.com',
    },
  };
};
