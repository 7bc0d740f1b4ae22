import type { Context } from '../context';

export interface CallStart {
  callSid: string;
  from?: string;
  to?: string;
  direction: string;
  accountSid?: string;
  parentCallSid?: string;
}

/**
 * Creates the call's record when Twilio first tells us of the call (idempotent on CallSid).
 */
export async function startCallRecord(ctx: Context, c: CallStart): Promise<void> {
  await ctx.db.callRecord.upsert({
    where: { callSid: c.callSid },
    create: {
      callSid: c.callSid,
      from: c.from,
      to: c.to,
      direction: c.direction,
      accountSid: c.accountSid,
      parentCallSid: c.parentCallSid,
      status: 'ringing',
      statusRank: 3,
      startedAt: ctx.clock.now(),
    },
    update: {},
  });
}
