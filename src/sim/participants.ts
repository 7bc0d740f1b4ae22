import { SimCall } from './call';
import { SimParticipant, type ParticipantSettings, type SimConference } from './conference';
import { enterRoom } from './conference-verb';
import { ClientIncoming } from './dial';
import type { TwilioSim } from './sim';
import type { DialVerb, HttpMethod } from './twiml';

/** The Participants API create parameters the sim uses. */
export interface ParticipantRequest {
  readonly from: string;
  /** E.164 number, `client:<identity>` or `sip:` address. */
  readonly to: string;
  /** Seconds to ring before no-answer (Twilio: 5-600, default 60). */
  readonly timeout: number;
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  /** Call progress events: initiated ringing answered completed. */
  readonly statusCallbackEvents: string[];
  readonly settings: ParticipantSettings;
}

/**
 * Participants API create: dials `To` on a new outbound-api call (its status callbacks per StatusCallbackEvent);
 * when it answers, the call joins the conference. A client is offered the call like `<Dial><Client>`
 * (a {@link ClientIncoming} for the registered client); a number follows its configured behaviour; `sip:` answers.
 * @param sim - the sim
 * @param conference - the room (created by the caller of this function if needed)
 * @param req - the parameters
 */
export function dialParticipant(sim: TwilioSim, conference: SimConference, req: ParticipantRequest): SimParticipant {
  const call = new SimCall(sim, {
    from: req.from,
    to: req.to,
    direction: 'outbound-api',
    statusCallback: req.statusCallback,
    statusCallbackMethod: req.statusCallbackMethod,
    statusCallbackEvents: req.statusCallbackEvents,
  });
  const participant = new SimParticipant(call, conference, req.settings, 'rest');
  conference.add(participant);
  // Hung up or canceled before it joined: it is no longer a participant.
  call.once('ended', () => conference.remove(participant, 'left'));
  sim.addCall(call);
  void call.schedule(() => ring(participant, req));
  return participant;
}

async function ring(p: SimParticipant, req: ParticipantRequest): Promise<void> {
  const call = p.call;
  const sim = call.sim;
  if (call.ended) return;
  p.status = 'connecting';
  await call.progress('initiated');
  p.status = 'ringing';
  await call.progress('ringing');
  if (call.ended) return;
  if (req.to.startsWith('client:')) {
    const identity = req.to.slice('client:'.length);
    const reg = sim.client(identity);
    if (!reg) return unanswered(p, 'no-answer', req.timeout);
    const incoming = new ParticipantIncoming(p, identity, req.timeout);
    call.pending = { kind: 'dialing', verb: incoming.dialVerb, frame: { verbs: [], index: 0, docUrl: sim.baseUrl }, noun: { kind: 'Client', identity, params: {}, statusCallbackMethod: 'POST', statusCallbackEvents: [] }, childSid: call.sid, incoming };
    sim.offerToClient(reg, incoming);
    return;
  }
  const behaviour = req.to.startsWith('sip:') ? 'human' : sim.numberBehaviour(req.to);
  if (behaviour === 'busy' || behaviour === 'failed' || behaviour === 'no-answer') return unanswered(p, behaviour, req.timeout);
  await answered(p);
}

/** The participant's call was not answered: it leaves the participant list and ends with that status. */
async function unanswered(p: SimParticipant, status: 'busy' | 'failed' | 'no-answer', timeout: number): Promise<void> {
  if (status === 'no-answer') p.call.sim.advance(timeout);
  p.call.pending = undefined;
  p.conference.remove(p, 'left');
  await p.call.finish(status);
}

async function answered(p: SimParticipant): Promise<void> {
  const call = p.call;
  call.pending = undefined;
  // The conference ended while this participant was ringing.
  if (p.conference.status === 'completed') return call.terminate('canceled');
  await call.progress('in-progress');
  await enterRoom(call, p.conference, p);
}

/** The registered client's view of a Participants API call to `client:<identity>`: answering joins the conference. */
export class ParticipantIncoming extends ClientIncoming {
  /** @internal the Dial-shaped stand-in the ringing call waits on */
  readonly dialVerb: DialVerb;

  constructor(
    private readonly participant: SimParticipant,
    identity: string,
    private readonly ringSec: number,
  ) {
    const call = participant.call;
    const verb: DialVerb = { verb: 'Dial', method: 'POST', timeout: ringSec, nouns: [{ kind: 'Client', identity, params: {}, statusCallbackMethod: 'POST', statusCallbackEvents: [] }] };
    super(call, verb, { verbs: [], index: 0, docUrl: call.sim.baseUrl }, call.sid, identity, {}, call.from);
    this.dialVerb = verb;
    call.once('ended', () => {
      if (this.status === 'accepted') this.status = 'completed';
    });
  }

  /** Answers: the participant's call joins the conference. */
  override async accept(): Promise<void> {
    await this.settle('accepted', (p) => answered(p));
  }

  /** Declines: the participant's call ends busy. */
  override async reject(): Promise<void> {
    await this.settle('rejected', (p) => unanswered(p, 'busy', 0));
  }

  /** Lets it ring until Timeout: the participant's call ends no-answer. */
  override async ignore(): Promise<void> {
    await this.settle('no-answer', (p) => unanswered(p, 'no-answer', this.ringSec));
  }

  /** The client hangs up: the participant leaves the conference. */
  override async hangup(): Promise<void> {
    if (this.status === 'accepted') await this.participant.call.hangup();
  }

  private async settle(status: 'accepted' | 'rejected' | 'no-answer', then: (p: SimParticipant) => Promise<void>): Promise<void> {
    const p = this.participant;
    const call = p.call;
    void call.schedule(async () => {
      if (this.status !== 'ringing' || call.pending?.kind !== 'dialing' || call.pending.incoming !== this) return;
      this.status = status;
      await then(p);
    });
    await call.sim.idle();
  }
}
