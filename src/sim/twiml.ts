import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** HTTP method Twilio uses for a callback URL. */
export type HttpMethod = 'GET' | 'POST';

/** `<Say>`: text spoken to the caller. */
export interface SayVerb { readonly verb: 'Say'; readonly text: string; readonly voice?: string; readonly language?: string; readonly loop: number }
/** `<Play>`: an audio URL, or DTMF tones when `digits` is set. */
export interface PlayVerb { readonly verb: 'Play'; readonly url: string; readonly loop: number; readonly digits?: string }
/** `<Pause>`: silence of `length` seconds (default 1). */
export interface PauseVerb { readonly verb: 'Pause'; readonly length: number }
/** A verb that may be nested in `<Gather>`. */
export type PromptVerb = SayVerb | PlayVerb | PauseVerb;
/** `<Gather>`: collects DTMF and/or speech, then requests `action`. */
export interface GatherVerb {
  readonly verb: 'Gather';
  readonly input: ReadonlyArray<'dtmf' | 'speech'>;
  readonly numDigits?: number;
  readonly finishOnKey: string;
  readonly timeout: number;
  readonly action?: string;
  readonly method: HttpMethod;
  readonly language?: string;
  readonly hints?: string;
  readonly actionOnEmptyResult: boolean;
  readonly prompts: readonly PromptVerb[];
}
/** `<Redirect>`: fetch another document and run it instead. */
export interface RedirectVerb { readonly verb: 'Redirect'; readonly url: string; readonly method: HttpMethod }
/** `<Hangup>`: end the call. */
export interface HangupVerb { readonly verb: 'Hangup' }
/** `<Reject>`: refuse the call (no answer, no billing). */
export interface RejectVerb { readonly verb: 'Reject'; readonly reason: 'rejected' | 'busy' }
/** `<Enqueue>`: put the call in the named queue. */
export interface EnqueueVerb {
  readonly verb: 'Enqueue';
  readonly queue: string;
  readonly action?: string;
  readonly method: HttpMethod;
  readonly waitUrl?: string;
  readonly waitUrlMethod: HttpMethod;
}
/** `<Leave>`: leave the queue (only meaningful in a waitUrl document). */
export interface LeaveVerb { readonly verb: 'Leave' }
/** A noun inside `<Dial>`. */
export type DialNoun =
  | { readonly kind: 'Number'; readonly number: string; readonly url?: string; readonly sendDigits?: string }
  | {
      readonly kind: 'Client';
      readonly identity: string;
      readonly params: Readonly<Record<string, string>>;
      /** the client leg's own status callback (`statusCallback`, `statusCallbackEvent`, `statusCallbackMethod`) */
      readonly statusCallback?: string;
      readonly statusCallbackMethod: HttpMethod;
      readonly statusCallbackEvents: readonly string[];
    }
  | { readonly kind: 'Queue'; readonly name: string; readonly url?: string; readonly method: HttpMethod }
  | ConferenceNoun;
/** `<Dial><Conference>`: the room and how this participant joins it. */
export interface ConferenceNoun {
  readonly kind: 'Conference';
  readonly name: string;
  readonly muted: boolean;
  /** true, false, onEnter or onExit */
  readonly beep: 'true' | 'false' | 'onEnter' | 'onExit';
  readonly startConferenceOnEnter: boolean;
  readonly endConferenceOnExit: boolean;
  /** undefined: Twilio's default hold music; empty string: silence. */
  readonly waitUrl?: string;
  readonly waitMethod: HttpMethod;
  readonly maxParticipants: number;
  readonly statusCallback?: string;
  readonly statusCallbackMethod: HttpMethod;
  /** start end join leave mute hold modify speaker announcement */
  readonly statusCallbackEvent: readonly string[];
  readonly participantLabel?: string;
  /** CallSid of the participant this one coaches. */
  readonly coach?: string;
}
/** `<Dial>`: connect the caller to another party. */
export interface DialVerb {
  readonly verb: 'Dial';
  readonly action?: string;
  readonly method: HttpMethod;
  readonly timeout: number;
  readonly callerId?: string;
  readonly record?: string;
  readonly nouns: readonly DialNoun[];
}
/** `<Record>`: record the caller's voice, then request `action`. */
export interface RecordVerb {
  readonly verb: 'Record';
  readonly action?: string;
  readonly method: HttpMethod;
  readonly timeout: number;
  readonly maxLength: number;
  readonly playBeep: boolean;
  readonly finishOnKey: string;
  readonly transcribe: boolean;
  readonly transcribeCallback?: string;
  readonly recordingStatusCallback?: string;
  readonly recordingStatusCallbackMethod: HttpMethod;
}
/** Every verb the sim executes. */
export type Verb =
  | SayVerb | PlayVerb | PauseVerb | GatherVerb | RedirectVerb | HangupVerb | RejectVerb
  | EnqueueVerb | LeaveVerb | DialVerb | RecordVerb;

