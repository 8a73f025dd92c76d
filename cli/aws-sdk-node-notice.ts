/**
 * The AWS SDK for JavaScript prints a 9-line `NodeVersionSupportWarning` the first time a client is built on Node
 * older than 22. The CLI switches it off before any client exists and, in the commands that talk to AWS, prints
 * one line that says what to do instead; commands that never reach AWS print nothing. Setting the variable
 * yourself switches both off.
 */
const SDK_NOTICE_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** The Node major that AWS SDK releases from January 2027 require. */
const SDK_NODE_MAJOR = 22;

let userSwitchedOff = false;
let printed = false;

/** Switches the SDK's own notice off; call before any command runs (the SDK reads the variable per client). */
export function takeOverAwsSdkNodeNotice(env: NodeJS.ProcessEnv = process.env): void {
  userSwitchedOff = env[SDK_NOTICE_SWITCH] === 'true';
  env[SDK_NOTICE_SWITCH] = 'true';
}

/** For commands that use the AWS SDK: one line on an old Node, at most once per process. */
export function noteNodeVersionForAws(
  stderr: { write(text: string): unknown },
  nodeVersion: string = process.version,
): void {
  const major = Number(nodeVersion.replace(/^v/, '').split('.')[0]);
  if (printed || userSwitchedOff || major >= SDK_NODE_MAJOR) return;
  printed = true;
  stderr.write(
    `note: AWS SDK releases after January 2027 need Node ${SDK_NODE_MAJOR} or later, this is Node ${nodeVersion}; ` +
      `this install's SDK keeps working, but upgrade Node when you can (${SDK_NOTICE_SWITCH}=true hides this)\n`,
  );
}
