import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { requireStaff, staffOf } from '../agents/auth';
import { apiErrorHandler, HttpError, parseBody, route } from '../agents/http-errors';
import type { Context } from '../context';
import type { Prisma } from '../db/client';
import { audit, staffActor } from './audit';
import { BadCursor, callSearchQuery, MAX_PAGE_SIZE, searchCalls } from './call-search';
import { recordScope, seesAllRecords } from './record-access';
import { recordsSettled } from './record-journal';
import { buildReport } from './report';
import { reportCsv } from './report-csv';
import { parseReportRange, RangeError400 } from './report-range';

const reportQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  tz: z.string().max(64).optional(),
  threshold: z.coerce.number().int().min(1).max(3600).optional(),
  shortAbandon: z.coerce.number().int().min(0).max(600).optional(),
});

const auditQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  tz: z.string().max(64).optional(),
  actorId: z.string().max(64).optional(),
  patientId: z.string().max(64).optional(),
  entity: z.string().max(40).optional(),
  entityId: z.string().max(64).optional(),
  action: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  /** the id of the last entry of the previous page */
  cursor: z.string().max(64).optional(),
});

const recordPatch = z.strictObject({
  disposition: z.string().trim().max(80).nullable().optional(),
  notes: z.string().max(4000).nullable().optional(),
});

function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const r = schema.safeParse(req.query);
  if (!r.success) throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return r.data;
}

/** Turns the domain's "bad input" errors into 400s. */
async function badInputAs400<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RangeError400 || err instanceof BadCursor) throw new HttpError(400, err.message);
    throw err;
  }
}

/**
 * The records API, mounted at /api: reports (supervisors), call search and call records (staff,
 * agents limited to their queues), the audit log (supervisors). Every read or change of a call
 * record is audited before it is answered.
 */
export function recordsApiRouter(ctx: Context): Router {
  const router = Router();
  const supervisors = requireStaff(ctx, 'supervisor');
  const staff = requireStaff(ctx);
  // Webhooks journal their writes (record-journal.ts): a read waits for those already made.
  const settled = async (_req: Request, _res: express.Response, next: express.NextFunction) => {
    await recordsSettled(ctx);
    next();
  };

  router.get(
    '/reports',
    supervisors,
    settled,
    route(async (req, res) => {
      const q = parseQuery(reportQuery, req);
      const range = await badInputAs400(async () => parseReportRange(q, ctx.config.PRACTICE_TIME_ZONE, ctx.clock.now()));
      res.set('Cache-Control', 'no-store').json(await buildReport(ctx, range, { thresholdSec: q.threshold, shortAbandonSec: q.shortAbandon }));
    }),
  );

  router.get(
    '/reports.csv',
    supervisors,
    settled,
    route(async (req, res) => {
      const q = parseQuery(reportQuery, req);
      const range = await badInputAs400(async () => parseReportRange(q, ctx.config.PRACTICE_TIME_ZONE, ctx.clock.now()));
      const report = await buildReport(ctx, range, { thresholdSec: q.threshold, shortAbandonSec: q.shortAbandon });
      const name = `careline-report-${range.from.toISOString().slice(0, 10)}.csv`;
      res.set('Cache-Control', 'no-store').attachment(name).type('text/csv').send(reportCsv(report));
    }),
  );

  router.get(
    '/calls',
    staff,
    settled,
    route(async (req, res) => {
      const q = parseQuery(callSearchQuery, req);
      const s = staffOf(res);
      const page = await badInputAs400(() => searchCalls(ctx, s, q));
      const actor = staffActor(req, res);
      await audit(ctx, page.items.map((r) => ({ ...actor, action: 'read', entity: 'call_record', entityId: r.callSid, patientId: r.patientId ?? undefined, detail: { via: 'search' } })));
      res.set('Cache-Control', 'no-store').json(page);
    }),
  );

  /** One call record, scoped as the search is; 403 (audited) outside the viewer's queues. */
  async function scopedRecord(req: Request, res: express.Response, include?: Prisma.CallRecordInclude) {
    const s = staffOf(res);
    const callSid = String(req.params.callSid);
    const exists = await ctx.db.callRecord.findUnique({ where: { callSid }, select: { id: true, patientId: true } });
    if (!exists) throw new HttpError(404, 'no such call');
    const visible = seesAllRecords(s) || (await ctx.db.callRecord.count({ where: { AND: [{ callSid }, await recordScope(ctx, s)] } })) > 0;
    if (!visible) {
      await audit(ctx, { ...staffActor(req, res), action: 'denied', entity: 'call_record', entityId: callSid, patientId: exists.patientId ?? undefined });
      throw new HttpError(403, 'this call is outside your queues');
    }
    return ctx.db.callRecord.findUniqueOrThrow({ where: { callSid }, include });
  }

  router.get(
    '/call-records/:callSid',
    staff,
    settled,
    route(async (req, res) => {
      const rec = await scopedRecord(req, res, { events: { orderBy: { at: 'asc' } }, patient: { select: { id: true, givenName: true, familyName: true } } });
      await audit(ctx, { ...staffActor(req, res), action: 'read', entity: 'call_record', entityId: rec.callSid, patientId: rec.patientId ?? undefined });
      res.set('Cache-Control', 'no-store').json(rec);
    }),
  );

  router.patch(
    '/call-records/:callSid',
    express.json({ limit: '16kb' }),
    staff,
    settled,
    route(async (req, res) => {
      const body = parseBody(recordPatch, req.body);
      const rec = await scopedRecord(req, res);
      const updated = await ctx.db.callRecord.update({ where: { callSid: rec.callSid }, data: body });
      // The entry says which fields changed, never the note's text.
      await audit(ctx, { ...staffActor(req, res), action: 'update', entity: 'call_record', entityId: rec.callSid, patientId: rec.patientId ?? undefined, detail: { fields: Object.keys(body) } });
      res.json({ callSid: updated.callSid, disposition: updated.disposition, notes: updated.notes });
    }),
  );

  router.get(
    '/audit',
    supervisors,
    route(async (req, res) => {
      const q = parseQuery(auditQuery, req);
      const where: Prisma.AuditEntryWhereInput = {};
      if (q.from || q.to) {
        const range = await badInputAs400(async () => parseReportRange(q, ctx.config.PRACTICE_TIME_ZONE, ctx.clock.now()));
        where.at = { gte: range.from, lt: range.to };
      }
      for (const k of ['actorId', 'patientId', 'entity', 'entityId', 'action'] as const) if (q[k]) where[k] = q[k];
      const rows = await ctx.db.auditEntry.findMany({
        where,
        orderBy: [{ at: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
        ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
      });
      const items = rows.slice(0, q.limit);
      res.set('Cache-Control', 'no-store').json({ items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null });
    }),
  );

  router.use(apiErrorHandler(ctx));
  return router;
}
