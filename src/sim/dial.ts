import { makeSid, rfc2822 } from './sids';
import type { SimCall, Frame } from './call';
import type { DialNoun, DialVerb } from './twiml';
import type { WebhookParams } from './signature';
import { resolveUrl } from './webhook-client';

/**
 * A connected `<Dial>`: the dialing call and the party it reached (a number, a client, or a queued caller).
 * Either side may end it; the other side then continues as Twilio would.
 */
export class DialBridge {
  ended = false;
  endedAt?: Date;
  /** The queued caller, when this is a `<Dial><Queue>` bridge. */
  peerCall?: SimCall;
  /** The Voice SDK client, when this is a `<Dial><Client>` bridge. */
  incoming?: ClientIncoming;
  private readonly recordingSid?: string;

  constructor(
    readonly dialer: SimCall,
    readonly verb: DialVerb,
    readonly frame: Frame,
    readonly dialCallSid: string,
    readonly to: string,
    readonly startedAt: Date,
  ) {
    const rec = verb.record;
    if (rec && rec !== 'do-not-record' && rec !== 'false') this.recordingSid = makeSid('RE');
  }

  /** The parameters of the Dial action request once the bridge is over. */
  actionParams(): WebhookParams {
    const end = this.endedAt ?? this.dialer.sim.now();
    const secs = Math.max(0, Math.round((end.getTime() - this.startedAt.getTime()) / 1000));
    const p: WebhookParams = { DialCallStatus: 'completed', DialCallSid: this.dialCallSid, DialCallDuration: String(secs), DialBridged: 'true' };
    if (this.recordingSid) {
      p.RecordingSid = this.recordingSid;
      p.RecordingUrl = `${this.dialer.sim.recordingsBaseUrl()}/2010-04-01/Accounts/${this.dialer.sim.accountSid}/Recordings/${this.recordingSid}`;
      p.RecordingDuration = String(secs);
    }
    return p;
  }

  /**
   * Ends the bridge. The side that did not end it continues: the dialer posts its Dial action,
   * a queued caller posts its Enqueue action (QueueResult=bridged).
   * @param by - which side ended it
   */
  end(by: 'dialer' | 'peer'): void {
    if (this.ended) return;
    this.ended = true;
    this.endedAt = this.dialer.sim.now();
    if (this.incoming) {
      const incoming = this.incoming;
      incoming.status = 'completed';
      const secs = Math.max(0, Math.round((this.endedAt.getTime() - this.startedAt.getTime()) / 1000));
      void this.dialer.schedule(() => incoming.legStatus('completed', secs));
    }
    if (by === 'peer') {
      const dialer = this.dialer;
      void dialer.schedule(async () => {
        if (dialer.pending?.kind === 'bridged' && dialer.pending.bridge === this) await dialer.finishDial(this.verb, this.frame, this.actionParams());
      });
    } else if (this.peerCall) {
      const peer = this.peerCall;
      void peer.schedule(async () => {
        if (peer.pending?.kind === 'bridged' && peer.pending.bridge === this) await peer.finishBridgedQueue();
      });
    }
  }

  /** The reached party hangs up (for a queued caller: that call hangs up). */
  async hangupPeer(): Promise<void> {
    if (this.peerCall) return this.peerCall.hangup();
    await this.dialer.schedule(async () => this.end('peer'));
    await this.dialer.sim.idle();
  }
}

/** Twilio Voice SDK-like view of an incoming `<Dial><Client>` call, handed to the registered client. */
export class ClientIncoming {
  status: 'ringing' | 'accepted' | 'rejected' | 'no-answer' | 'canceled' | 'completed' = 'ringing';
  /** The child call's SID (Dial's DialCallSid). */
  readonly callSid: string;
  /** The SID of the call that dialed this client. */
  readonly parentCallSid: string;
  /** `client:<identity>` */
  readonly to: string;
  private bridge?: DialBridge;
  private sequence = 0;

  constructor(
    private readonly dialer: SimCall,
    private readonly verb: DialVerb,
    private readonly frame: Frame,
    childSid: string,
    readonly identity: string,
    /** The `<Parameter>`s of the `<Client>` noun (the SDK's customParameters). */
    readonly params: Readonly<Record<string, string>>,
    readonly from: string,
  ) {
    this.callSid = childSid;
    this.parentCallSid = dialer.sid;
    this.to = `client:${identity}`;
  }

  /** Answers: the caller and the client are bridged. */
  async accept(): Promise<void> {
    const d = this.dialer;
    void d.schedule(async () => {
      if (this.status !== 'ringing' || d.pending?.kind !== 'dialing' || d.pending.incoming !== this) return;
      this.status = 'accepted';
      this.bridge = new DialBridge(d, this.verb, this.frame, this.callSid, this.to, d.sim.now());
      this.bridge.incoming = this;
      d.bridged(this.bridge);
      await this.legStatus('in-progress');
    });
    await d.sim.idle();
  }

  /** Declines: the Dial ends with DialCallStatus=busy. */
  async reject(): Promise<void> {
    await this.unanswered('rejected', 'busy', 0);
  }

  /** Lets it ring: the Dial times out with DialCallStatus=no-answer. */
  async ignore(): Promise<void> {
    await this.unanswered('no-answer', 'no-answer', this.verb.timeout);
  }

  /** The agent hangs up a connected call: the caller's Dial action is requested. */
  async hangup(): Promise<void> {
    if (this.bridge && !this.bridge.ended) await this.bridge.hangupPeer();
  }

  private async unanswered(status: 'rejected' | 'no-answer', dialStatus: string, wait: number): Promise<void> {
    const d = this.dialer;
    void d.schedule(async () => {
      if (this.status !== 'ringing' || d.pending?.kind !== 'dialing' || d.pending.incoming !== this) return;
      this.status = status;
      d.sim.advance(wait);
      await this.legStatus(dialStatus === 'busy' ? 'busy' : 'no-answer', 0);
      await d.finishDial(this.verb, this.frame, { DialCallStatus: dialStatus, DialCallSid: this.callSid });
    });
    await d.sim.idle();
  }

  /**
   * @internal The client leg's own status callback, when the `<Client>` noun asked for it
   * (`statusCallback` + `statusCallbackEvent`): `answered` (CallStatus in-progress) once the client
   * answers, `completed` (completed, busy, no-answer) when the leg ends. Not sent for a leg the
   * caller cancels while it rings (that path is in call.ts).
   * @param durationSec - CallDuration, for the final status
   */
  async legStatus(status: 'in-progress' | 'completed' | 'busy' | 'no-answer', durationSec?: number): Promise<void> {
    const noun = this.verb.nouns.find((n): n is Extract<DialNoun, { kind: 'Client' }> => n.kind === 'Client' && n.identity === this.identity);
    if (!noun?.statusCallback || !noun.statusCallbackEvents.includes(status === 'in-progress' ? 'answered' : 'completed')) return;
    const d = this.dialer;
    const params: WebhookParams = {
      AccountSid: d.sim.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: this.callSid,
      ParentCallSid: this.parentCallSid,
      CallStatus: status,
      Direction: 'outbound-dial',
      From: this.from,
      To: this.to,
      Caller: this.from,
      Called: this.to,
      Timestamp: rfc2822(d.sim.now()),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(this.sequence++),
    };
    if (durationSec !== undefined) params.CallDuration = String(durationSec);
    await d.sim.deliverCallback(d, 'status', resolveUrl(noun.statusCallback, this.frame.docUrl), noun.statusCallbackMethod, params);
  }
}
