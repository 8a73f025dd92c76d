import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** What a local invocation needs to look like a Lambda invocation to the handler. */
export interface LambdaContextOptions {
  functionName: string;
  awsRegion: string;
  memoryLimitInMB: number;
  /** The function timeout; `getRemainingTimeInMillis()` counts down from it. */
  timeoutMs: number;
  /** Milliseconds since the epoch; injected so tests can pin time. */
  now: () => number;
}

/** A Lambda `Context` for one invocation starting now, whose deadline is `now() + timeoutMs`. */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const deadline = options.now() + options.timeoutMs;
  const requestId = randomUUID();
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported locally; return a promise from the handler`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.awsRegion}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - options.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
