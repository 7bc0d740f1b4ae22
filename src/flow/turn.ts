import type { Context } from '../context';
import type { Logger } from '../log';
import { recordCallUpdate, type CallEventInput, type CallRecordPatch } from '../records/call-events';
import { absoluteUrl, VoiceResponse } from '../telephony/twiml';
import type { FlowSet } from './loader';
import { fillPlaceholders, type Locale } from './prompts';
import { LANGUAGES, type Flow, type Language, type PromptRef } from './schema';
import type { CallSession, VarValue } from './session';

/** Where the engine goes after a node: another node, or stop and wait for Twilio, or the call's end. */
export type Outcome = { go: string } | { wait: true } | { end: true };

type GatherAttrs = Parameters<VoiceResponse['gather']>[0];
type Target = { say: VoiceResponse['say']; play: VoiceResponse['play']; pause: VoiceResponse['pause'] };

/**
 * One Twilio request's worth of work on a call: the session, the TwiML being built, and the events
 * to write. Node handlers use it; they never build XML themselves.
 */
export class Turn {
  readonly r = new VoiceResponse();
  private readonly events: CallEventInput[] = [];
  private readonly patches: CallRecordPatch[] = [];
  /** set once this turn has emitted a verb that waits for Twilio */
  private waited = false;
  private replaced?: string;

  constructor(
    readonly ctx: Context,
    readonly set: FlowSet,
    readonly session: CallSession,
    readonly log: Logger,
  ) {}

  /** The flow the call is in now. */
  get flow(): Flow {
    const f = this.set.flows.get(this.session.flow);
    if (!f) throw new Error(`flow "${this.session.flow}" is not loaded`);
    return f;
  }

  /** The caller's language, as far as the current flow speaks it. */
  get language(): Language {
    const langs = this.flow.languages;
    return langs.includes(this.session.language) ? this.session.language : langs[0]!;
  }

  get locale(): Locale {
    return this.set.prompts.locales[this.language];
  }

  /** Variables a prompt or argument can use: the call's own plus a few built-ins. */
  scope(extra: Record<string, VarValue> = {}): Record<string, VarValue> {
    return { practice: this.ctx.config.PRACTICE_NAME, ...this.session.vars, language: this.language, verified: this.session.verified, ...extra };
  }

  /** Fills `{name}` placeholders of a string from the call's variables. */
  fill(s: string, extra: Record<string, VarValue> = {}): string {
    return fillPlaceholders(s, this.scope(extra));
  }

  /** A prompt's text in the caller's language. */
  text(key: string, extra: Record<string, VarValue> = {}): string {
    const t = this.set.prompts.texts[this.language].get(key) ?? this.set.prompts.texts[LANGUAGES[0]].get(key);
    if (!t) throw new Error(`prompt "${key}" is missing`);
    return this.fill(t.text, extra);
  }

  /** Speaks prompts (keys, audio URLs, pauses) into the response or a Gather. */
  speak(prompts: PromptRef | PromptRef[] | undefined, into: Target = this.r, extra: Record<string, VarValue> = {}): void {
    if (prompts === undefined) return;
    for (const p of Array.isArray(prompts) ? prompts : [prompts]) {
      if (typeof p === 'string') this.sayText(this.text(p, extra), into);
      else if ('say' in p) this.sayIn(p.language, p.say, into);
      else if ('play' in p) into.play({}, p.play);
      else into.pause({ length: p.pause });
    }
  }

  /** Speaks one prompt in a given language and its voice, whatever the caller's language. */
  sayIn(lang: Language, key: string, into: Target = this.r): void {
    const t = this.set.prompts.texts[lang].get(key);
    if (!t) throw new Error(`prompt "${key}" is missing in ${lang}`);
    const loc = this.set.prompts.locales[lang];
    into.say({ voice: loc.voice as never, language: loc.language as never }, this.fill(t.text));
  }

  /** Speaks a text already in the caller's language. */
  sayText(text: string, into: Target = this.r): void {
    if (!text.trim()) return;
    into.say({ voice: this.locale.voice as never, language: this.locale.language as never }, text);
  }

  /** Whether this turn has put any verb into the response yet. */
  get isEmpty(): boolean {
    return !this.replaced && this.r.toString() === new VoiceResponse().toString();
  }

  /** Makes another module's complete TwiML (the routing hand-off) this turn's answer. */
  replaceWith(twiml: string): void {
    this.replaced = twiml;
  }

  /** The answer to Twilio. */
  toTwiml(): string {
    return this.replaced ?? this.r.toString();
  }

  /**
   * The URL of the next step: a new step number, so a request that answers this TwiML never
   * looks like one that answered an earlier one. Called once per turn, by the node that waits.
   */
  stepUrl(): string {
    if (!this.waited) {
      this.session.step += 1;
      this.waited = true;
    }
    // lang lets the fallback apologise in the caller's language even when the session is lost.
    return absoluteUrl(this.ctx.config, `/webhooks/flow/step?step=${this.session.step}&lang=${this.session.language}`);
  }

  /**
   * A Gather that posts to the next step, followed by a Redirect to it so that silence is a request too.
   * @param attrs - Gather attributes (input, numDigits, timeout, hints...)
   * @param prompts - spoken inside the Gather so a key press interrupts them
   */
  gather(attrs: Omit<GatherAttrs, 'action' | 'method' | 'language'>, prompts: (g: Target) => void): void {
    const url = this.stepUrl();
    const g = this.r.gather({ ...attrs, action: url, method: 'POST', language: this.locale.language as never, actionOnEmptyResult: false });
    prompts(g);
    this.r.redirect({ method: 'POST' }, `${url}&silence=1`);
  }

  /** Sets a variable; `language` and `intent` also go to the session and the call record. */
  setVar(name: string, value: VarValue): void {
    if (name === 'language') {
      if (value === 'en' || value === 'es') {
        this.session.language = value;
        this.patch({ language: value });
      }
      return;
    }
    this.session.vars[name] = value;
    if (name === 'intent' && typeof value === 'string') this.patch({ intent: value });
  }

  /** Queues a call event (written at the end of the turn). */
  event(e: CallEventInput): void {
    this.events.push({ ...e, at: e.at ?? new Date(this.ctx.clock.now().getTime() + this.events.length) });
  }

  /** Queues fields for the call record (written at the end of the turn). */
  patch(p: CallRecordPatch): void {
    this.patches.push(p);
  }

  /**
   * Writes the turn's events and record fields. The records module owns durability; a failure here
   * must not cost the caller the call, so it is logged and the call goes on.
   */
  async flush(): Promise<void> {
    const callSid = this.session.callSid;
    const patch = Object.assign({}, ...this.patches) as CallRecordPatch;
    try {
      await recordCallUpdate(this.ctx, callSid, patch, this.events);
    } catch (err) {
      this.log.error('could not write call events', { err: err instanceof Error ? err.name : 'error', events: this.events.length });
    }
  }
}
