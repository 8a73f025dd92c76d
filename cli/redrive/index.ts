export {
  MoveTaskFailedError,
  redrive,
  type RedriveMethod,
  type RedriveOptions,
  type RedriveProgress,
  type RedriveResult,
} from './redrive.ts';
export { runRedrive, type RedriveCommandOptions } from './run.ts';
