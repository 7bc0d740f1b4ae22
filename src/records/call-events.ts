import type { Context } from '../context';
import { Prisma } from '../db/client';

export interface CallEventInput {
  /** Idempotency key within the call: a retried webhook writes the same key once. */
  key: string;
  type: string;
  name?: string;
  detail?: Record<string, unknown>;
  at?: Date;
}

/** Fields of a call record that the IVR, routing and reminders fill in as the call goes. */
export type CallRecordPatch = Partial<
  Pick<
    Prisma.CallRecordUncheckedUpdateInput,
    | 'language' | 'patientId' | 'verified' | 'intent' | 'ivrEndedAt' | 'queueName' | 'queueEnteredAt' | 'queueExitedAt'
    | 'agentId' | 'agentAnsweredAt' | 'waitSec' | 'handleSec' | 'outcome' | 'disposition' | 'notes' | 'recordingSid'
    | 'recordingUrl' | 'reminderId' | 'answeredBy'
  >
>;

/**
 * Appends one event to a call's record (creating a bare record if Twilio's first word has not
 * arrived yet). Writing the same key twice keeps one event.
 */
export async function appendCallEvent(ctx: Context, callSid: string, e: CallEventInput): Promise<void> {
  await ctx.db.callRecord.upsert({ where: { callSid }, create: { callSid, direction: 'inbound' }, update: {} });
  try {
    await ctx.db.callEvent.create({
      data: { callSid, key: e.key, type: e.type, name: e.name, detail: (e.detail ?? undefined) as Prisma.InputJsonValue | undefined, at: e.at ?? ctx.clock.now() },
    });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
  }
}

/**
 * Sets fields on a call's record (creating a bare record if needed). Idempotent: the same patch
 * twice leaves the same row.
 */
export async function updateCallRecord(ctx: Context, callSid: string, patch: CallRecordPatch): Promise<void> {
  await ctx.db.callRecord.upsert({
    where: { callSid },
    create: { ...(patch as Prisma.CallRecordUncheckedCreateInput), callSid, direction: 'inbound' },
    update: patch,
  });
}