/** A TwiML document that could not be used; `code` is Twilio's error code (12100 parse, 12200 schema). */
export class TwimlError extends Error {
  constructor(readonly code: 12100 | 12200, message: string) {
    super(message);
    this.name = 'TwimlError';
  }
}

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

/**
 * Parses a TwiML `<Response>` into its verbs, in order. Unknown verbs, bad attribute values and
 * invalid nesting throw a {@link TwimlError}; unknown attributes are ignored, as Twilio does.
 * @param xml - the response body
 */
export function parseTwiml(xml: string): Verb[] {
  if (!xml.trim()) throw new TwimlError(12100, 'empty document');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TwimlError(12100, `invalid XML: ${valid.err.msg} (line ${valid.err.line})`);
  const nodes = parser.parse(xml) as XmlNode[];
  const roots = nodes.filter((n) => !('?xml' in n) && !('#text' in n));
  const root = roots[0];
  if (roots.length !== 1 || !root || tagOf(root) !== 'Response') {
    throw new TwimlError(12100, `the root element must be <Response>, found <${root ? tagOf(root) : 'nothing'}>`);
  }
  return elements(root).map(toVerb);
}

function tagOf(n: XmlNode): string {
  return Object.keys(n).find((k) => k !== ':@') ?? '';
}

function elements(n: XmlNode): XmlNode[] {
  const children = n[tagOf(n)];
  return Array.isArray(children) ? (children as XmlNode[]).filter((c) => !('#text' in c) && !('#comment' in c)) : [];
}

function textOf(n: XmlNode): string {
  const children = n[tagOf(n)];
  if (!Array.isArray(children)) return '';
  return (children as XmlNode[]).filter((c) => '#text' in c).map((c) => String(c['#text'])).join(' ').trim();
}

function attrs(n: XmlNode): Record<string, string> {
  return n[':@'] ?? {};
}

function int(tag: string, a: Record<string, string>, name: string, dflt: number, min = 0): number {
  const raw = a[name];
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new TwimlError(12200, `<${tag}> ${name}="${raw}" is not an integer >= ${min}`);
  return Number(raw);
}

function method(tag: string, a: Record<string, string>, name = 'method'): HttpMethod {
  const raw = (a[name] ?? 'POST').toUpperCase();
  if (raw !== 'GET' && raw !== 'POST') throw new TwimlError(12200, `<${tag}> ${name}="${a[name]}" must be GET or POST`);
  return raw;
}

function bool(tag: string, a: Record<string, string>, name: string, dflt: boolean): boolean {
  const raw = a[name];
  if (raw === undefined) return dflt;
  if (raw !== 'true' && raw !== 'false') throw new TwimlError(12200, `<${tag}> ${name}="${raw}" must be true or false`);
  return raw === 'true';
}

function opt(a: Record<string, string>, name: string): string | undefined {
  const v = a[name];
  return v === undefined || v === '' ? undefined : v;
}

function noChildren(n: XmlNode): void {
  const kids = elements(n);
  if (kids.length) throw new TwimlError(12200, `<${tagOf(n)}> cannot contain <${tagOf(kids[0]!)}>`);
}

