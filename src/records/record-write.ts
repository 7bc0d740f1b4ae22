import type { AuditRow } from './audit';
import type { CallEventInput, CallRecordPatch, CallStart, NewCallbackTask, StatusUpdate } from './record-store';

/**
 * One call-record write as data, so it can wait in the record journal and be applied later (see
 * record-batch.ts). Every time in it was taken when the write happened, never when it is applied.
 */
export type RecordWrite =
  | { kind: 'start'; call: CallStart & { at: Date } }
  | { kind: 'call'; callSid: string; patch: CallRecordPatch; events: (CallEventInput & { at: Date })[]; at: Date }
  | { kind: 'status'; update: StatusUpdate }
  | { kind: 'callback-task'; task: NewCallbackTask & { at: Date } }
  | { kind: 'audit'; entries: AuditRow[] };

/** The call a write is about (a callback task without one: its key), for logs. */
export function writeSubject(w: RecordWrite): string {
  switch (w.kind) {
    case 'start':
      return w.call.callSid;
    case 'call':
      return w.callSid;
    case 'status':
      return w.update.callSid;
    case 'callback-task':
      return w.task.callSid ?? `task-${w.task.key}`;
    case 'audit':
      return `audit-${w.entries[0]?.entityId ?? w.entries[0]?.entity ?? ''}`;
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
