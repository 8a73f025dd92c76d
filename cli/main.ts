import { takeOverAwsSdkNodeNotice } from './aws-sdk-node-notice.ts';
import { buildProgram } from './program.ts';

takeOverAwsSdkNodeNotice();

// `kube-wecom preview … | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  console.error(`kube-wecom: ${(err as Error).message}`);
  process.exitCode = process.exitCode || 1;
}
