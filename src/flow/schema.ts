import { z } from 'zod';

// The flow file format, apart from the engine that runs it (flows/README.md documents it).
// Unknown keys are errors (strictObject) so a typo never silently changes a call.

/** Languages a flow can speak; prompts exist per language. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must be an identifier (letters, digits, _ . -)');
const nodeRef = id;
const promptKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must be a prompt key');

/** A value a flow may assign: literals, or `{name}` placeholders filled from the session's variables. */
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const setVars = z.record(id, scalar);

/** One prompt, or several spoken in order; `play:` items are audio URLs (Studio's say-play). */
// `{ say, language }` speaks one prompt in another language than the caller's (the language menu).
const promptItem = z.union([
  promptKey,
  z.strictObject({ say: promptKey, language: z.enum(LANGUAGES) }),
  z.strictObject({ play: z.url() }),
  z.strictObject({ pause: z.number().int().min(1).max(10) }),
]);
export const promptList = z.union([promptItem, z.array(promptItem).min(1)]);
export type PromptRef = z.infer<typeof promptItem>;

/** A condition (Studio's split-based-on): on a variable, business hours or a holiday. */
export const condition = z.union([
  z.strictObject({ var: id, eq: scalar }),
  z.strictObject({ var: id, ne: scalar }),
  z.strictObject({ var: id, in: z.array(scalar).min(1) }),
  z.strictObject({ var: id, gt: z.number() }),
  z.strictObject({ var: id, gte: z.number() }),
  z.strictObject({ var: id, lt: z.number() }),
  z.strictObject({ var: id, set: z.boolean() }),
  z.strictObject({ open: z.boolean(), department: z.string().optional() }),
  z.strictObject({ holiday: z.boolean() }),
]);
export type Condition = z.infer<typeof condition>;

const speechWords = z.partialRecord(z.enum(LANGUAGES), z.array(z.string().min(1)).min(1));

const menuOption = z.strictObject({
  key: z.string().regex(/^[0-9*#]$/, 'must be one keypad key'),
  speech: speechWords.optional(),
  set: setVars.optional(),
  next: nodeRef.optional(),
});

const common = {
  /** Shown in graphs and call events only. */
  label: z.string().optional(),
};

const retries = z.number().int().min(0).max(5).default(2);

export const sayNode = z.strictObject({ ...common, kind: z.literal('say'), prompt: promptList, next: nodeRef });
export const setNode = z.strictObject({ ...common, kind: z.literal('set'), set: setVars, next: nodeRef });
export const menuNode = z.strictObject({
  ...common,
  kind: z.literal('menu'),
  prompt: promptList,
  options: z.array(menuOption).default([]),
  /** A list variable filled by an action ([{ label, value }]); its items become keys 1..n. */
  choices: z
    .strictObject({ from: id, option: promptKey, set: id, next: nodeRef })
    .optional(),
  /** spoken after the choices (e.g. "for more times, press 4") */
  footer: promptList.optional(),
  speech: z.boolean().default(true),
  timeout: z.number().int().min(1).max(30).default(6),
  retries,
  noInput: promptKey.optional(),
  invalid: promptKey.optional(),
  fallback: nodeRef,
});
export const collectNode = z.strictObject({
  ...common,
  kind: z.literal('collect'),
  prompt: promptList,
  var: id,
  validate: z.enum(['date', 'rx', 'phone', 'zip', 'digits']),
  minDigits: z.number().int().min(1).max(20).optional(),
  maxDigits: z.number().int().min(1).max(20).optional(),
  speech: z.boolean().default(true),
  timeout: z.number().int().min(1).max(30).default(8),
  retries,
  noInput: promptKey.optional(),
  invalid: promptKey.optional(),
  next: nodeRef,
  fallback: nodeRef,
});
export const actionNode = z.strictObject({
  ...common,
  kind: z.literal('action'),
  action: z.string().regex(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/, 'must be a namespaced action name like refill.request'),
  args: z.record(id, scalar).default({}),
  /** result -> next node */
  on: z.record(z.string(), nodeRef).default({}),
  next: nodeRef.optional(),
});
export const branchNode = z.strictObject({
  ...common,
  kind: z.literal('branch'),
  cases: z.array(z.strictObject({ when: z.union([condition, z.array(condition).min(1)]), next: nodeRef })).min(1),
  default: nodeRef,
});
export const transferNode = z.strictObject({
  ...common,
  kind: z.literal('transfer'),
  prompt: promptList.optional(),
  queue: id,
  /** `{language}` and other `{var}` placeholders are filled from the session. */
  skills: z.array(z.string().min(1)).default(['{language}']),
  priority: z.number().int().min(0).max(100).default(0),
  reason: z.string().min(1),
  /** where to go when the practice is closed (business hours, holidays); omit to enqueue anyway */
  closed: nodeRef.optional(),
  /**
   * a department (code) whose own hours decide `closed`, e.g. `pharmacy`; the practice's when
   * omitted or when the department has none. Going to `closed` while the office is open sets
   * `closedDepartment`, so the caller hears whose hours these are.
   */
  department: id.optional(),
});
export const dialNode = z.strictObject({
  ...common,
  kind: z.literal('dial'),
  prompt: promptList.optional(),
  /** E.164 number, or `{var}` */
  number: z.string().min(1),
  timeout: z.number().int().min(5).max(60).default(20),
  /** after a connected call ends */
  next: nodeRef,
  /** no answer, busy, failed, or no number */
  fallback: nodeRef,
});
export const voicemailNode = z.strictObject({
  ...common,
  kind: z.literal('voicemail'),
  prompt: promptList,
  reason: z.string().min(1),
  priority: z.number().int().min(0).max(100).default(0),
  queue: id.optional(),
  maxLength: z.number().int().min(5).max(600).default(120),
  next: nodeRef,
});
export const callNode = z.strictObject({ ...common, kind: z.literal('call'), flow: z.string().min(1), next: nodeRef });
export const returnNode = z.strictObject({ ...common, kind: z.literal('return') });
export const hangupNode = z.strictObject({ ...common, kind: z.literal('hangup'), prompt: promptList.optional(), outcome: z.string().optional() });

export const flowNode = z.discriminatedUnion('kind', [
  sayNode, setNode, menuNode, collectNode, actionNode, branchNode, transferNode, dialNode, voicemailNode, callNode, returnNode, hangupNode,
]);

/** One step of a flow. */
export type FlowNode = z.infer<typeof flowNode>;
export type NodeKind = FlowNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<FlowNode, { kind: K }>;

export const flowFile = z.strictObject({
  description: z.string().optional(),
  languages: z.array(z.enum(LANGUAGES)).min(1).default(['en', 'es']),
  start: nodeRef,
  /** where `0` (or "representative") goes from any node; omit to disable the global key */
  operator: nodeRef.optional(),
  nodes: z.record(id, flowNode),
});
export type FlowFile = z.infer<typeof flowFile>;

/** A validated flow, named by its path under flows/ without `.yaml` (e.g. `reminders/refill`). */
export interface Flow extends FlowFile {
  name: string;
  file: string;
}

/** The prompt file of one language: voice, TwiML language, and texts by key. */
export const promptFile = z.strictObject({
  locale: z.strictObject({ voice: z.string().min(1), language: z.string().min(2) }).optional(),
  prompts: z.record(promptKey, z.string()),
});
