import type { Context } from '../context';
import { Prisma } from '../db/client';

// Twilio may deliver status callbacks late, twice or out of order. A status only ever moves a call
// forward: each status has a rank and an update applies only to a row of lower rank, in one
// conditional UPDATE, so a late `ringing` never overwrites `completed`.
const RANK: Record<string, number> = {
  queued: 1,
  initiated: 2,
  ringing: 3,
  'in-progress': 4,
  completed: 5,
  busy: 5,
  'no-answer': 5,
  canceled: 5,
  failed: 5,
};

export const TERMINAL_STATUSES = ['completed', 'busy', 'no-answer', 'canceled', 'failed'];

export interface StatusUpdate {
  callSid: string;
  status: string;
  direction?: string;
  from?: string;
  to?: string;
  parentCallSid?: string;
  accountSid?: string;
  durationSec?: number;
  answeredBy?: string;
  at: Date;
}

/** Rank of a Twilio CallStatus; unknown statuses rank 0 and never overwrite anything. */
export function statusRank(status: string): number {
  return RANK[status] ?? 0;
}

/**
 * Records one status callback on the call's record, creating the record if this is the first word
 * of the call. Safe to call twice and in any order.
 * @returns true when the record moved forward
 */
export async function applyStatusCallback(ctx: Context, u: StatusUpdate): Promise<boolean> {
  const rank = statusRank(u.status);
  const terminal = TERMINAL_STATUSES.includes(u.status);
  await ctx.db.callRecord.upsert({
    where: { callSid: u.callSid },
    create: {
      callSid: u.callSid,
      direction: u.direction ?? 'inbound',
      from: u.from,
      to: u.to,
      parentCallSid: u.parentCallSid,
      accountSid: u.accountSid,
      startedAt: terminal && u.durationSec !== undefined ? new Date(u.at.getTime() - u.durationSec * 1000) : u.at,
    },
    update: {},
  });
  // Rank only grows, so each of these fields is written by at most one callback.
  const { count: updated } = await ctx.db.callRecord.updateMany({
    where: { callSid: u.callSid, statusRank: { lt: rank } },
    data: {
      status: u.status,
      statusRank: rank,
      ...(u.status === 'in-progress' ? { answeredAt: u.at } : {}),
      ...(terminal ? { endedAt: u.at } : {}),
      ...(u.durationSec !== undefined ? { durationSec: u.durationSec } : {}),
      ...(u.answeredBy ? { answeredBy: u.answeredBy } : {}),
    },
  });
  if (updated > 0) {
    await ctx.db.callEvent
      .create({ data: { callSid: u.callSid, key: `status:${u.status}`, type: 'status', name: u.status, at: u.at } })
      .catch((err: unknown) => {
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
      });
  }
  return updated > 0;
}
