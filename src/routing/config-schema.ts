import { isValidPhoneNumber } from 'libphonenumber-js';
import { z } from 'zod';
import { parseExpression } from './expression';

// The routing file (routing.yaml). Strict objects: an unknown key is an error with its line, like
// flows. Its shape follows a Twilio TaskRouter workflow (filters -> ordered targets with expression,
// priority, timeout) so one can be imported: see README "Routing".

const name = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, - and _');
const expression = z.string().min(1).superRefine((src, ctx) => {
  try {
    parseExpression(src);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `invalid expression: ${(err as Error).message}` });
  }
});
const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]);

/** Task attributes a filter or priority rule can match. */
export const match = z.strictObject({
  queue: oneOrMany.optional(),
  language: oneOrMany.optional(),
  reason: oneOrMany.optional(),
  callerType: oneOrMany.optional(),
  verified: z.boolean().optional(),
  kind: oneOrMany.optional(),
});

const target = z.strictObject({
  /** which agents may take the task while this target is active */
  expression,
  /** task priority while this target is active (overrides the computed one) */
  priority: z.number().int().min(0).max(100).optional(),
  /** seconds before the next target applies; the last target has none */
  timeout: z.number().positive().optional(),
});

const queue = z.strictObject({
  displayName: z.string().min(1),
  /** spoken queue name by language, for announcements */
  spokenName: z.record(z.string(), z.string()).optional(),
  /** base priority of tasks in this queue */
  priority: z.number().int().min(0).max(100).default(0),
  /** average handle time, for the estimated wait */
  avgHandleSec: z.number().positive().default(240),
  /** offer "press 1 for a callback" after this long waiting (never when absent) */
  offerCallbackAfterSec: z.number().min(0).optional(),
  /** send the caller to voicemail (a callback task) after this long waiting (never when absent) */
  voicemailAfterSec: z.number().positive().optional(),
});

export const routingSchema = z
  .strictObject({
    version: z.literal(1),
    /** free-form revision of this file, shown in the supervisor view and logs */
    revision: z.string().min(1),
    /** an agent who does not answer within this many seconds is set not-ready */
    ringTimeoutSec: z.number().int().min(5).max(120).default(20),
    /** hold music played between announcements */
    holdMusicUrl: z.url(),
    /** seconds of hold music between position / wait announcements */
    announceEverySec: z.number().positive().default(30),
    /** how often the worker re-runs assignment, for escalation (ms) */
    escalationTickMs: z.number().int().min(50).default(2000),
    queues: z.record(name, queue).refine((q) => Object.keys(q).length > 0, 'at least one queue'),
    /** interpreter lines by BCP-47 language: the number, and the access code keyed after it answers */
    interpreters: z
      .record(
        z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 language tag'),
        z.strictObject({ displayName: z.string().min(1), number: z.string().refine((n) => /^\+[1-9]\d{6,14}$/.test(n) && isValidPhoneNumber(n), 'a valid phone number in E.164 form (what an agent adding the line would be refused otherwise)'), accessCode: z.string().regex(/^[\dw#*]{1,32}$/).optional() }),
      )
      .default({}),
    priorityRules: z
      .array(z.strictObject({ name: z.string().min(1), match, priority: z.number().int().min(0).max(100) }))
      .default([]),
    workflow: z.strictObject({
      filters: z.array(
        z.strictObject({
          name: z.string().min(1),
          match,
          targets: z.array(target).min(1),
        }),
      ),
      defaultTargets: z.array(target).min(1),
    }),
  })
  .superRefine((cfg, ctx) => {
    const checkTargets = (targets: { timeout?: number }[], path: (string | number)[]) => {
      targets.forEach((t, i) => {
        if (i < targets.length - 1 && t.timeout === undefined) {
          ctx.addIssue({ code: 'custom', path: [...path, i, 'timeout'], message: 'every target but the last needs a timeout' });
        }
      });
    };
    cfg.workflow.filters.forEach((f, i) => {
      checkTargets(f.targets, ['workflow', 'filters', i, 'targets']);
      const queues = f.match.queue === undefined ? [] : Array.isArray(f.match.queue) ? f.match.queue : [f.match.queue];
      for (const q of queues) {
        if (!cfg.queues[q]) ctx.addIssue({ code: 'custom', path: ['workflow', 'filters', i, 'match', 'queue'], message: `unknown queue "${q}"` });
      }
    });
    checkTargets(cfg.workflow.defaultTargets, ['workflow', 'defaultTargets']);
  });

export type RoutingConfig = z.infer<typeof routingSchema>;
export type RoutingTarget = z.infer<typeof target>;
export type TaskMatch = z.infer<typeof match>;
