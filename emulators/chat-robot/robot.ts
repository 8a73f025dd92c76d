import { startJsonServer, type EmulatorReply, type EmulatorRequest } from '../json-server/index.ts';
import { Journal, type AnsweredRequest, type Entry } from '../journal/index.ts';
import type { RobotRateLimit } from '../robot-rate/index.ts';

/** A custom robot the emulator knows, with the security settings DingTalk and Feishu both offer. */
export interface SecuredRobot {
  /** The token of its webhook URL. */
  token: string;
  /** Signing secret: requests must carry a valid `timestamp` and `sign`. */
  secret?: string;
  /** Security keywords: every message must contain one. */
  keywords?: readonly string[];
}

/** Options every custom-robot emulator takes; all optional. */
export interface RobotEmulatorOptions {
  robots?: readonly SecuredRobot[];
  /** Time source for signatures, rate limits and `receivedAt` (default `Date.now`); share it with the client. */
  clock?: () => number;
  /** Largest request body accepted (default 20,000 bytes). */
  maxBodyBytes?: number;
  /** How far a signed timestamp may be from the emulator's clock (default one hour, as both platforms allow). */
  timestampToleranceMs?: number;
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
}

/** A running custom-robot emulator. */
export interface RobotEmulator<Message extends Entry> {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** A robot's webhook URL on this emulator. */
  webhookUrl(token: string): string;
  addRobot(robot: SecuredRobot): void;
  /** Accepted messages, for one robot or all, oldest first. */
  messages(token?: string): Message[];
  /** Every request with the code it was answered, for one robot or all. */
  requests(token?: string): AnsweredRequest[];
  /** Forgets messages, requests and rate-limit state; robots stay. */
  reset(): void;
  close(): Promise<void>;
}

/** What a platform's handler reads and records into. */
export interface RobotState<Message extends Entry> {
  robots: ReadonlyMap<string, SecuredRobot>;
  clock: () => number;
  maxBodyBytes: number;
  toleranceMs: number;
  messages: Journal<Message>;
  requests: Journal<AnsweredRequest>;
}

/** Whether a robot with keywords would refuse `text` for lacking all of them. */
export function lacksKeyword(robot: SecuredRobot, text: string): boolean {
  const keywords = robot.keywords ?? [];
  return keywords.length > 0 && !keywords.some((k) => text.includes(k));
}

/**
 * Serves `handle` on 127.0.0.1 with the robot registry, journals and options every custom-robot emulator shares;
 * the platform's rules stay in `handle`.
 */
export async function serveRobots<Message extends Entry>(
  options: RobotEmulatorOptions,
  webhookPath: (token: string) => string,
  rate: RobotRateLimit | null,
  handle: (request: EmulatorRequest, state: RobotState<Message>) => EmulatorReply,
): Promise<RobotEmulator<Message>> {
  const robots = new Map((options.robots ?? []).map((r) => [r.token, r]));
  const state: RobotState<Message> = {
    robots,
    clock: options.clock ?? Date.now,
    maxBodyBytes: options.maxBodyBytes ?? 20_000,
    toleranceMs: options.timestampToleranceMs ?? 60 * 60_000,
    messages: new Journal<Message>(),
    requests: new Journal<AnsweredRequest>(),
  };
  const server = await startJsonServer((request) => handle(request, state), options.port);
  return {
    url: server.url,
    webhookUrl: (token) => `${server.url}${webhookPath(token)}`,
    addRobot: (robot) => void robots.set(robot.token, robot),
    messages: (token) => state.messages.list(token),
    requests: (token) => state.requests.list(token),
    reset: () => {
      state.messages.clear();
      state.requests.clear();
      rate?.clear();
    },
    close: () => server.close(),
  };
}
