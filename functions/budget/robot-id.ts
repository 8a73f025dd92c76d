import { createHash } from 'node:crypto';
import type { RobotId } from './types.ts';

/**
 * The ledger's name for the robot behind a webhook key or URL: the first 16 hex characters of its SHA-256, so the
 * table (and every log line and metric that names a robot) never holds a key. 64 bits keep collisions out of reach
 * for any number of robots one deployment has.
 */
export function robotIdOf(webhook: string): RobotId {
  return createHash('sha256').update(webhook).digest('hex').slice(0, 16) as RobotId;
}