function toVerb(n: XmlNode): Verb {
  const tag = tagOf(n);
  const a = attrs(n);
  switch (tag) {
    case 'Say':
    case 'Play':
    case 'Pause':
      return toPrompt(n);
    case 'Gather': {
      const input = (a.input ?? 'dtmf').trim().split(/\s+/);
      if (!input.every((i) => i === 'dtmf' || i === 'speech')) throw new TwimlError(12200, `<Gather> input="${a.input}" must be dtmf, speech or "dtmf speech"`);
      const prompts = elements(n).map((c) => {
        if (!['Say', 'Play', 'Pause'].includes(tagOf(c))) throw new TwimlError(12200, `<Gather> cannot contain <${tagOf(c)}> (only Say, Play, Pause)`);
        return toPrompt(c);
      });
      return {
        verb: 'Gather',
        input: input as Array<'dtmf' | 'speech'>,
        numDigits: a.numDigits === undefined ? undefined : int(tag, a, 'numDigits', 1, 1),
        finishOnKey: a.finishOnKey ?? '#',
        timeout: int(tag, a, 'timeout', 5, 1),
        action: opt(a, 'action'),
        method: method(tag, a),
        language: opt(a, 'language'),
        hints: opt(a, 'hints'),
        actionOnEmptyResult: bool(tag, a, 'actionOnEmptyResult', false),
        prompts,
      };
    }
    case 'Redirect': {
      noChildren(n);
      const url = textOf(n);
      if (!url) throw new TwimlError(12200, '<Redirect> needs a URL');
      return { verb: 'Redirect', url, method: method(tag, a) };
    }
    case 'Hangup':
    case 'Leave':
      noChildren(n);
      return { verb: tag };
    case 'Reject': {
      noChildren(n);
      const reason = a.reason ?? 'rejected';
      if (reason !== 'rejected' && reason !== 'busy') throw new TwimlError(12200, `<Reject> reason="${reason}" must be rejected or busy`);
      return { verb: 'Reject', reason };
    }
    case 'Enqueue': {
      noChildren(n);
      const queue = textOf(n);
      if (!queue || queue.length > 64) throw new TwimlError(12200, '<Enqueue> needs a queue name of 1-64 characters');
      return { verb: 'Enqueue', queue, action: opt(a, 'action'), method: method(tag, a), waitUrl: opt(a, 'waitUrl'), waitUrlMethod: method(tag, a, 'waitUrlMethod') };
    }
    case 'Dial': {
      const nouns = elements(n).map(toNoun);
      const bare = textOf(n);
      if (bare) nouns.unshift({ kind: 'Number', number: bare });
      if (!nouns.length) throw new TwimlError(12200, '<Dial> needs a number or a noun');
      return {
        verb: 'Dial',
        action: opt(a, 'action'),
        method: method(tag, a),
        timeout: int(tag, a, 'timeout', 30, 1),
        callerId: opt(a, 'callerId'),
        record: opt(a, 'record'),
        nouns,
      };
    }
    case 'Record':
      noChildren(n);
      return {
        verb: 'Record',
        action: opt(a, 'action'),
        method: method(tag, a),
        timeout: int(tag, a, 'timeout', 5),
        maxLength: int(tag, a, 'maxLength', 3600, 1),
        playBeep: bool(tag, a, 'playBeep', true),
        finishOnKey: a.finishOnKey ?? '1234567890*#',
        transcribe: bool(tag, a, 'transcribe', false),
        transcribeCallback: opt(a, 'transcribeCallback'),
        recordingStatusCallback: opt(a, 'recordingStatusCallback'),
        recordingStatusCallbackMethod: method(tag, a, 'recordingStatusCallbackMethod'),
      };
    default:
      throw new TwimlError(12200, `unknown verb <${tag}>`);
  }
}

