import { DateTime } from 'luxon';
import type { Context } from '../../src/context';
import { departmentIdByCode, forgetHoursCache, isHoliday, isOpen, nextOpening } from '../../src/ivr/business-hours';
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
