import { EventEmitter } from 'node:events';
import type { WebhookParams } from './signature';
import { makeSid, rfc2822 } from './sids';
import type { TwilioSim } from './sim';
import { parseTwiml, TwimlError, type DialVerb, type GatherVerb, type HttpMethod, type PromptVerb, type Verb } from './twiml';
import { resolveUrl, sendWebhook, type RequestKind, type SimRequest } from './webhook-client';
import type { DialBridge } from './dial';
import {
  APPLICATION_ERROR_MESSAGE, SimUsageError,
  type CallStatus, type Frame, type HeardItem, type PartyHeard, type Pending, type QueueState, type SimCallInit, type SimError, type WaitingFor,
} from './call-types';
import { submitGather } from './gather';
import { postRecording } from './record';
import { announce, enqueue, fetchWaitUrl, finishBridgedQueue, leaveQueue, WAIT_VERBS } from './enqueue';
import { abandonDial, dial, hangupDuringDial } from './dial-verb';
import { hangupInConference } from './conference-verb';
import { routeTalk } from './audio';

export {
  APPLICATION_ERROR_MESSAGE, SimUsageError,
  type CallGeo, type CallStatus, type Frame, type HeardItem, type PartyHeard, type Pending, type SimCallInit, type SimError, type WaitingFor,
} from './call-types';

/**
 * One simulated call leg, driven by the test: it executes the application's TwiML the way Twilio does
 * and stops whenever Twilio would wait for the caller (Gather, Record, queue hold, a ringing Dial…).
 * Events: `heard` (HeardItem), `heard-party` (PartyHeard), `pause` (seconds), `beep`, `request` (SimRequest), `waiting` (WaitingFor), `ended` (CallStatus).
 */
export class SimCall extends EventEmitter {
  /** `CA` + 32 hex. */
  readonly sid = makeSid('CA');
  readonly from: string;
  readonly to: string;
  readonly direction: SimCallInit['direction'];
  /** Everything said or played to the caller, in order. */
  readonly heard: HeardItem[] = [];
  /** What this call heard other parties say ({@link talk}), in order. */
  readonly partyHeard: PartyHeard[] = [];
  /** Every request the sim made for this call, with its response. */
  readonly requests: SimRequest[] = [];
  /** Application errors Twilio would report for this call. */
  readonly errors: SimError[] = [];
  /** Current Twilio status. */
  status: CallStatus = 'queued';
  /** AMD result for outbound calls with machine detection. */
  answeredBy?: string;
  readonly dateCreated: Date;
  startTime?: Date;
  endTime?: Date;
  answeredAt?: Date;
  /** @internal */ pending?: Pending;
  /** @internal */ queueState?: QueueState;
  /** @internal */ readonly init: SimCallInit;
  /** @internal the tail of this call's serialized work */ chain: Promise<void> = Promise.resolve();
  /** @internal */ frame?: Frame;
  private running = false;
  private sequence = 0;
  /** @internal */ fetchCounts = new Map<string, number>();

  constructor(
    /** @internal */ readonly sim: TwilioSim,
    init: SimCallInit,
  ) {
    super();
    this.init = init;
    this.from = init.from;
    this.to = init.to;
    this.direction = init.direction;
    this.dateCreated = sim.now();
  }

  // ---------------------------------------------------------------- test API

  /** What the caller heard, Say texts and Play URLs joined by newlines. */
  transcript(): string {
    return this.heard.map((h) => h.text).join('\n');
  }

