import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STATE_TABLE } from '../../../functions/budget/index.ts';

// `serverless package` for both stages, offline and without AWS credentials, then the generated CloudFormation is
// read back. Packaging bundles functions/handler.ts with the stage's config/<stage>.json, so both must exist.

const root = new URL('../../../', import.meta.url).pathname;
const STAGES = ['dev', 'prod'] as const;
type Stage = (typeof STAGES)[number];
const ALARM_TOPIC = 'arn:aws:sns:ap-southeast-1:123456789012:kube-wecom-alarms';
const MAX_ZIP_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;
interface Template {
  Resources: Record<string, { Type: string; Properties: Json }>;
  Outputs: Record<string, { Value: unknown }>;
  Conditions: Json;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

// A webhook key that exists only in the build environment, under the names bundles reference (`env:…`): it must
// reach neither the artifact nor the template (docs/security.md, "Webhook keys").
const BUILD_ENV_KEY = 'bu1ld-env-key-7c1e-4b2a-9f00-3141';
const BUILD_ENV = {
  WECOM_PAYMENTS_KEY: BUILD_ENV_KEY,
  WECOM_NODES_URL: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${BUILD_ENV_KEY}`,
};

/** Runs osls with no AWS credentials at all and a throwaway HOME, so nothing can reach an account. */
function serverless(args: string[], home: string) {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return spawnSync(process.execPath, [join(root, 'node_modules/osls/bin/serverless.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...env,
      ...BUILD_ENV,
      HOME: home,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      SLS_TELEMETRY_DISABLED: '1',
    },
    timeout: 120_000,
  });
}

const RESULT = 'RESULT ';

/**
 * Imports the built handler in a fresh `node` and invokes it once, as the Lambda runtime would. SSM points at a
 * closed loopback port and the credentials are dummies, so the cold start's webhook look-ups fail locally instead
 * of leaving the machine.
 */
function invokeArtifact(handlerFile: string, records: { messageId: string; body: string }[]) {
  const script = `
    const { handler } = await import(process.argv[1]);
    const records = ${JSON.stringify(records)}.map((r) => ({ ...r, attributes: {}, messageAttributes: {} }));
    const response = await handler({ Records: records }, { getRemainingTimeInMillis: () => 10000 });
    process.stdout.write('\\n${RESULT}' + JSON.stringify(response) + '\\n');
    process.exit(0);`;
  return spawnSync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', script, pathToFileURL(handlerFile).href],
    {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'ap-southeast-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:9',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_SERVICE_NAME: 'kube-wecom',
      },
    },
  );
}

const getAtt = (resource: string, attribute: string) => ({ 'Fn::GetAtt': [resource, attribute] });
const actionsOf = (s: Statement) => [s.Action].flat();
const statementsOf = (role: Json): Statement[] =>
  (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );

function assertLeastPrivilege(statements: Statement[]) {
  for (const statement of statements) {
    assert.equal(statement.Effect, 'Allow');
    for (const action of actionsOf(statement)) assert.doesNotMatch(action, /\*/, `wildcard action ${action}`);
    for (const resource of [statement.Resource].flat()) {
      assert.notEqual(resource, '*', `unscoped resource for ${actionsOf(statement).join(',')}`);
    }
  }
}

describe('serverless package', { concurrency: false }, () => {
  const work = mkdtempSync(join(tmpdir(), 'kube-wecom-package-'));
  const templates = new Map<Stage, Template>();

  before(() => {
    rmSync(join(root, '.esbuild'), { recursive: true, force: true });
    for (const stage of STAGES) {
      const params = stage === 'prod' ? [`--param=alarmTopicArn=${ALARM_TOPIC}`] : [];
      const run = serverless(['package', '--stage', stage, '--package', join(work, stage), ...params], work);
      assert.equal(
        run.status,
        0,
        `serverless package --stage ${stage} failed:\n${run.stdout}\n${run.stderr}`,
      );
      const file = join(work, stage, 'cloudformation-template-update-stack.json');
      templates.set(stage, JSON.parse(readFileSync(file, 'utf8')) as Template);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const template = (stage: Stage) => templates.get(stage)!;
  const resource = (stage: Stage, name: string) => {
    const found = template(stage).Resources[name];
    assert.ok(found, `${stage}: no resource ${name}`);
    return found;
  };
  const fn = (stage: Stage) => resource(stage, 'EventsLambdaFunction').Properties;
  const mapping = (stage: Stage) => resource(stage, 'EventsEventSourceMappingSQSEventsQueue').Properties;

  for (const stage of STAGES) {
    describe(stage, () => {
      it('creates the queue, DLQ, function, mapping, alarms and forwarder role', () => {
        const types = Object.fromEntries(
          Object.entries(template(stage).Resources).map(([k, v]) => [k, v.Type]),
        );
        assert.equal(types.EventsQueue, 'AWS::SQS::Queue');
        assert.equal(types.EventsDLQ, 'AWS::SQS::Queue');
        assert.equal(types.EventsLambdaFunction, 'AWS::Lambda::Function');
        assert.equal(types.EventsEventSourceMappingSQSEventsQueue, 'AWS::Lambda::EventSourceMapping');
        assert.equal(types.EventsDLQDepthAlarm, 'AWS::CloudWatch::Alarm');
        assert.equal(types.EventsFunctionErrorsAlarm, 'AWS::CloudWatch::Alarm');
        assert.equal(types.ForwarderRole, 'AWS::IAM::Role');
        assert.equal(types.StateTable, 'AWS::DynamoDB::Table');
        assert.equal(fn(stage).Runtime, 'nodejs22.x');
        assert.equal(fn(stage).Handler, 'functions/handler.handler');
        assert.equal(fn(stage).FunctionName, `kube-wecom-${stage}-events`);
      });

      it('redrives to a 14-day DLQ after maxReceiveCount', () => {
        const queue = resource(stage, 'EventsQueue').Properties;
        const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
        assert.deepEqual(redrive.deadLetterTargetArn, getAtt('EventsDLQ', 'Arn'));
        assert.ok(
          Number.isInteger(redrive.maxReceiveCount) && redrive.maxReceiveCount >= 2,
          'maxReceiveCount >= 2',
        );
        assert.equal(resource(stage, 'EventsDLQ').Properties.MessageRetentionPeriod, 14 * 24 * 3600);
      });

      it('maps the queue to the function with partial batch responses and bounded concurrency', () => {
        const m = mapping(stage);
        assert.deepEqual(m.EventSourceArn, getAtt('EventsQueue', 'Arn'));
        assert.deepEqual(m.FunctionName, getAtt('EventsLambdaFunction', 'Arn'));
        assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
        assert.ok((m.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency >= 2);
        const batchSize = m.BatchSize as number;
        const window = m.MaximumBatchingWindowInSeconds as number;
        assert.ok(batchSize >= 1 && batchSize <= 10_000);
        assert.ok(window >= 0 && window <= 300);
        // Lambda rejects a batch size above 10 on a standard queue without a batching window.
        if (batchSize > 10) assert.ok(window >= 1, 'batch size > 10 needs a batching window');
      });

      it('keeps messages invisible for at least 6x the function timeout plus the batching window', () => {
        const visibility = resource(stage, 'EventsQueue').Properties.VisibilityTimeout as number;
        const timeout = fn(stage).Timeout as number;
        const window = mapping(stage).MaximumBatchingWindowInSeconds as number;
        assert.ok(visibility >= 6 * timeout + window, `${visibility} < 6 × ${timeout} + ${window}`);
      });

      it('shares state in one on-demand table with the key schema and TTL attribute the function uses', () => {
        const table = resource(stage, 'StateTable').Properties;
        assert.equal(table.TableName, `kube-wecom-${stage}-state`);
        assert.equal(table.BillingMode, 'PAY_PER_REQUEST');
        assert.deepEqual(table.KeySchema, STATE_TABLE.keySchema);
        assert.deepEqual(table.AttributeDefinitions, STATE_TABLE.attributeDefinitions);
        assert.deepEqual(table.TimeToLiveSpecification, {
          AttributeName: STATE_TABLE.ttlAttribute,
          Enabled: true,
        });
        const variables = (fn(stage).Environment as { Variables: Json }).Variables;
        assert.deepEqual(variables.KUBE_WECOM_STATE_TABLE, { Ref: 'StateTable' });
        assert.deepEqual(variables.KUBE_WECOM_EVENTS_QUEUE_URL, { Ref: 'EventsQueue' });
        const concurrency = (mapping(stage).ScalingConfig as { MaximumConcurrency: number })
          .MaximumConcurrency;
        assert.equal(String(variables.KUBE_WECOM_MAX_CONCURRENCY), String(concurrency));
      });

      it('grants the function only its queue, its DLQ, its SSM path, SSM-mediated decryption and its state table', () => {
        const statements = statementsOf(resource(stage, 'IamRoleLambdaExecution').Properties);
        assertLeastPrivilege(statements);
        const byAction = (action: string) => {
          const found = statements.filter((s) => actionsOf(s).includes(action));
          assert.equal(found.length, 1, `exactly one statement grants ${action}`);
          return found[0]!;
        };
        const granted = statements.flatMap(actionsOf).sort();
        assert.deepEqual(granted, [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'kms:Decrypt',
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:TagResource',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ReceiveMessage',
          'sqs:SendMessage',
          'ssm:GetParameters',
        ]);
        assert.deepEqual(byAction('sqs:ReceiveMessage').Resource, [getAtt('EventsQueue', 'Arn')]);
        assert.deepEqual(byAction('sqs:SendMessage').Resource, [
          getAtt('EventsDLQ', 'Arn'),
          getAtt('EventsQueue', 'Arn'),
        ]);
        assert.equal(byAction('dynamodb:UpdateItem'), byAction('dynamodb:PutItem'));
        assert.equal(byAction('dynamodb:UpdateItem'), byAction('dynamodb:DeleteItem'));
        assert.equal(byAction('dynamodb:UpdateItem'), byAction('dynamodb:GetItem'));
        assert.deepEqual(byAction('dynamodb:UpdateItem').Resource, getAtt('StateTable', 'Arn'));
        const ssmPath = `:parameter/kube-wecom/${stage}/*`;
        assert.ok(JSON.stringify(byAction('ssm:GetParameters').Resource).endsWith(`${ssmPath}"}`));
        const kms = byAction('kms:Decrypt');
        assert.deepEqual(kms.Condition?.StringEquals?.['kms:ViaService'], {
          'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com',
        });
        assert.ok(
          JSON.stringify(kms.Condition?.StringLike?.['kms:EncryptionContext:PARAMETER_ARN']).includes(
            ssmPath,
          ),
        );
        for (const s of statements.filter((st) => actionsOf(st).some((a) => a.startsWith('logs:')))) {
          assert.match(JSON.stringify(s.Resource), new RegExp(`log-group:/aws/lambda/kube-wecom-${stage}`));
        }
      });

      it('lets only the forwarder service account assume the forwarder role, to send to the events queue', () => {
        const role = resource(stage, 'ForwarderRole').Properties;
        const trust = (role.AssumeRolePolicyDocument as { Statement: (Statement & { Principal: Json })[] })
          .Statement;
        assert.equal(trust.length, 1);
        const [statement] = trust;
        assert.equal(statement!.Action, 'sts:AssumeRoleWithWebIdentity');
        const federated = JSON.stringify(statement!.Principal.Federated);
        const provider = /:oidc-provider\/([^"]+)"/.exec(federated)?.[1];
        assert.ok(provider, `federated principal is an OIDC provider: ${federated}`);
        assert.deepEqual(statement!.Condition, {
          StringEquals: {
            [`${provider}:sub`]: 'system:serviceaccount:kube-wecom:kube-wecom-forwarder',
            [`${provider}:aud`]: 'sts.amazonaws.com',
          },
        });
        const statements = statementsOf(role);
        assertLeastPrivilege(statements);
        assert.deepEqual(
          statements.map((s) => [actionsOf(s), s.Resource]),
          // GetQueueAttributes: the forwarder's start-up and readiness check (forwarder/queue/sqs.ts `probe`).
          [[['sqs:SendMessage', 'sqs:GetQueueAttributes'], getAtt('EventsQueue', 'Arn')]],
        );
      });

      it('the overlays name the queue and the forwarder role the stack creates', () => {
        const overlay = readFileSync(join(root, `infra/k8s/overlays/${stage}/kustomization.yaml`), 'utf8');
        const queueName = resource(stage, 'EventsQueue').Properties.QueueName as string;
        const roleName = resource(stage, 'ForwarderRole').Properties.RoleName as string;
        assert.equal(queueName, `kube-wecom-${stage}-events`);
        assert.match(
          overlay,
          new RegExp(`value: https://sqs\\.[a-z0-9-]+\\.amazonaws\\.com/\\d+/${queueName}\n`),
        );
        assert.match(overlay, new RegExp(`value: arn:aws:iam::\\d+:role/${roleName}\n`));
      });

      it('tells the function its DLQ, so dead letters go there at once with their reason', () => {
        const variables = (fn(stage).Environment as { Variables: Json }).Variables;
        assert.deepEqual(variables.KUBE_WECOM_DLQ_URL, { Ref: 'EventsDLQ' });
        assert.equal(variables.KUBE_WECOM_SSM_PATH, `/kube-wecom/${stage}`);
        const redrive = (
          resource(stage, 'EventsQueue').Properties as { RedrivePolicy: { maxReceiveCount: number } }
        ).RedrivePolicy;
        assert.equal(Number(variables.KUBE_WECOM_MAX_RECEIVE_COUNT), redrive.maxReceiveCount);
      });

      it('outputs the queue URL and ARN, the DLQ URL and the forwarder role ARN', () => {
        const outputs = template(stage).Outputs;
        assert.deepEqual(outputs.EventsQueueUrl?.Value, { Ref: 'EventsQueue' });
        assert.deepEqual(outputs.EventsQueueArn?.Value, getAtt('EventsQueue', 'Arn'));
        assert.deepEqual(outputs.EventsDLQUrl?.Value, { Ref: 'EventsDLQ' });
        assert.deepEqual(outputs.ForwarderRoleArn?.Value, getAtt('ForwarderRole', 'Arn'));
      });

      it('builds a minified artifact of at most 1 MiB: the handler, the chunks it loads on demand, source maps', () => {
        const zip = join(work, stage, 'kube-wecom.zip');
        const size = statSync(zip).size;
        assert.ok(size <= MAX_ZIP_BYTES, `${zip} is ${size} bytes`);
        const listing = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(Boolean);
        assert.ok(listing.includes('functions/handler.mjs') && listing.includes('functions/handler.mjs.map'));
        for (const file of listing) assert.match(file, /^functions\/[\w-]+\.mjs(\.map)?$/);
        const read = (...files: string[]) =>
          spawnSync('unzip', ['-p', zip, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
        const handler = read('functions/handler.mjs');
        const chunks = read(...listing.filter((file) => file !== 'functions/handler.mjs'));
        // The SDK clients only some batches need (SSM for `ssm:` webhooks, SQS for dead letters) are parsed when
        // first used, not with the handler at every cold start.
        for (const service of ['AmazonSSM', 'AmazonSQS']) {
          assert.ok(!handler.includes(service), `${service} client in handler.mjs`);
          assert.ok(chunks.includes(service), `${service} client in no chunk`);
        }
      });

      it('holds no webhook key: not from the build environment, not from the bundle, which only names them', () => {
        const zip = join(work, stage, 'kube-wecom.zip');
        const contents = spawnSync('unzip', ['-p', zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        assert.equal(contents.status, 0, contents.stderr);
        const artifact = contents.stdout;
        assert.ok(
          artifact.includes(`ssm:/kube-wecom/${stage}/webhooks/`),
          'the bundle is in the artifact, by reference',
        );
        const cloudformation = JSON.stringify(template(stage));
        for (const text of [artifact, cloudformation]) {
          assert.ok(!text.includes(BUILD_ENV_KEY.slice(0, 12)), 'a key from the build environment leaked');
          assert.doesNotMatch(text, /webhook\/send\?key=[A-Za-z0-9-]{8,}/, 'a literal webhook key');
        }
      });

      it('builds an artifact that starts in a fresh node process and answers a batch', () => {
        const dir = join(work, `${stage}-unzipped`);
        const unzip = spawnSync('unzip', ['-q', '-o', join(work, stage, 'kube-wecom.zip'), '-d', dir], {
          encoding: 'utf8',
        });
        assert.equal(unzip.status, 0, unzip.stderr);
        const run = invokeArtifact(join(dir, 'functions/handler.mjs'), [
          { messageId: 'poison-1', body: 'not json' },
        ]);
        assert.equal(run.status, 0, run.stderr);
        // Powertools writes warnings and errors to stderr, the rest to stdout.
        const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter(Boolean);
        const result = lines.find((line) => line.startsWith(RESULT));
        // Without KUBE_WECOM_DLQ_URL a dead letter is reported as failed, for the redrive policy to move.
        assert.deepEqual(JSON.parse(result!.slice(RESULT.length)), {
          batchItemFailures: [{ itemIdentifier: 'poison-1' }],
        });
        const logs = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Json);
        const deadLetter = logs.find((log) => log.message === 'dead-lettering a queue message');
        assert.equal(deadLetter?.messageId, 'poison-1');
        assert.match(String(deadLetter?.reason), /^poison message: /);
      });
    });
  }

  it('sends alarms to the SNS topic given as a param, and nowhere when none is given', () => {
    for (const alarm of ['EventsDLQDepthAlarm', 'EventsFunctionErrorsAlarm']) {
      for (const stage of STAGES) {
        const { AlarmActions } = resource(stage, alarm).Properties;
        assert.deepEqual(AlarmActions, {
          'Fn::If': ['HasAlarmTopic', [stage === 'prod' ? ALARM_TOPIC : ''], { Ref: 'AWS::NoValue' }],
        });
      }
    }
    assert.deepEqual(template('prod').Conditions.HasAlarmTopic, {
      'Fn::Not': [{ 'Fn::Equals': [ALARM_TOPIC, ''] }],
    });
    assert.deepEqual(template('dev').Conditions.HasAlarmTopic, { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('uses bigger batches and more concurrency in prod than in dev', () => {
    assert.ok((mapping('prod').BatchSize as number) > (mapping('dev').BatchSize as number));
    const concurrency = (s: Stage) =>
      (mapping(s).ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency;
    assert.ok(concurrency('prod') > concurrency('dev'));
  });

  it('refuses to package an invalid rules bundle', () => {
    const bundle = join(work, 'invalid.json');
    writeFileSync(bundle, JSON.stringify({ version: 2, receivers: {}, routes: [] }));
    const run = serverless(
      ['package', '--stage', 'dev', '--package', join(work, 'invalid'), `--param=bundle=${bundle}`],
      work,
    );
    assert.notEqual(run.status, 0);
    assert.match(`${run.stdout}${run.stderr}`, /Rules bundle .*invalid\.json is invalid/);
    assert.equal(existsSync(join(work, 'invalid', 'kube-wecom.zip')), false);
  });
});
