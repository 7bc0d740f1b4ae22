import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import type { Context } from '../context';
import type { Prisma } from '../db/client';
import { recordScope, type Viewer } from './record-access';
import { parseReportRange } from './report-range';

export const MAX_PAGE_SIZE = 100;

/** The filters of `GET /api/calls`; every one is optional. */
export const callSearchQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  tz: z.string().max(64).optional(),
  /** a phone number in any common format: matches the caller or the called number */
  number: z.string().max(40).optional(),
  patientId: z.string().max(64).optional(),
  /** part of a patient's given or family name */
  patient: z.string().trim().min(2).max(80).optional(),
  agentId: z.string().max(64).optional(),
  outcome: z.string().max(40).optional(),
  queue: z.string().max(40).optional(),
  direction: z.string().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
  cursor: z.string().max(200).optional(),
});
export type CallSearchQuery = z.infer<typeof callSearchQuery>;

/** Normalises a typed phone number to E.164 (US by default), or returns it as typed. */
export function toE164(raw: string): string {
  const parsed = parsePhoneNumberFromString(raw, 'US');
  return parsed?.isValid() || parsed?.isPossible() ? parsed.number : raw.replace(/[^\d+]/g, '');
}

interface Cursor {
  startedAt: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
  if (typeof c.startedAt !== 'string' || typeof c.id !== 'string' || Number.isNaN(Date.parse(c.startedAt))) throw new Error('bad cursor');
  return c;
}

/** Raised for a cursor that was not one of ours; answered 400. */
export class BadCursor extends Error {}

const listSelect = {
  id: true, callSid: true, direction: true, from: true, to: true, status: true, startedAt: true, endedAt: true, durationSec: true,
  language: true, verified: true, intent: true, queueName: true, agentId: true, waitSec: true, handleSec: true, outcome: true,
  disposition: true, recordingSid: true, patientId: true, reminderId: true,
  patient: { select: { givenName: true, familyName: true } },
} satisfies Prisma.CallRecordSelect;

export type CallListItem = Prisma.CallRecordGetPayload<{ select: typeof listSelect }> & { agentName: string | null };

/**
 * Finds customer calls, newest first, one page at a time, limited to what the viewer may see.
 * @returns the page and the cursor of the next one (null on the last page)
 */
export async function searchCalls(ctx: Context, viewer: Viewer, q: CallSearchQuery): Promise<{ items: CallListItem[]; nextCursor: string | null }> {
  const and: Prisma.CallRecordWhereInput[] = [{ parentCallSid: null }, await recordScope(ctx, viewer)];
  if (q.from || q.to) {
    const range = parseReportRange({ from: q.from, to: q.to, tz: q.tz }, ctx.config.PRACTICE_TIME_ZONE, ctx.clock.now());
    and.push({ startedAt: { gte: range.from, lt: range.to } });
  }
  if (q.number) {
    const n = toE164(q.number);
    and.push({ OR: [{ from: n }, { to: n }] });
  }
  if (q.patientId) and.push({ patientId: q.patientId });
  if (q.patient) {
    for (const word of q.patient.split(/\s+/)) {
      and.push({ patient: { OR: [{ givenName: { contains: word, mode: 'insensitive' } }, { familyName: { contains: word, mode: 'insensitive' } }] } });
    }
  }
  if (q.agentId) and.push({ agentId: q.agentId });
  if (q.outcome) and.push({ outcome: q.outcome });
  if (q.queue) and.push({ queueName: q.queue });
  if (q.direction) and.push({ direction: q.direction });
  if (q.cursor) {
    let c: Cursor;
    try {
      c = decodeCursor(q.cursor);
    } catch {
      throw new BadCursor('cursor is not valid');
    }
    const at = new Date(c.startedAt);
    and.push({ OR: [{ startedAt: { lt: at } }, { startedAt: at, id: { lt: c.id } }] });
  }
  const rows = await ctx.db.callRecord.findMany({
    where: { AND: and },
    orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    select: listSelect,
  });
  const page = rows.slice(0, q.limit);
  const agentIds = [...new Set(page.map((r) => r.agentId).filter((x): x is string => !!x))];
  const agents = agentIds.length ? await ctx.db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ ...r, agentName: r.agentId ? (names.get(r.agentId) ?? null) : null })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ startedAt: last.startedAt.toISOString(), id: last.id }) : null,
  };
}
