import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimCall, SimUsageError, type CallGeo, type CallStatus } from './call';
import { SimConference } from './conference';
import { DialBridge, type ClientIncoming } from './dial';
import { SimQueue } from './queues';
import type { WebhookParams } from './signature';
import type { DialNoun, HttpMethod } from './twiml';
import type { RequestKind } from './webhook-client';
import { buildRestApi } from './rest-api';

/** A recording the local Twilio holds. */
export interface SimRecording {
  sid: string;
  callSid: string;
  durationSec: number;
  dateCreated: Date;
}

/** How a dialed number (Dial `<Number>` or a REST-created call's To) behaves. `answer` = `human`. */
export type NumberBehaviour = 'answer' | 'human' | 'machine' | 'busy' | 'no-answer' | 'failed';

/** AMD results Twilio reports in AnsweredBy. */
export type AnsweredBy = 'human' | 'machine_start' | 'machine_end_beep' | 'machine_end_silence' | 'machine_end_other' | 'fax' | 'unknown';

/** Options of {@link TwilioSim}. */
export interface TwilioSimOptions {
  /** The application's public base URL (careline's PUBLIC_BASE_URL). */
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** API keys accepted by the fake REST API: SK sid → secret. */
  readonly apiKeys?: Readonly<Record<string, string>>;
  /** Requests of one URL without caller input before the call is killed as a loop (default 20). */
  readonly loopLimit?: number;
}

/** A Voice SDK client registered with the sim, reachable by `<Dial><Client>`. */
export interface ClientRegistration {
  /** Called when a call rings this client; accept, reject or ignore it (now or later). */
  onIncoming?: (incoming: ClientIncoming) => void | Promise<void>;
}

/** A call created through the fake REST API, with the wall-clock time of the create (for pacing checks). */
export interface CreatedCall {
  readonly sid: string;
  readonly to: string;
  readonly from: string;
  /** `Date.now()` when the create request was served. */
  readonly at: number;
  /** The SendDigits of the request, keyed on answer. */
  readonly sendDigits?: string;
}

/** A status callback held back by `statusCallbacks.hold`. */
export interface HeldCallback {
  readonly call: SimCall;
  readonly kind: RequestKind;
  readonly url: string;
  readonly method: HttpMethod;
  readonly params: WebhookParams;
}

/** Parameters of an outbound call created through the REST API. */
export interface OutboundCallRequest {
  to: string;
  from: string;
  url?: string;
  method: HttpMethod;
  twiml?: string;
  statusCallback?: string;
  statusCallbackMethod: HttpMethod;
  statusCallbackEvents: string[];
  machineDetection?: 'Enable' | 'DetectMessageEnd';
  asyncAmd: boolean;
  asyncAmdStatusCallback?: string;
  asyncAmdStatusCallbackMethod: HttpMethod;
  timeout: number;
  /** DTMF Twilio keys once the call answers (e.g. an interpreter service's access code) */
  sendDigits?: string;
}

interface Fault { method: string; path: RegExp; status: number; remaining: number }

/**
 * The local Twilio: places simulated calls to the application's webhooks, executes its TwiML with
 * Twilio's semantics, and serves a fake REST API (`listen()`). Time is virtual: Pause, timeouts and
 * recordings advance {@link now}, so durations are deterministic.
 *
 * ```ts
 * const sim = new TwilioSim({ baseUrl, accountSid, authToken });
 * const call = await sim.inboundCall({ from: '+15551234567', to: '+15550100000' });
 * await call.press('1');
 * ```
 * Events: `call` (SimCall) whenever a call is created.
 */
export class TwilioSim extends EventEmitter {
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly apiKeys: Readonly<Record<string, string>>;
  readonly loopLimit: number;
  /** Every call, in creation order. */
  readonly calls: SimCall[] = [];
  /** Queues by friendly name. */
  readonly queues = new Map<string, SimQueue>();
  /** Every call created through the REST API, with wall-clock timestamps. */
  readonly createdCalls: CreatedCall[] = [];
  /** Recordings made by `<Record>` (and any a test adds), by SID, until deleted over REST. */
  readonly recordings = new Map<string, SimRecording>();
  /** Every conference, completed ones included, in creation order. */
  readonly conferences: SimConference[] = [];
  /** Clients offered a call, in order. */
  readonly incoming: ClientIncoming[] = [];
  /** Status callback delivery controls: `hold` queues them until {@link flushStatusCallbacks}; `duplicate` sends each twice. */
  readonly statusCallbacks = { hold: false, duplicate: false };
  /** Status callbacks held back while `statusCallbacks.hold` is set. */
  readonly heldCallbacks: HeldCallback[] = [];
  /** Base URL of the fake REST API once {@link listen} resolved. */
  restBaseUrl?: string;
  private offsetMs = 0;
  private readonly behaviours = new Map<string, { behaviour: NumberBehaviour; answeredBy?: AnsweredBy }>();
  private readonly clients = new Map<string, ClientRegistration>();
  private readonly queueWaiters: Array<{ call: SimCall; queue: SimQueue; noun: Extract<DialNoun, { kind: 'Queue' }> }> = [];
  private readonly faults: Fault[] = [];
  private server?: Server;

