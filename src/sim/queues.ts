import { makeSid } from './sids';

/** A caller waiting in a sim queue. */
export interface QueueMember {
  readonly callSid: string;
  readonly dateEnqueued: Date;
}

/** Sim-side state of one Twilio queue (created by `<Enqueue>` or the REST API). */
export class SimQueue {
  readonly sid = makeSid('QU');
  readonly members: QueueMember[] = [];
  /** Seconds each dequeued member waited; feeds `average_wait_time`. */
  private readonly waits: number[] = [];

  constructor(
    public friendlyName: string,
    readonly dateCreated: Date,
    public maxSize = 1000,
  ) {}

  /** Number of calls waiting now. */
  get currentSize(): number {
    return this.members.length;
  }

  /** 1-based position of a call, or 0 when it is not in the queue. */
  positionOf(callSid: string): number {
    return this.members.findIndex((m) => m.callSid === callSid) + 1;
  }

  /** Average wait, in whole seconds, of calls that left the queue. */
  averageWait(): number {
    return this.waits.length ? Math.round(this.waits.reduce((a, b) => a + b, 0) / this.waits.length) : 0;
  }

  /** Adds a call at the back of the queue. */
  add(callSid: string, at: Date): void {
    this.members.push({ callSid, dateEnqueued: at });
  }

  /**
   * Removes a call; returns its seconds in the queue, or undefined when it was not there.
   * @param callSid - the member
   * @param now - current sim time
   */
  remove(callSid: string, now: Date): number | undefined {
    const i = this.members.findIndex((m) => m.callSid === callSid);
    if (i < 0) return undefined;
    const [m] = this.members.splice(i, 1);
    const waited = Math.max(0, Math.round((now.getTime() - m!.dateEnqueued.getTime()) / 1000));
    this.waits.push(waited);
    return waited;
  }
}