  /** True once the call has ended (any final status). */
  get ended(): boolean {
    return ['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(this.status);
  }

  /** What the call waits for now. */
  get waitingFor(): WaitingFor {
    if (this.ended) return 'ended';
    return this.pending?.kind ?? 'running';
  }

  /** The `<Gather>` waiting for input, if any. */
  get gather(): GatherVerb | undefined {
    return this.pending?.kind === 'gather' ? this.pending.verb : undefined;
  }

  /** The queue this call waits in, with its 1-based position. */
  get queue(): { name: string; sid: string; position: number } | undefined {
    const q = this.queueState;
    if (!q || q.waited !== undefined || q.removedWait !== undefined) return undefined;
    return { name: q.queue.friendlyName, sid: q.queue.sid, position: q.queue.positionOf(this.sid) };
  }

  /** The live Dial bridge (either side), if any: the other party's call SID, and a hangup from that side. */
  get bridge(): { callSid: string; to: string; hangup(): Promise<void> } | undefined {
    if (this.pending?.kind !== 'bridged') return undefined;
    const b = this.pending.bridge;
    const mine = b.dialer === this;
    return {
      callSid: mine ? b.dialCallSid : b.dialer.sid,
      to: mine ? b.to : b.dialer.to,
      hangup: () => (mine ? b.hangupPeer() : b.dialer.hangup()),
    };
  }

  /** The sim conference this call is in, if any. */
  get conference(): string | undefined {
    return this.pending?.kind === 'conference' ? this.pending.conference.friendlyName : undefined;
  }

  /** Requests of one kind, in order. */
  requestsOf(kind: RequestKind): SimRequest[] {
    return this.requests.filter((r) => r.kind === kind);
  }

  /** The latest request, optionally of one kind. */
  lastRequest(kind?: RequestKind): SimRequest | undefined {
    const list = kind ? this.requestsOf(kind) : this.requests;
    return list[list.length - 1];
  }

  /** Resolves when this call (and every call it touched) has nothing left to do. */
  async settled(): Promise<void> {
    await this.sim.idle();
  }

  /**
   * Presses keys during a `<Gather>`: digits accumulate until `numDigits` is reached or the
   * `finishOnKey` is pressed (that key is not sent). Keys after the Gather completes are dropped.
   * If neither happens, the Gather keeps waiting; {@link silence} then submits what was typed.
   * @param keys - DTMF keys, e.g. `1234#`
   */
  async press(keys: string): Promise<void> {
    await this.act(async () => {
      const p = this.expect('gather');
      if (!p.verb.input.includes('dtmf')) throw new SimUsageError('this <Gather> does not accept dtmf input');
      for (const key of keys) {
        if (!/^[0-9*#]$/.test(key)) throw new SimUsageError(`"${key}" is not a DTMF key`);
        if (p.verb.finishOnKey !== '' && p.verb.finishOnKey.includes(key)) {
          return submitGather(this, p, p.digits ? { Digits: p.digits } : {});
        }
        p.digits += key;
        if (p.verb.numDigits !== undefined && p.digits.length >= p.verb.numDigits) {
          return submitGather(this, p, { Digits: p.digits });
        }
      }
    });
  }

  /**
   * Says something during a speech `<Gather>`: Twilio posts `SpeechResult` and `Confidence`.
   * @param text - the recognised words
   * @param confidence - recogniser confidence, 0-1
   */
  async speak(text: string, confidence = 0.92): Promise<void> {
    await this.act(async () => {
      const p = this.expect('gather');
      if (!p.verb.input.includes('speech')) throw new SimUsageError('this <Gather> does not accept speech input');
      await submitGather(this, p, { SpeechResult: text, Confidence: confidence.toFixed(8).replace(/0+$/, '').replace(/\.$/, '.0') });
    });
  }

  /**
   * Lets time pass with no input: a Gather times out (digits typed so far are submitted; with none,
   * Twilio continues after the Gather unless actionOnEmptyResult), a Record ends empty (no action
   * request; next verb), a ringing Dial times out (no-answer).
   */
  async silence(): Promise<void> {
    await this.act(async () => {
      const p = this.pending;
      if (p?.kind === 'gather') {
        this.sim.advance(p.verb.timeout);
        return submitGather(this, p, p.digits ? { Digits: p.digits } : {});
      }
      if (p?.kind === 'record') {
        this.sim.advance(p.verb.timeout);
        this.pending = undefined;
        this.frame = p.frame;
        return this.drive();
      }
      if (p?.kind === 'dialing') {
        // A Participants API call ringing a client is the client's to answer or let ring out.
        if (p.childSid === this.sid) throw new SimUsageError('this call rings a client for a conference: use its ClientIncoming.ignore()');
        if (p.incoming) p.incoming.status = 'no-answer';
        this.sim.advance(p.verb.timeout);
        this.sim.forgetQueueWaiter(this);
        return this.finishDial(p.verb, p.frame, { DialCallStatus: 'no-answer', DialCallSid: p.childSid });
      }
      throw new SimUsageError(`silence() needs a pending Gather, Record or Dial; the call is ${this.waitingFor}`);
    });
  }

  /**
   * Answers a pending `<Record>`: Twilio posts the action with RecordingUrl, RecordingSid, RecordingDuration
   * and Digits (the finishing key, or `hangup`). A zero duration is an empty recording: no action request,
   * Twilio continues with the next verb.
   * @param opts - durationSec (clamped to maxLength), digits (`#`, or `hangup` to hang up), transcript (for transcribe)
   */
  async record(opts: { durationSec: number; digits?: string; transcript?: string }): Promise<void> {
    await this.act(async () => {
      const p = this.expect('record');
      const duration = Math.min(Math.max(0, Math.round(opts.durationSec)), p.verb.maxLength);
      this.sim.advance(duration);
      this.pending = undefined;
      if (duration === 0) {
        this.frame = p.frame;
        return this.drive();
      }
      if (opts.digits === 'hangup') {
        await this.endCall('completed', { recordingSec: duration, transcript: opts.transcript }, p);
        return;
      }
      await postRecording(this, p, duration, opts.digits, opts.transcript, false);
    });
  }

  /**
   * The caller hangs up now. Like Twilio: a pending Record posts its action (Digits=hangup), a queued
   * call posts the Enqueue action (QueueResult=hangup), a Dial posts its action; their TwiML is ignored.
   * @param opts - recordedSec: seconds recorded when hanging up during a Record (default 1)
   */
  async hangup(opts: { recordedSec?: number } = {}): Promise<void> {
    await this.act(async () => {
      if (this.ended) return;
      await this.endCall('completed', { recordingSec: opts.recordedSec ?? 1 });
    });
  }

  /**
   * While on hold in a queue: runs the waitUrl loop `n` more times (Twilio re-requests the waitUrl when
   * its document ends). Stops early if the call leaves the hold state (Gather, Leave, dequeue, hangup).
   * @param n - number of waitUrl requests to make
   */
  async waitLoop(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) {
      let again = false;
      await this.act(async () => {
        const p = this.expect('hold');
        this.fetchCounts.clear();
        this.pending = undefined;
        if (!(await fetchWaitUrl(this, p.frame))) return;
        await this.drive();
        again = (this.pending as Pending | undefined)?.kind === 'hold';
      });
      if (!again) break;
    }
  }

  /**
   * This party speaks (audio as text): in a conference every participant that can hear it gets a
   * {@link PartyHeard} item and a `heard-party` event (see {@link routeTalk} for who hears whom); across a
   * `<Dial><Queue>` bridge the other caller hears it.
   * @param text - what is said
   */
  async talk(text: string): Promise<void> {
    await this.sim.idle();
    routeTalk(this, text);
  }

  /**
   * Sends a status callback for this call now, with the given status (late, repeated or out-of-order
   * delivery for idempotency tests). Uses the call's status callback URL.
   * @param status - the CallStatus to report
   */
  async sendStatus(status: CallStatus): Promise<void> {
    await this.deliverStatus(status, true);
  }

  // ---------------------------------------------------------------- internals used by the sim

  /** @internal runs `fn` after this call's earlier work; errors reject the returned promise. */
  schedule<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof SimUsageError)) this.errors.push({ kind: 'internal', message: String(err instanceof Error ? err.stack : err) });
      },
    );
    return run;
  }

  private async act(fn: () => Promise<void>): Promise<void> {
    await this.sim.idle();
    await this.schedule(fn);
    await this.sim.idle();
  }

  private expect<K extends Pending['kind']>(kind: K): Extract<Pending, { kind: K }> {
    const p = this.pending;
    if (this.ended || p?.kind !== kind) throw new SimUsageError(`expected the call to wait for ${kind}; it is ${this.waitingFor}`);
    this.fetchCounts.clear();
    return p as Extract<Pending, { kind: K }>;
  }

  /** @internal the parameters Twilio sends with every request for this call */
  callParams(): WebhookParams {
    const g = this.init.geo ?? {};
    const us = (n: string) => (n.startsWith('+1') ? 'US' : '');
    const p: WebhookParams = {
      AccountSid: this.sim.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: this.sid,
      CallStatus: this.status,
      Called: this.to,
      CalledCity: g.toCity ?? '', CalledCountry: g.toCountry ?? us(this.to), CalledState: g.toState ?? '', CalledZip: g.toZip ?? '',
      Caller: this.from,
      CallerCity: g.fromCity ?? '', CallerCountry: g.fromCountry ?? us(this.from), CallerState: g.fromState ?? '', CallerZip: g.fromZip ?? '',
      Direction: this.direction,
      From: this.from,
      FromCity: g.fromCity ?? '', FromCountry: g.fromCountry ?? us(this.from), FromState: g.fromState ?? '', FromZip: g.fromZip ?? '',
      To: this.to,
      ToCity: g.toCity ?? '', ToCountry: g.toCountry ?? us(this.to), ToState: g.toState ?? '', ToZip: g.toZip ?? '',
    };
    if (this.init.parentCallSid) p.ParentCallSid = this.init.parentCallSid;
    if (this.answeredBy && this.init.syncAmd) p.AnsweredBy = this.answeredBy;
    return p;
  }

  /**
   * @internal starts execution with the first document (inbound voice URL, or an outbound call's Url);
   * `afterFetch` runs once that document is loaded, before it executes (async AMD results arrive then).
   */
  async start(kind: RequestKind, url: string, method: HttpMethod, inlineTwiml?: string, afterFetch?: () => Promise<void>): Promise<void> {
    this.startTime ??= this.sim.now();
    if (inlineTwiml !== undefined) {
      if (!(await this.useDocument(inlineTwiml, url, url))) return;
    } else if (!(await this.fetchDocument(kind, url, method, this.callParams()))) return;
    const first = this.frame?.verbs[0];
    if (first?.verb === 'Reject' && this.direction === 'inbound') {
      await this.finish(first.reason === 'busy' ? 'busy' : 'no-answer');
      return;
    }
    this.answer();
    if (afterFetch) await afterFetch();
    await this.drive();
  }

  /** @internal marks the call answered (in-progress) */
  answer(): void {
    if (this.answeredAt) return;
    this.answeredAt = this.sim.now();
    this.status = 'in-progress';
  }

  /** @internal moves to a pre-answer status and sends its callback when subscribed */
  async progress(status: 'initiated' | 'ringing' | 'in-progress'): Promise<void> {
    if (status === 'in-progress') this.answer();
    else this.status = status;
    await this.deliverStatus(status, false);
  }

  /** @internal REST: replace the call's TwiML (Url or Twiml), wherever it is */
  async redirectTo(url: string, method: HttpMethod, inlineTwiml?: string): Promise<void> {
    if (this.ended) return;
    await this.abandon('redirected');
    this.fetchCounts.clear();
    if (inlineTwiml !== undefined) {
      if (!(await this.useDocument(inlineTwiml, url, url))) return;
    } else if (!(await this.fetchDocument('redirect', url, method, this.callParams()))) return;
    await this.drive();
  }

  /** @internal REST: dequeue this member to a URL (Twilio: Enqueue action right away with QueueResult=redirected) */
  async dequeueTo(url: string, method: HttpMethod): Promise<void> {
    if (this.ended || !this.queueState) return;
    await leaveQueue(this, 'redirected', true);
    this.pending = undefined;
    this.fetchCounts.clear();
    if (!(await this.fetchDocument('dequeue', url, method, this.callParams()))) return;
    await this.drive();
  }

  /** @internal ends the call from outside (REST Status=completed, conference end of a non-dialer) */
  async terminate(status: CallStatus): Promise<void> {
    if (this.ended) return;
    await this.endCall(status, {});
  }

  /** @internal the Dial on this call is over; post its action and continue */
  async finishDial(verb: DialVerb, frame: Frame, params: WebhookParams): Promise<void> {
    this.pending = undefined;
    if (this.ended) return;
    if (verb.action) {
      if (!(await this.fetchDocument('action', resolveUrl(verb.action, frame.docUrl), verb.method, { ...this.callParams(), ...params }))) return;
    } else this.frame = frame;
    await this.drive();
  }

  /** @internal this queued caller's bridge ended while the caller is still on the line */
  async finishBridgedQueue(): Promise<void> {
    await finishBridgedQueue(this);
  }

  /** @internal plays a `<Queue url>` announcement to this queued caller before the bridge */
  async announce(url: string, method: HttpMethod, params: WebhookParams): Promise<void> {
    await announce(this, url, method, params);
  }

  /** @internal the bridge to this caller's Dial is established */
  bridged(bridge: DialBridge): void {
    this.pending = { kind: 'bridged', bridge };
    this.emit('waiting', this.waitingFor);
  }

  /** @internal sends a status callback (through the sim's delivery controls) */
  async deliverStatus(status: CallStatus, force: boolean): Promise<void> {
    const url = this.init.statusCallback;
    if (!url) return;
    const event = status === 'in-progress' ? 'answered' : status === 'initiated' || status === 'ringing' ? status : 'completed';
    if (!force && !(this.init.statusCallbackEvents ?? ['completed']).includes(event)) return;
    const now = this.sim.now();
    const params: WebhookParams = {
      ...this.callParams(),
      CallStatus: status,
      Timestamp: rfc2822(now),
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(this.sequence++),
    };
    if (['completed', 'busy', 'no-answer', 'failed', 'canceled'].includes(status)) {
      const secs = this.answeredAt ? Math.max(0, Math.round(((this.endTime ?? now).getTime() - this.answeredAt.getTime()) / 1000)) : 0;
      params.CallDuration = String(secs);
      params.Duration = String(Math.ceil(secs / 60));
      params.SipResponseCode = { completed: '200', busy: '486', 'no-answer': '487', failed: '500', canceled: '487' }[status as 'completed'];
    }
    await this.sim.deliverCallback(this, 'status', url, this.init.statusCallbackMethod ?? 'POST', params);
  }

  /** @internal makes one signed request for this call and records it */
  async request(kind: RequestKind, url: string, method: HttpMethod, params: WebhookParams): Promise<SimRequest> {
    const req = await sendWebhook(this.sim.authToken, kind, url, method, params);
    this.requests.push(req);
    this.emit('request', req);
    return req;
  }

  /** @internal posts a callback whose response Twilio ignores; failures are warnings (15003) */
  async notify(kind: RequestKind, url: string, method: HttpMethod, params: WebhookParams): Promise<void> {
    const req = await this.request(kind, url, method, params);
    if (req.failure || !req.status || req.status >= 300) {
      this.errors.push({ kind: 'callback', code: 15003, message: req.failure ?? `HTTP ${req.status} from ${kind} callback`, url, status: req.status });
    }
  }

  // ---------------------------------------------------------------- executor

  /** @internal runs verbs until the call waits or ends */
  async drive(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.ended && !this.pending && this.frame) {
        const frame = this.frame;
        const verb = frame.verbs[frame.index++];
        if (!verb) {
          if (this.inWait()) this.pending = { kind: 'hold', frame };
          else await this.endCall('completed', {});
          break;
        }
        await this.execute(verb, frame);
      }
    } finally {
      this.running = false;
    }
    if (!this.ended) this.emit('waiting', this.waitingFor);
  }

  /** @internal in a queue's wait document (only waitUrl verbs allowed) */
  inWait(): boolean {
    return !!this.queueState && this.queueState.waited === undefined;
  }

  private async execute(verb: Verb, frame: Frame): Promise<void> {
    if (this.inWait() && !WAIT_VERBS.has(verb.verb)) {
      return this.applicationError({ kind: 'twiml', code: 12200, message: `<${verb.verb}> is not allowed in a waitUrl document`, url: frame.docUrl });
    }
    switch (verb.verb) {
      case 'Say':
      case 'Play':
      case 'Pause':
        this.prompt(verb);
        if ((verb.verb === 'Say' || verb.verb === 'Play') && verb.loop === 0) this.pending = { kind: 'playing', frame };
        return;
      case 'Gather':
        for (const p of verb.prompts) this.prompt(p);
        this.pending = { kind: 'gather', verb, frame, digits: '' };
        return;
      case 'Redirect':
        await this.fetchDocument('redirect', resolveUrl(verb.url, frame.docUrl), verb.method, this.callParams());
        return;
      case 'Hangup':
        if (this.inWait()) await this.endCall('completed', {});
        else await this.finish('completed');
        return;
      case 'Reject':
        await this.finish('completed');
        return;
      case 'Enqueue':
        return enqueue(this, verb, frame);
      case 'Leave':
        if (this.inWait()) {
          const q = this.queueState!;
          await leaveQueue(this, 'leave', false);
          if (!q.verb.action) this.frame = q.frame;
        }
        return;
      case 'Dial':
        return dial(this, verb, frame);
      case 'Record':
        if (verb.playBeep) this.emit('beep');
        this.pending = { kind: 'record', verb, frame };
        return;
      default: {
        const never: never = verb;
        throw new Error(`unhandled verb ${JSON.stringify(never)}`);
      }
    }
  }

  /** @internal the caller hears a Say/Play (with its loop) or waits a Pause */
  prompt(verb: PromptVerb): void {
    if (verb.verb === 'Pause') {
      this.sim.advance(verb.length);
      this.emit('pause', verb.length);
      return;
    }
    const times = Math.max(1, verb.loop);
    for (let i = 0; i < times; i++) {
      const item: HeardItem = verb.verb === 'Say'
        ? { verb: 'Say', text: verb.text, language: verb.language, voice: verb.voice }
        : { verb: 'Play', text: verb.digits ? `digits:${verb.digits}` : verb.url };
      this.heard.push(item);
      this.emit('heard', item);
    }
  }

  /** @internal leaves whatever the call waits on, for a REST redirect */
  async abandon(why: 'redirected'): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    if (p?.kind === 'bridged' || p?.kind === 'dialing') abandonDial(this, p);
    else if (p?.kind === 'conference') p.conference.remove(p.participant, 'left');
    if (this.queueState) await leaveQueue(this, why, true);
  }

  /**
   * Ends the call now (caller hangup, REST, `<Hangup>` in a waitUrl): posts the callbacks Twilio makes
   * for whatever was pending (their TwiML ignored), then the final status callback.
   * @internal
   */
  async endCall(status: CallStatus, opts: { recordingSec?: number; transcript?: string }, recordPending?: Extract<Pending, { kind: 'record' }>): Promise<void> {
    const p = recordPending ?? this.pending;
    this.pending = undefined;
    this.status = status;
    this.endTime = this.sim.now();
    if (p?.kind === 'record' && (opts.recordingSec ?? 0) > 0) await postRecording(this, p, opts.recordingSec!, 'hangup', opts.transcript, true);
    else if (p?.kind === 'dialing' || p?.kind === 'bridged') await hangupDuringDial(this, p);
    else if (p?.kind === 'conference') await hangupInConference(this, p);
    if (this.queueState) await leaveQueue(this, 'hangup', true);
    await this.finish(status);
  }

  /** Final status and the completed-type status callback. @internal */
  async finish(status: CallStatus): Promise<void> {
    this.pending = undefined;
    this.frame = undefined;
    if (this.queueState) {
      this.queueState.queue.remove(this.sid, this.sim.now());
      this.queueState = undefined;
    }
    this.status = status;
    this.endTime ??= this.sim.now();
    this.emit('ended', status);
    await this.deliverStatus(status, false);
  }

  /** @internal Twilio's application-error treatment: record it, apologise, hang up */
  async applicationError(err: SimError): Promise<void> {
    this.errors.push(err);
    const item: HeardItem = { verb: 'Say', text: APPLICATION_ERROR_MESSAGE, language: 'en-US' };
    this.heard.push(item);
    this.emit('heard', item);
    const p = this.pending;
    this.pending = undefined;
    if (p?.kind === 'bridged') p.bridge.end(p.bridge.dialer === this ? 'dialer' : 'peer');
    else if (p?.kind === 'conference') p.conference.remove(p.participant, 'left');
    await this.finish('completed');
  }

  /** @internal fetches a TwiML document; on any failure the call gets Twilio's application-error treatment */
  async fetchDocument(kind: RequestKind, url: string, method: HttpMethod, params: WebhookParams): Promise<boolean> {
    const count = (this.fetchCounts.get(url) ?? 0) + 1;
    this.fetchCounts.set(url, count);
    if (count > this.sim.loopLimit) {
      await this.applicationError({ kind: 'loop', message: `${url} requested ${count} times without caller input (redirect loop)`, url });
      return false;
    }
    const req = await this.request(kind, url, method, params);
    if (req.failure !== undefined) {
      await this.applicationError({ kind: 'network', code: 11205, message: `HTTP connection failure: ${req.failure}`, url });
      return false;
    }
    if (!req.status || req.status < 200 || req.status >= 300) {
      await this.applicationError({ kind: 'http', code: 11200, message: `HTTP retrieval failure: status ${req.status}`, url, status: req.status });
      return false;
    }
    return this.useDocument(req.body ?? '', url, url);
  }

  /** @internal parses a document into the current frame; a bad one is an application error */
  async useDocument(xml: string, docUrl: string, errUrl: string): Promise<boolean> {
    let verbs: Verb[];
    try {
      verbs = parseTwiml(xml);
    } catch (err) {
      const e = err instanceof TwimlError ? err : new TwimlError(12100, String(err));
      await this.applicationError({ kind: 'twiml', code: e.code, message: e.message, url: errUrl });
      return false;
    }
    this.frame = { verbs, index: 0, docUrl };
    return true;
  }
}
