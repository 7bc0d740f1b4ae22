import { DateTime } from 'luxon';
import { weekdaySlotStarts } from './calendar';
import { DEMO_SCHEDULES } from './demo-data';

// The demo resources that depend on today's date (slots, booked appointments, dispenses), as FHIR
// entries appended to prisma/demo/demo-bundle.json. Ids carry the date, so a second run on the
// same day produces identical resources.

type Entry = { fullUrl: string; resource: Record<string, unknown> };

const SLOT_MINUTES = 30;
// How many days ago each demo prescription was last filled (its supply is 30 days unless noted).
const LAST_FILLED_DAYS_AGO: Record<string, number> = {
  'demo-rx-1': 25, // due in 5 days
  'demo-rx-2': 40, // 90-day supply
  'demo-rx-3': 20, // no refills left
  'demo-rx-4': 12,
  'demo-rx-5': 27, // due in 3 days
  'demo-rx-6': 8,
  'demo-rx-7': 15,
  'demo-rx-8': 5,
};

function entry(resource: Record<string, unknown> & { resourceType: string; id: string }): Entry {
  return { fullUrl: `urn:uuid:${resource.id}`, resource };
}

const slotId = (schedule: string, t: DateTime): string => `demo-slot-${schedule}-${t.toFormat('yyyyMMdd-HHmm')}`;

/**
 * @param today - the local calendar day the seed runs (YYYY-MM-DD, in `zone`)
 * @param zone - the practice's IANA zone
 * @param holidays - closed days (no slots)
 * @param days - how many days of slots, starting tomorrow
 */
export function dynamicDemoEntries(today: string, zone: string, holidays: Set<string>, days = 14): Entry[] {
  const day0 = DateTime.fromISO(today, { zone });
  const starts = weekdaySlotStarts(zone, day0.plus({ days: 1 }).toISODate() as string, days, holidays);
  const firstDay = starts[0];
  const secondDay = starts.find((t) => !t.hasSame(firstDay, 'day')) ?? firstDay;
  const booked = [
    { id: `demo-appt-${firstDay.toFormat('yyyyMMdd')}-john`, schedule: 'primary-care', at: firstDay.set({ hour: 10, minute: 0 }), patient: 'demo-pt-john-smith', practitioner: 'demo-dr-patel', reason: 'Blood pressure follow-up' },
    { id: `demo-appt-${secondDay.toFormat('yyyyMMdd')}-rosa`, schedule: 'pharmacy', at: secondDay.set({ hour: 14, minute: 0 }), patient: 'demo-pt-rosa-martinez', practitioner: 'demo-pharm-lopez', reason: 'Medication review' },
  ];
  const busy = new Set(booked.map((b) => slotId(b.schedule, b.at)));

  const out: Entry[] = [];
  for (const schedule of DEMO_SCHEDULES) {
    for (const t of starts) {
      const id = slotId(schedule, t);
      out.push(
        entry({
          resourceType: 'Slot',
          id,
          schedule: { reference: `urn:uuid:demo-schedule-${schedule}` },
          status: busy.has(id) ? 'busy' : 'free',
          start: t.toUTC().toISO({ suppressMilliseconds: true }),
          end: t.plus({ minutes: SLOT_MINUTES }).toUTC().toISO({ suppressMilliseconds: true }),
        }),
      );
    }
  }
  for (const b of booked) {
    out.push(
      entry({
        resourceType: 'Appointment',
        id: b.id,
        status: 'booked',
        reasonCode: [{ text: b.reason }],
        slot: [{ reference: `urn:uuid:${slotId(b.schedule, b.at)}` }],
        participant: [{ actor: { reference: `urn:uuid:${b.patient}` } }, { actor: { reference: `urn:uuid:${b.practitioner}` } }, { actor: { reference: `urn:uuid:demo-loc-${b.schedule}` } }],
      }),
    );
  }
  for (const [rx, ago] of Object.entries(LAST_FILLED_DAYS_AGO)) {
    out.push(
      entry({
        resourceType: 'MedicationDispense',
        id: `demo-md-${rx.replace('demo-', '')}`,
        status: 'completed',
        authorizingPrescription: [{ reference: `urn:uuid:${rx}` }],
        whenHandedOver: day0.minus({ days: ago }).set({ hour: 15 }).toUTC().toISO({ suppressMilliseconds: true }),
      }),
    );
  }
  return out;
}