  constructor(opts: TwilioSimOptions) {
    super();
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.accountSid = opts.accountSid;
    this.authToken = opts.authToken;
    this.apiKeys = opts.apiKeys ?? {};
    this.loopLimit = opts.loopLimit ?? 20;
  }

  // ---------------------------------------------------------------- clock

  /** Current sim time (real start time plus virtual time elapsed). */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /**
   * Moves virtual time forward (a conversation lasting, a caller waiting in a queue).
   * @param seconds - how long
   */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  // ---------------------------------------------------------------- configuration

  /**
   * Sets how a number answers when dialed (`<Dial><Number>`) or called through the REST API (default: human).
   * @param number - E.164 number
   * @param behaviour - answer/human, machine, busy, no-answer, failed
   * @param opts - answeredBy: the AMD result to report for a machine (default machine_start, or machine_end_beep with DetectMessageEnd)
   */
  setNumberBehaviour(number: string, behaviour: NumberBehaviour, opts: { answeredBy?: AnsweredBy } = {}): void {
    this.behaviours.set(number, { behaviour, answeredBy: opts.answeredBy });
  }

  /**
   * Registers a Voice SDK client identity (`<Dial><Client>identity</Client>`).
   * @param identity - the client identity
   * @param reg - onIncoming handler
   */
  registerClient(identity: string, reg: ClientRegistration = {}): void {
    this.clients.set(identity, reg);
  }

  /** Removes a client registration (the agent went offline). */
  unregisterClient(identity: string): void {
    this.clients.delete(identity);
  }

