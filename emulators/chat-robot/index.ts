/** What the DingTalk and Feishu custom-robot emulators share: robots with security settings, journals, serving. */
export {
  serveRobots,
  lacksKeyword,
  type SecuredRobot,
  type RobotEmulatorOptions,
  type RobotEmulator,
  type RobotState,
} from './robot.ts';
