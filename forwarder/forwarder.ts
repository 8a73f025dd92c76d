import type { BackoffOptions } from './backoff/index.ts';
import type { KubeApi } from './kube/index.ts';
import { LeaseElector } from './leader/index.ts';
import type { Clock, Logger } from './ports.ts';
import type { ForwarderMetrics } from './metrics/index.ts';
import type { QueueClient } from './queue/index.ts';
import { Session } from './session.ts';
import type { SessionOptions } from './session.ts';

/** Lease timing; client-go's defaults (15 s / 10 s / 2 s). */
export interface LeaderElectionSettings {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Everything the forwarder needs: injected clients and clock, plus settings. */
export interface ForwarderOptions extends Omit<SessionOptions, 'watchBackoff' | 'sqsBackoff'> {
  kube: KubeApi;
  queue: QueueClient;
  clock: Clock;
  logger: Logger;
  metrics: ForwarderMetrics;
  /** Off: this replica forwards unconditionally (one replica, or local runs). */
  leaderElection?: LeaderElectionSettings;
  /** How long a graceful stop may spend sending what is buffered. */
  graceMs: number;
  watchBackoff?: BackoffOptions;
  sqsBackoff?: BackoffOptions;
}

/** What `/readyz` reports. */
export interface ForwarderStatus {
  ready: boolean;
  role: 'leader' | 'standby' | 'single' | 'stopped';
}

/**
 * The forwarder process: campaigns for the Lease (when enabled) and runs a forwarding {@link Session} while it
 * leads. `stop()` is the SIGTERM path: flush, checkpoint, hand the lease back.
 */
export class Forwarder {
  private session: Session | undefined;
  private sessionStart: Promise<void> | undefined;
  private readonly elector: LeaseElector | undefined;
  private stopping = false;

  constructor(private readonly options: ForwarderOptions) {
    const le = options.leaderElection;
    if (le) {
      this.elector = new LeaseElector({
        kube: options.kube,
        clock: options.clock,
        logger: options.logger,
        ...le,
        onStartedLeading: () => this.lead(),
        onStoppedLeading: () => this.abdicate(),
      });
    }
  }

  status(): ForwarderStatus {
    if (this.stopping) return { ready: false, role: 'stopped' };
    if (!this.elector) return { ready: this.session?.ready ?? false, role: 'single' };
    // A standby is healthy and ready: it must not block a rolling update while it waits for the lease.
    if (!this.elector.isLeader) return { ready: true, role: 'standby' };
    return { ready: this.session?.ready ?? false, role: 'leader' };
  }

  /** Starts campaigning (or forwarding at once without leader election). */
  async start(): Promise<void> {
    if (this.elector) this.elector.start();
    else await this.lead();
  }

  /** Graceful stop: no new events, buffered ones sent within the grace period, checkpoint written, lease released. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.sessionStart?.catch(() => {});
    await this.session?.stop(true, this.options.graceMs);
    this.session = undefined;
    await this.elector?.stop();
    this.options.metrics.leader.set(0);
  }

  private lead(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const backoff = { initialMs: 500, maxMs: 30_000 };
    this.session = new Session({
      ...this.options,
      watchBackoff: this.options.watchBackoff ?? backoff,
      sqsBackoff: this.options.sqsBackoff ?? backoff,
    });
    this.options.metrics.leader.set(1);
    // The session starts in the background so that a slow first list never delays lease renewals.
    this.sessionStart = this.session
      .start()
      .catch((err) => this.options.logger.error({ err: String(err) }, 'forwarding session failed to start'));
    return this.elector ? Promise.resolve() : this.sessionStart;
  }

  private async abdicate(): Promise<void> {
    this.options.metrics.leader.set(0);
    const session = this.session;
    this.session = undefined;
    await session?.stop(false);
  }
}
