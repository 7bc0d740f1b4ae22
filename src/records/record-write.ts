import type { Context } from '../context';
import {
  storeCallbackTask,
  storeCallUpdate,
  storeCallStart,
  storeStatus,
  type CallEventInput,
  type CallRecordPatch,
  type CallStart,
  type NewCallbackTask,
  type StatusUpdate,
} from './record-store';

/**
 * One call-record write as data, so it can wait in a queue while PostgreSQL is down and be replayed
 * later. Every time in it was taken when the write happened, never when it is replayed.
 */
export type RecordWrite =
  | { kind: 'start'; call: CallStart & { at: Date } }
  | { kind: 'call'; callSid: string; patch: CallRecordPatch; events: (CallEventInput & { at: Date })[]; at: Date }
  | { kind: 'status'; update: StatusUpdate }
  | { kind: 'callback-task'; task: NewCallbackTask & { at: Date } };

/** The key that orders a write: writes with the same key are applied in the order they were made. */
export function orderingKey(w: RecordWrite): string {
  switch (w.kind) {
    case 'start':
      return w.call.callSid;
    case 'call':
      return w.callSid;
    case 'status':
      return w.update.callSid;
    case 'callback-task':
      return w.task.callSid ?? `task-${w.task.key}`;
    default: {
      const never: never = w;
      throw new Error(`unknown record write ${(never as { kind: string }).kind}`);
    }
  }
}

/**
 * Applies one write to PostgreSQL. Idempotent: replaying it, or replaying it after later writes,
 * leaves the same rows.
 */
export async function applyRecordWrite(ctx: Context, w: RecordWrite): Promise<void> {
  switch (w.kind) {
    case 'start':
      await storeCallStart(ctx, w.call);
      return;
    case 'call':
      await storeCallUpdate(ctx, w.callSid, w.patch, w.events, w.at);
      return;
    case 'status':
      await storeStatus(ctx, w.update);
      return;
    case 'callback-task':
      await storeCallbackTask(ctx, w.task);
      return;
    default: {
      const never: never = w;
      throw new Error(`unknown record write ${(never as { kind: string }).kind}`);
    }
  }
}

/** JSON with dates kept as dates (`{ "$date": iso }`), so a replayed write has the same instants. */
export function encodeRecordWrite(w: RecordWrite): string {
  return JSON.stringify(w, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : value;
  });
}

/** The inverse of {@link encodeRecordWrite}. */
export function decodeRecordWrite(s: string): RecordWrite {
  return JSON.parse(s, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$date' in value && typeof (value as { $date: unknown }).$date === 'string') {
      return new Date((value as { $date: string }).$date);
    }
    return value;
  }) as RecordWrite;
}
