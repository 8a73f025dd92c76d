import type { BundleInput } from '../../../functions/bundle/index.ts';

/** Environment variable → robot key, one robot per receiver of {@link FAULT_BUNDLE}. */
export const ROBOTS: Record<string, string> = {
  WECOM_OPS: 'ops-7a1c9e20-robot',
  WECOM_PAY: 'pay-3b8d4f51-robot',
  WECOM_WEB: 'web-9e2a6c73-robot',
  WECOM_PLATFORM: 'platform-5d0f1b84-robot',
};

/**
 * A production-like bundle for the event mix: node trouble to the platform robot (text), pay and web Warnings to
 * their teams' robots (pay @-mentions its owners from the namespace annotation; web uses markdown_v2), all other
 * Warnings to ops as per-namespace digests, rollouts to web on every change, and the sandbox silenced. Normal
 * lifecycle noise has no route. Every route digests, as a busy cluster's bundle should.
 */
export const FAULT_BUNDLE: BundleInput = {
  version: 1,
  receivers: {
    ops: { webhook: 'env:WECOM_OPS', msgtype: 'markdown' },
    pay: { webhook: 'env:WECOM_PAY', msgtype: 'markdown' },
    web: { webhook: 'env:WECOM_WEB', msgtype: 'markdown_v2' },
    platform: { webhook: 'env:WECOM_PLATFORM', msgtype: 'text' },
  },
  routes: [
    {
      name: 'nodes',
      match: { kinds: ['Node'] },
      receivers: ['platform'],
      group: { by: ['reason'] },
      stop: true,
    },
    {
      name: 'pay',
      match: { namespaces: ['pay'], types: ['Warning'] },
      receivers: ['pay'],
      mentions: { fromNamespaceAnnotation: 'kube-wecom/owners' },
      group: { by: ['reason'] },
    },
    {
      name: 'web',
      match: { namespaces: ['web'], types: ['Warning'] },
      receivers: ['web'],
      group: { by: ['reason'] },
    },
    {
      name: 'warnings',
      match: { types: ['Warning'] },
      exclude: { namespaces: ['pay', 'web'] },
      receivers: ['ops'],
      group: { by: ['namespace'] },
    },
    {
      name: 'rollouts',
      match: { reasons: ['ScalingReplicaSet'] },
      receivers: ['web'],
      repeat: 'always',
      group: { by: ['kind'] },
    },
  ],
  silences: [
    {
      match: { namespaces: ['sandbox'] },
      endsAt: '2099-01-01T00:00:00Z',
      comment: 'sandbox is noisy by design',
    },
  ],
};