function toPrompt(n: XmlNode): PromptVerb {
  const tag = tagOf(n);
  const a = attrs(n);
  noChildren(n);
  if (tag === 'Say') {
    return { verb: 'Say', text: textOf(n), voice: opt(a, 'voice'), language: opt(a, 'language'), loop: int(tag, a, 'loop', 1) };
  }
  if (tag === 'Play') {
    const url = textOf(n);
    const digits = opt(a, 'digits');
    if (!url && !digits) throw new TwimlError(12200, '<Play> needs a URL or digits');
    return { verb: 'Play', url, loop: int(tag, a, 'loop', 1), digits };
  }
  return { verb: 'Pause', length: int(tag, a, 'length', 1, 1) };
}

function toNoun(n: XmlNode): DialNoun {
  const tag = tagOf(n);
  const a = attrs(n);
  switch (tag) {
    case 'Number':
      noChildren(n);
      return { kind: 'Number', number: textOf(n), url: opt(a, 'url'), sendDigits: opt(a, 'sendDigits') };
    case 'Client': {
      let identity = textOf(n);
      const params: Record<string, string> = {};
      for (const c of elements(n)) {
        const ct = tagOf(c);
        if (ct === 'Identity') identity = textOf(c);
        else if (ct === 'Parameter') {
          const pa = attrs(c);
          if (!pa.name) throw new TwimlError(12200, '<Parameter> needs a name');
          params[pa.name] = pa.value ?? '';
        } else throw new TwimlError(12200, `<Client> cannot contain <${ct}>`);
      }
      if (!identity) throw new TwimlError(12200, '<Client> needs an identity');
      // Twilio: statusCallbackEvent is a space-separated subset of these; with a statusCallback
      // and no events, only `completed` is sent.
      const events = (a.statusCallbackEvent ?? 'completed').trim().split(/\s+/);
      const bad = events.find((e) => !['initiated', 'ringing', 'answered', 'completed'].includes(e));
      if (bad) throw new TwimlError(12200, `<Client> statusCallbackEvent "${bad}" must be initiated, ringing, answered or completed`);
      return { kind: 'Client', identity, params, statusCallback: opt(a, 'statusCallback'), statusCallbackMethod: method(tag, a, 'statusCallbackMethod'), statusCallbackEvents: events };
    }
    case 'Queue':
      noChildren(n);
      return { kind: 'Queue', name: textOf(n), url: opt(a, 'url'), method: method(tag, a) };
    case 'Conference':
      noChildren(n);
      return toConference(n);
    default:
      throw new TwimlError(12200, `<Dial> cannot contain <${tag}>`);
  }
}

const BEEPS = ['true', 'false', 'onEnter', 'onExit'] as const;
const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'];

function toConference(n: XmlNode): ConferenceNoun {
  const a = attrs(n);
  const name = textOf(n);
  if (!name) throw new TwimlError(12200, '<Conference> needs a room name');
  const beep = a.beep ?? 'true';
  if (!(BEEPS as readonly string[]).includes(beep)) throw new TwimlError(12200, `<Conference> beep="${beep}" must be true, false, onEnter or onExit`);
  const events = (a.statusCallbackEvent ?? '').split(/[\s,]+/).filter(Boolean);
  const bad = events.find((e) => !CONFERENCE_EVENTS.includes(e));
  if (bad) throw new TwimlError(12200, `<Conference> statusCallbackEvent "${bad}" is not one of ${CONFERENCE_EVENTS.join(' ')}`);
  return {
    kind: 'Conference',
    name,
    muted: bool('Conference', a, 'muted', false),
    beep: beep as ConferenceNoun['beep'],
    startConferenceOnEnter: bool('Conference', a, 'startConferenceOnEnter', true),
    endConferenceOnExit: bool('Conference', a, 'endConferenceOnExit', false),
    waitUrl: a.waitUrl,
    waitMethod: method('Conference', a, 'waitMethod'),
    maxParticipants: int('Conference', a, 'maxParticipants', 250, 2),
    statusCallback: opt(a, 'statusCallback'),
    statusCallbackMethod: method('Conference', a, 'statusCallbackMethod'),
    statusCallbackEvent: events,
    participantLabel: opt(a, 'participantLabel'),
    coach: opt(a, 'coach'),
  };
}
