import { hostname } from 'node:os';
import { Command } from 'commander';
import { noteNodeVersionForAws } from '../aws-sdk-node-notice.ts';
import type { Bundle, Receiver } from '../../functions/bundle/index.ts';
import type { WebhookResolver } from '../../functions/channels/wecom/index.ts';
import { BUNDLE_RULE, chooseBundle, takesBundle, type ParsedBundleOptions } from './bundle-argument.ts';

/** `kube-wecom send-test`: one real message to one receiver, to check its webhook before relying on it. */
export const sendTestCommand = takesBundle(
  new Command('send-test').description(
    "Send one test message to a receiver and print the platform's answer with its errcode explained (exit 1 if it failed)",
  ),
)
  .requiredOption('-r, --receiver <name>', 'receiver to send to (a key of "receivers" in the bundle)')
  .option(
    '-m, --message <text>',
    'message content (default: a test message naming the receiver, host and time)',
  )
  .option('--timeout <seconds>', "give up after this long, waits for WeCom's rate limit included", '90')
  .addHelpText(
    'after',
    "\nThe receiver's webhook is resolved as the function would: env:NAME from this environment, ssm:/path with " +
      'your AWS credentials.\nHosts other than qyapi.weixin.qq.com (an emulator, a proxy) must be listed in ' +
      `KUBE_WECOM_ALLOWED_WEBHOOK_HOSTS=host:port,…\n\n${BUNDLE_RULE}\n\nExamples:\n` +
      '  npx kube-wecom send-test config/dev.json --receiver platform-group\n' +
      '  WECOM_PLATFORM_ONCALL=<robot key> npx kube-wecom send-test --receiver platform-oncall',
  )
  .action(async (bundle: string | undefined, options: ParsedBundleOptions<SendTestOptions>) => {
    const config = chooseBundle(bundle, options.config, process.stderr);
    process.exitCode = await runSendTest(
      { ...options, config },
      {
        stdout: process.stdout,
        stderr: process.stderr,
        env: process.env,
      },
    );
  });

/** Options of `send-test`. */
export interface SendTestOptions {
  config: string;
  receiver: string;
  message?: string;
  timeout: string;
}

/** Where `send-test` writes and which environment resolves `env:` webhooks and allowed hosts. */
export interface SendTestIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/** Sends the test message and reports WeCom's answer; returns the exit code (0 delivered, 1 anything else). */
export async function runSendTest(options: SendTestOptions, io: SendTestIo): Promise<number> {
  const [bundles, wecom, { webhookAdvice }] = await Promise.all([
    import('../../functions/bundle/index.ts'),
    import('../../functions/channels/wecom/index.ts'),
    import('../send-test/webhook-advice.ts'),
  ]);
  const timeoutSeconds = Number(options.timeout);
  if (!(timeoutSeconds > 0)) {
    io.stderr.write(`--timeout: expected a positive number of seconds, got "${options.timeout}"\n`);
    return 1;
  }

  let bundle: Bundle;
  try {
    ({ bundle } = await bundles.loadBundle(options.config));
  } catch (err) {
    if (!(err instanceof bundles.BundleError)) throw err;
    for (const problem of err.problems) io.stderr.write(`${bundles.formatProblem(problem)}\n`);
    io.stderr.write(`${options.config}: not a valid rules bundle; run kube-wecom validate\n`);
    return 1;
  }
  const receiver = bundle.receivers[options.receiver];
  if (!receiver) {
    io.stderr.write(
      `no receiver "${options.receiver}" in ${options.config}; receivers: ${Object.keys(bundle.receivers).join(', ')}\n`,
    );
    return 1;
  }

  const say = (message: string, fields?: object) =>
    void io.stderr.write(`${message} ${JSON.stringify(fields)}\n`);
  const logger = { debug() {}, info() {}, warn: say, error: say };
  if (receiver.webhook.startsWith('ssm:')) noteNodeVersionForAws(io.stderr);
  const content =
    options.message ??
    `kube-wecom test message for receiver "${options.receiver}" from ${hostname()} at ${new Date().toISOString()}`;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const resolver = new wecom.WebhookResolver({ env: io.env });
  if (receiver.channel !== 'wecom') return sendToChannel(receiver, content, deadline, resolver, options, io);
  const msgtype = bundles.msgtypeOf(receiver);
  try {
    const webhook = await resolver.resolve(receiver.webhook);
    io.stdout.write(`sending a ${msgtype} message to ${options.receiver}: ${wecom.redactWebhook(webhook)}\n`);
    const client = new wecom.WecomClient({ allowedHosts: wecom.allowedHostsFromEnv(io.env), logger });
    const result = await client.send(
      webhook,
      { msgtype, [msgtype]: { content } },
      { deadline, maxMessagesPerMinute: receiver.maxMessagesPerMinute },
    );
    io.stdout.write(`WeCom answered errcode 0: ${result.errmsg} (after ${result.attempts} attempt(s))\n`);
    io.stdout.write(`  meaning: ${wecom.explainErrcode(0).meaning}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof wecom.WecomError)) throw err;
    if (err.errcode === null) {
      io.stdout.write(`failed: ${err.message}\n`);
      if (err instanceof wecom.WebhookRefError)
        for (const advice of webhookAdvice(err, receiver.webhook))
          io.stdout.write(`  what to do: ${advice}\n`);
    } else {
      const info = wecom.explainErrcode(err.errcode);
      io.stdout.write(
        `WeCom answered errcode ${err.errcode}: ${err.errmsg} (after ${err.attempts} attempt(s))\n`,
      );
      io.stdout.write(`  meaning: ${info.meaning}\n  what to do: ${info.action}\n`);
    }
    if (err.retryable) io.stdout.write('  this failure is transient: trying again later may succeed\n');
    return 1;
  }
}

/**
 * The test message on a channel other than WeCom group robots: built as the function builds it (escaped, signed,
 * with keywords, recipients or the body template) and sent once through the same delivery; the platform's answer
 * is explained from the channel's errcode table.
 */
async function sendToChannel(
  receiver: Receiver,
  content: string,
  deadline: number,
  resolver: WebhookResolver,
  options: SendTestOptions,
  io: SendTestIo,
): Promise<number> {
  const [{ channelRendering }, { ChannelDelivery }, delivery, wecom] = await Promise.all([
    import('../../functions/render/index.ts'),
    import('../../functions/lambda/channel-delivery.ts'),
    import('../../functions/channels/delivery/index.ts'),
    import('../../functions/channels/wecom/index.ts'),
  ]);
  const rendering = channelRendering(receiver)!;
  const { body } = rendering.message(rendering.escape(content), NO_ONE, undefined);
  try {
    const url = await resolver.resolve(receiver.webhook);
    io.stdout.write(
      `sending a ${rendering.channel} ${rendering.msgtype} message to ${options.receiver}: ${delivery.redactUrl(url)}\n`,
    );
    const channels = new ChannelDelivery(resolver, { allowedHosts: wecom.allowedHostsFromEnv(io.env) });
    await channels.send(receiver as Receiver & { channel: typeof rendering.channel }, url, body, deadline);
    io.stdout.write(`${rendering.channel} accepted the message\n`);
    return 0;
  } catch (err) {
    if (err instanceof wecom.WecomError) {
      io.stdout.write(`failed: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof delivery.ChannelError)) throw err;
    io.stdout.write(`failed: ${err.message}\n`);
    if (err.retryable)
      io.stdout.write(
        `  this failure is transient: trying again after ${Math.ceil(err.retryAfterMs / 1000)} s may succeed\n`,
      );
    return 1;
  }
}

const NO_ONE = { users: [], mobiles: [], all: false };
