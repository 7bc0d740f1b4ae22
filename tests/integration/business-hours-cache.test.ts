import { DateTime } from 'luxon';
import type { Context } from '../../src/context';
import { departmentIdByCode, forgetHoursCache, isHoliday, isOpen, nextOpening } from '../../src/calendar/hours';
import { createTestDb, type TestDb } from '../helpers/db';

// Business hours, holidays and department ids are read once per period and answered in memory.
const TUESDAY_10AM_NY = new Date('2026-03-03T15:00:00Z');
let testDb: TestDb;
let ctx: Context;
beforeAll(async () => {
  testDb = await createTestDb();
  ctx = { db: testDb.db, config: { PRACTICE_TIME_ZONE: 'America/New_York' } } as Context;
});
afterAll(async () => {
  await testDb.drop();
});

test('practice and department hours, holidays and department ids; changes show after forgetHoursCache', async () => {
  const db = testDb.db;
  for (let d = 1; d <= 5; d++) await db.businessHours.create({ data: { dayOfWeek: d, opens: '08:00', closes: '17:00', timeZone: 'America/New_York' } });
  const pharmacy = await db.department.create({ data: { code: 'pharmacy', name: 'Pharmacy' } });
  await db.businessHours.create({ data: { departmentId: pharmacy.id, dayOfWeek: 2, opens: '11:00', closes: '12:00', timeZone: 'America/New_York' } });
  expect(await departmentIdByCode(ctx, 'pharmacy')).toBe(pharmacy.id);
  expect(await departmentIdByCode(ctx, 'nope')).toBeUndefined();
  expect(await isOpen(ctx, TUESDAY_10AM_NY)).toBe(true);
  expect(await isOpen(ctx, TUESDAY_10AM_NY, pharmacy.id)).toBe(false);
  expect(await nextOpening(ctx, TUESDAY_10AM_NY, pharmacy.id)).toEqual(new Date('2026-03-03T16:00:00Z'));

  await db.holiday.create({ data: { date: new Date('2026-03-03'), name: 'Test Day' } });
  const local = DateTime.fromJSDate(TUESDAY_10AM_NY, { zone: 'America/New_York' });
  expect(await isHoliday(ctx, local)).toBe(false); // cached
  forgetHoursCache(ctx);
  expect(await isHoliday(ctx, local)).toBe(true);
  expect(await isOpen(ctx, TUESDAY_10AM_NY)).toBe(false);
  expect(await nextOpening(ctx, TUESDAY_10AM_NY, pharmacy.id)).toEqual(new Date('2026-03-10T15:00:00Z'));
});

test('nextOpening: the moment itself while open, else the next opening, by wall-clock time across DST', async () => {
  forgetHoursCache(ctx);
  // practice-wide Monday to Friday 08:00-17:00 New York (above); Tuesday 2026-03-03 is a holiday
  const at = (iso: string) => nextOpening(ctx, new Date(iso));
  expect(await at('2026-03-04T16:30:15Z')).toEqual(new Date('2026-03-04T16:30:15Z')); // Wed 11:30:15, open
  expect(await at('2026-03-04T13:00:00Z')).toEqual(new Date('2026-03-04T13:00:00Z')); // Wed 08:00 sharp
  expect(await at('2026-03-04T21:59:59Z')).toEqual(new Date('2026-03-04T21:59:59Z')); // Wed 16:59:59
  expect(await at('2026-03-04T22:00:00Z')).toEqual(new Date('2026-03-05T13:00:00Z')); // Wed 17:00: Thursday 08:00
  expect(await at('2026-03-03T15:00:00Z')).toEqual(new Date('2026-03-04T13:00:00Z')); // the holiday: Wednesday
  expect(await at('2026-03-07T15:00:00Z')).toEqual(new Date('2026-03-09T12:00:00Z')); // Saturday: Monday 08:00 EDT
  expect(await at('2026-03-09T12:30:00Z')).toEqual(new Date('2026-03-09T12:30:00Z')); // Monday 08:30 EDT, open
});