  /**
   * Makes the next `times` REST requests matching method and path fail with `status` (503, 429…).
   * @param method - HTTP method, e.g. POST
   * @param path - tested against the request path
   * @param status - HTTP status to answer
   * @param times - how many requests to fail (default 1)
   */
  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.faults.push({ method: method.toUpperCase(), path, status, remaining: times });
  }

  // ---------------------------------------------------------------- calls

  /**
   * Places an inbound call to the application: posts Twilio's voice params to `${baseUrl}/webhooks/voice`
   * and runs the TwiML until it waits for the caller or ends.
   * @param opts - from, to, caller geography, and the status callback URL (default `${baseUrl}/webhooks/status`)
   */
  async inboundCall(opts: { from: string; to: string; geo?: CallGeo; statusCallback?: string }): Promise<SimCall> {
    const call = new SimCall(this, {
      from: opts.from,
      to: opts.to,
      direction: 'inbound',
      geo: opts.geo,
      statusCallback: opts.statusCallback ?? `${this.baseUrl}/webhooks/status`,
    });
    call.status = 'ringing';
    this.addCall(call);
    await call.schedule(() => call.start('voice', `${this.baseUrl}/webhooks/voice`, 'POST'));
    await this.idle();
    return call;
  }

  /** Calls whose To is `number`, oldest first. */
  callsTo(number: string): SimCall[] {
    return this.calls.filter((c) => c.to === number);
  }

  /** Calls whose From is `number`, oldest first. */
  callsFrom(number: string): SimCall[] {
    return this.calls.filter((c) => c.from === number);
  }

  /** A call by SID. */
  call(sid: string): SimCall | undefined {
    return this.calls.find((c) => c.sid === sid);
  }

  /** Resolves when no call has work left (every request answered, every follow-up done). */
  async idle(): Promise<void> {
    for (;;) {
      const chains = [...this.calls.map((c) => c.chain), ...this.conferences.map((c) => c.callbacks.chain)];
      await Promise.all(chains);
      await new Promise((r) => setImmediate(r));
      const now = [...this.calls.map((c) => c.chain), ...this.conferences.map((c) => c.callbacks.chain)];
      if (now.length === chains.length && now.every((c, i) => c === chains[i])) return;
    }
  }

  /**
   * Sends the held status callbacks.
   * @param opts - reverse: deliver newest first (out of order)
   */
  async flushStatusCallbacks(opts: { reverse?: boolean } = {}): Promise<void> {
    const held = this.heldCallbacks.splice(0);
    if (opts.reverse) held.reverse();
    for (const h of held) await this.send(h);
  }

  /**
   * A conference by SID or friendly name (the running one for a name, else the latest), for tests:
   * `participants` with their flags, `status`, `events` fired and `delivered` callbacks.
   * @param nameOrSid - `CF…` sid or friendly name
   */
  conference(nameOrSid: string): SimConference | undefined {
    if (nameOrSid.startsWith('CF')) {
      const bySid = this.conferences.find((c) => c.sid === nameOrSid);
      if (bySid) return bySid;
    }
    const named = this.conferences.filter((c) => c.friendlyName === nameOrSid);
    return named.find((c) => c.status !== 'completed') ?? named[named.length - 1];
  }

  /**
   * Ends a conference as the REST API's Status=completed does: TwiML-joined participants continue after
   * their `<Dial>` (its action is requested), REST-created ones hang up.
   * @param nameOrSid - `CF…` sid or friendly name
   */
  async endConference(nameOrSid: string): Promise<void> {
    await this.idle();
    const c = this.conference(nameOrSid);
    if (c && c.status !== 'completed') c.end('conference-ended-via-api');
    await this.idle();
  }

  /** Calls now in a conference (by friendly name or SID). */
  conferenceMembers(nameOrSid: string): SimCall[] {
    const c = this.conference(nameOrSid);
    return c && c.status !== 'completed' ? c.connected().map((p) => p.call) : [];
  }

  /**
   * A call speaks (audio as text); see {@link SimCall.talk}.
   * @param callSid - the speaking call
   * @param text - what it says
   */
  async say(callSid: string, text: string): Promise<void> {
    const call = this.call(callSid);
    if (!call) throw new SimUsageError(`no call ${callSid}`);
    await call.talk(text);
  }

  // ---------------------------------------------------------------- REST server

  /**
   * Serves the fake REST API on 127.0.0.1.
   * @param port - 0 for any free port
   * @returns the base URL, e.g. `http://127.0.0.1:54321`
   */
  async listen(port = 0): Promise<string> {
    const app = buildRestApi(this);
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    this.server = server;
    this.restBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.restBaseUrl;
  }

  /** Stops the REST server and waits for outstanding call work. */
  async close(): Promise<void> {
    await this.idle();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  // ---------------------------------------------------------------- internals

  /** @internal */
  addCall(call: SimCall): void {
    this.calls.push(call);
    this.emit('call', call);
  }

  /** @internal returns (and consumes) a configured fault for a REST request */
  takeFault(method: string, path: string): number | undefined {
    const f = this.faults.find((x) => x.remaining > 0 && x.method === method && x.path.test(path));
    if (!f) return undefined;
    f.remaining--;
    return f.status;
  }

  /** @internal */
  numberBehaviour(number: string): NumberBehaviour {
    return this.behaviours.get(number)?.behaviour ?? 'human';
  }

  /** @internal */
  client(identity: string): ClientRegistration | undefined {
    return this.clients.get(identity);
  }

  /** @internal hands a ringing client call to the registered handler (not awaited: it may answer later) */
  offerToClient(reg: ClientRegistration, incoming: ClientIncoming): void {
    this.incoming.push(incoming);
    try {
      const r = reg.onIncoming?.(incoming);
      if (r instanceof Promise) r.catch(() => undefined);
    } catch {
      // A throwing handler is a client that never answers.
    }
  }

  /** @internal where recording URLs point */
  recordingsBaseUrl(): string {
    return this.restBaseUrl ?? 'https://api.twilio.com';
  }

  /**
   * @internal finds or creates a queue by friendly name
   */
  queueNamed(name: string, create: boolean): SimQueue | undefined {
    let q = this.queues.get(name);
    if (!q && create) {
      q = new SimQueue(name, this.now());
      this.queues.set(name, q);
    }
    return q;
  }

  /** @internal */
  queueBySid(sid: string): SimQueue | undefined {
    return [...this.queues.values()].find((q) => q.sid === sid);
  }

  /** @internal `<Dial><Queue>`: bridge to the head of the queue, or wait for the next caller */
  dialQueue(agent: SimCall, queue: SimQueue, noun: Extract<DialNoun, { kind: 'Queue' }>): void {
    const head = queue.members.map((m) => this.call(m.callSid)).find((c) => c && !c.ended);
    if (!head) {
      this.queueWaiters.push({ call: agent, queue, noun });
      return;
    }
    void head.schedule(() => this.connectQueue(agent, head, queue, noun));
  }

  /** @internal called by a caller entering a queue: connects a waiting `<Dial><Queue>` if there is one */
  async bridgeWaitingAgent(caller: SimCall, queue: SimQueue): Promise<boolean> {
    const i = this.queueWaiters.findIndex((w) => w.queue === queue && w.call.pending?.kind === 'dialing');
    if (i < 0) return false;
    const [w] = this.queueWaiters.splice(i, 1);
    await this.connectQueue(w!.call, caller, queue, w!.noun);
    return true;
  }

  /** @internal */
  forgetQueueWaiter(call: SimCall): void {
    const i = this.queueWaiters.findIndex((w) => w.call === call);
    if (i >= 0) this.queueWaiters.splice(i, 1);
  }

  /** Runs in the queued caller's chain: optional `<Queue url>` announcement, then the bridge. */
  private async connectQueue(agent: SimCall, caller: SimCall, queue: SimQueue, noun: Extract<DialNoun, { kind: 'Queue' }>): Promise<void> {
    const dialing = agent.pending;
    if (dialing?.kind !== 'dialing' || dialing.noun !== noun) return;
    const state = caller.queueState;
    if (caller.ended || !state || state.waited !== undefined || state.queue !== queue) {
      this.dialQueue(agent, queue, noun);
      return;
    }
    state.waited = queue.remove(caller.sid, this.now()) ?? 0;
    caller.pending = undefined;
    if (noun.url) {
      await caller.announce(new URL(noun.url, dialing.frame.docUrl).toString(), noun.method, {
        QueueSid: queue.sid, CallSid: caller.sid, QueueTime: String(state.waited), DequeingCallSid: agent.sid,
      });
      if (caller.ended) {
        void agent.schedule(() => agent.finishDial(dialing.verb, dialing.frame, { DialCallStatus: 'failed', DialCallSid: caller.sid }));
        return;
      }
    }
    const bridge = new DialBridge(agent, dialing.verb, dialing.frame, caller.sid, caller.from, this.now());
    bridge.peerCall = caller;
    caller.bridged(bridge);
    void agent.schedule(async () => {
      if (agent.pending === dialing) agent.bridged(bridge);
      else bridge.end('dialer');
    });
  }

  /**
   * @internal the running conference with this friendly name, created (`init`) when asked and there is none
   */
  conferenceNamed(name: string, create: boolean): SimConference | undefined {
    let c = this.conferences.find((x) => x.friendlyName === name && x.status !== 'completed');
    if (!c && create) {
      c = new SimConference(this, name);
      this.conferences.push(c);
    }
    return c;
  }

  /** @internal status callbacks go through the delivery controls */
  async deliverCallback(call: SimCall, kind: RequestKind, url: string, method: HttpMethod, params: WebhookParams): Promise<void> {
    const cb: HeldCallback = { call, kind, url, method, params };
    if (this.statusCallbacks.hold) {
      this.heldCallbacks.push(cb);
      return;
    }
    await this.send(cb);
  }

  private async send(cb: HeldCallback): Promise<void> {
    await cb.call.notify(cb.kind, cb.url, cb.method, cb.params);
    if (this.statusCallbacks.duplicate) await cb.call.notify(cb.kind, cb.url, cb.method, cb.params);
  }

  /** @internal creates an outbound call (REST `Calls.json`) and starts it in the background */
  createOutbound(req: OutboundCallRequest): SimCall {
    const call = new SimCall(this, {
      from: req.from,
      to: req.to,
      direction: 'outbound-api',
      statusCallback: req.statusCallback,
      statusCallbackMethod: req.statusCallbackMethod,
      statusCallbackEvents: req.statusCallbackEvents,
      syncAmd: !!req.machineDetection && !req.asyncAmd,
    });
    this.createdCalls.push({ sid: call.sid, to: req.to, from: req.from, at: Date.now(), sendDigits: req.sendDigits });
    this.addCall(call);
    void call.schedule(() => this.runOutbound(call, req));
    return call;
  }

  private async runOutbound(call: SimCall, req: OutboundCallRequest): Promise<void> {
    if (call.ended) return;
    await call.progress('initiated');
    await call.progress('ringing');
    if (call.ended) return;
    const b = this.behaviours.get(req.to) ?? { behaviour: 'human' as NumberBehaviour };
    if (b.behaviour === 'busy' || b.behaviour === 'failed' || b.behaviour === 'no-answer') {
      if (b.behaviour === 'no-answer') this.advance(req.timeout);
      await call.finish(b.behaviour as CallStatus);
      return;
    }
    if (req.machineDetection) {
      call.answeredBy = b.behaviour === 'machine'
        ? b.answeredBy ?? (req.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start')
        : b.answeredBy ?? 'human';
    }
    await call.progress('in-progress');
    const amdUrl = req.machineDetection && req.asyncAmd ? req.asyncAmdStatusCallback : undefined;
    // Async AMD: Twilio runs the Url's TwiML at once and posts the result a few seconds into the call.
    const postAmd = amdUrl
      ? () => call.notify('amd', amdUrl, req.asyncAmdStatusCallbackMethod, {
        AccountSid: this.accountSid, CallSid: call.sid, AnsweredBy: call.answeredBy ?? 'unknown', MachineDetectionDuration: '2300',
      })
      : undefined;
    await call.start('url', req.url ?? this.baseUrl, req.method, req.twiml, postAmd);
  }
}
