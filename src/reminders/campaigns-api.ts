import { Router } from 'express';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { requireStaff, staffOf } from '../agents/auth';
import { HttpError, parseBody, route } from '../agents/http-errors';
import type { Context } from '../context';
import { audit, staffActor } from '../records/audit';
import { cancelCampaign, launchCampaign } from './campaign-launch';
import { optOut } from './opt-out';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');
const newCampaign = z.strictObject({
  kind: z.enum(['refill', 'appointment']),
  name: z.string().min(1).max(120).optional(),
  leadHours: z.number().int().min(1).max(24 * 30).optional(),
  dryRun: z.boolean().optional(),
  windowStart: hhmm.optional(),
  windowEnd: hhmm.optional(),
  quietDays: z.array(z.number().int().min(1).max(7)).max(7).optional(),
  maxConcurrency: z.number().int().min(1).max(500).optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
});
const optOutBody = z.strictObject({ phone: z.string().min(7).max(32), patientId: z.string().max(64).optional() });
const campaignId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Reminder counts of campaigns by status, e.g. { pending: 3, completed: 10 }. */
async function countsByStatus(ctx: Context, campaignIds: string[]): Promise<Map<string, Record<string, number>>> {
  const rows = await ctx.db.reminder.groupBy({ by: ['campaignId', 'status'], where: { campaignId: { in: campaignIds } }, _count: { _all: true } });
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) out.set(r.campaignId, { ...(out.get(r.campaignId) ?? {}), [r.status]: r._count._all });
  return out;
}

/**
 * `/api/campaigns` (supervisors and admins): list and inspect reminder campaigns, start one now
 * (`POST`, optionally a dry run), cancel one, and enter a staff opt-out (`POST /api/campaigns/opt-outs`),
 * effective at once for every later reminder to that number. Answers carry counts and ids, no PHI.
 */
export function campaignsRouter(ctx: Context): Router {
  const router = Router();
  router.use(requireStaff(ctx, 'supervisor', 'admin'));

  router.get(
    '/',
    route(async (_req, res) => {
      const campaigns = await ctx.db.campaign.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
      const counts = await countsByStatus(ctx, campaigns.map((c) => c.id));
      res.json({ campaigns: campaigns.map((c) => ({ ...c, reminders: counts.get(c.id) ?? {} })) });
    }),
  );

  router.post(
    '/',
    route(async (req, res) => {
      const body = parseBody(newCampaign, req.body);
      const s = await launchCampaign(ctx, body);
      await audit(ctx, { ...staffActor(req, res), action: 'create', entity: 'campaign', entityId: s.campaignId, detail: { kind: s.kind, dryRun: s.dryRun, created: s.created } });
      res.status(201).json({ campaignId: s.campaignId, kind: s.kind, dryRun: s.dryRun, candidates: s.candidates, created: s.created, skipped: s.skipped });
    }),
  );

  router.post(
    '/opt-outs',
    route(async (req, res) => {
      const body = parseBody(optOutBody, req.body);
      const parsed = parsePhoneNumberFromString(body.phone, 'US');
      if (!parsed?.isValid()) throw new HttpError(400, 'phone: not a valid phone number');
      const stopped = await optOut(ctx, { phone: parsed.number, patientId: body.patientId, source: 'staff', createdBy: staffOf(res).agentId });
      await audit(ctx, { ...staffActor(req, res), action: 'create', entity: 'opt_out', patientId: body.patientId, detail: { stoppedReminders: stopped } });
      res.status(201).json({ phone: parsed.number, stoppedReminders: stopped });
    }),
  );

  router.get(
    '/:id',
    route(async (req, res) => {
      const id = campaignId.safeParse(req.params.id);
      if (!id.success) throw new HttpError(404, 'no such campaign');
      const campaign = await ctx.db.campaign.findUnique({ where: { id: id.data } });
      if (!campaign) throw new HttpError(404, 'no such campaign');
      const counts = await countsByStatus(ctx, [campaign.id]);
      const outcomes = await ctx.db.reminder.groupBy({ by: ['outcome'], where: { campaignId: campaign.id }, _count: { _all: true } });
      const attempts = await ctx.db.reminderAttempt.groupBy({ by: ['status'], where: { reminder: { campaignId: campaign.id } }, _count: { _all: true } });
      res.json({
        ...campaign,
        reminders: counts.get(campaign.id) ?? {},
        outcomes: Object.fromEntries(outcomes.map((o) => [o.outcome ?? 'none', o._count._all])),
        attempts: Object.fromEntries(attempts.map((a) => [a.status, a._count._all])),
      });
    }),
  );

  router.post(
    '/:id/cancel',
    route(async (req, res) => {
      const id = campaignId.safeParse(req.params.id);
      const stopped = id.success ? await cancelCampaign(ctx, id.data) : null;
      if (stopped === null) throw new HttpError(404, 'no such campaign');
      await audit(ctx, { ...staffActor(req, res), action: 'update', entity: 'campaign', entityId: id.data, detail: { cancelled: true, stoppedReminders: stopped } });
      res.json({ campaignId: id.data, status: 'cancelled', stoppedReminders: stopped });
    }),
  );
  return router;
}
