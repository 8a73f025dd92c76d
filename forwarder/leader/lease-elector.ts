import { microTime, statusOf } from '../kube/index.ts';
import type { KubeApi, LeaseObject } from '../kube/index.ts';
import { sleep, systemTimer } from '../ports.ts';
import type { Clock, Logger, Timer } from '../ports.ts';

export interface LeaseElectorOptions {
  kube: KubeApi;
  clock: Clock;
  /** Paces the renew loop (default: Node's timers). */
  timer?: Timer;
  logger: Logger;
  namespace: string;
  name: string;
  /** This replica's identity (the pod name). */
  identity: string;
  /** A lease not renewed for this long is free to take. */
  leaseDurationMs: number;
  /** The leader gives up if it could not renew for this long (less than the lease duration). */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew. */
  retryPeriodMs: number;
  onStartedLeading: () => Promise<void> | void;
  onStoppedLeading: () => Promise<void> | void;
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: expiry is judged by when *this*
 * replica last saw the lease record change, never by comparing clocks across machines; updates use the
 * resourceVersion, so two candidates cannot both win.
 */
export class LeaseElector {
  private leading = false;
  private running = false;
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaseElectorOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops campaigning; a leader hands the lease back so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
    if (this.leading) {
      await this.release();
      await this.stepDown();
    }
  }

  private async run(): Promise<void> {
    const { clock, logger, retryPeriodMs, renewDeadlineMs } = this.options;
    while (this.running) {
      let held = false;
      try {
        held = await this.tryAcquireOrRenew();
      } catch (err) {
        logger.warn({ err: String(err) }, 'lease update failed');
      }
      if (!this.running) break;
      if (held) {
        this.lastRenew = clock.now();
        if (!this.leading) {
          this.leading = true;
          logger.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
          await this.options.onStartedLeading();
        }
      } else if (
        this.leading &&
        (clock.now() - this.lastRenew >= renewDeadlineMs || !(await this.stillOurs()))
      ) {
        logger.warn({ lease: this.options.name }, 'lost the lease; stopping');
        await this.stepDown();
      }
      await sleep(this.options.timer ?? systemTimer, retryPeriodMs, this.abort.signal);
    }
  }

  private async stepDown(): Promise<void> {
    this.leading = false;
    await this.options.onStoppedLeading();
  }

  private async stillOurs(): Promise<boolean> {
    try {
      const lease = await this.options.kube.readLease(this.options.namespace, this.options.name);
      return lease?.spec?.holderIdentity === this.options.identity;
    } catch {
      return true;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity, clock, leaseDurationMs } = this.options;
    const now = microTime(clock.now());
    const lease = await kube.readLease(namespace, name);
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    if (!lease) {
      try {
        await kube.createLease(namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec,
        });
        return true;
      } catch (err) {
        if (statusOf(err) === 409) return false;
        throw err;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    const record = `${holder}|${lease.spec?.renewTime ?? ''}`;
    if (this.observed?.record !== record) this.observed = { record, at: clock.now() };
    const expired = clock.now() - this.observed.at >= leaseDurationMs;
    if (holder && holder !== identity && !expired) return false;
    const takeover = holder !== identity;
    const body: LeaseObject = {
      ...lease,
      spec: {
        ...spec,
        acquireTime: takeover ? now : (lease.spec?.acquireTime ?? now),
        leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + (takeover && holder ? 1 : 0),
      },
    };
    try {
      await kube.replaceLease(namespace, name, body);
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  private async release(): Promise<void> {
    const { kube, namespace, name, identity, logger } = this.options;
    try {
      const lease = await kube.readLease(namespace, name);
      if (lease?.spec?.holderIdentity !== identity) return;
      await kube.replaceLease(namespace, name, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
      });
      logger.info({ lease: name }, 'released the lease');
    } catch (err) {
      logger.warn(
        { err: String(err) },
        'could not release the lease; the standby takes over when it expires',
      );
    }
  }
}
