import { isInsideWindow, nextOpening, windowFor } from '../../src/reminders/calling-window';
import { pickPhone } from '../../src/reminders/phones';
import { spokenNumber, voicemailTwiml } from '../../src/reminders/voicemail';
import { loadConfig } from '../../src/config';

const rules = { windowStart: '08:00', windowEnd: '21:00', quietDays: [] as number[] };
const at = (iso: string) => new Date(iso);

describe('calling windows in the patient time zone', () => {
  // Tuesday 2026-11-24, 13:30 UTC = 08:30 New York, 07:30 Chicago, 05:30 Los Angeles.
  const moment = at('2026-11-24T13:30:00Z');

  test('the same moment is inside the window in New York and outside in Chicago and Los Angeles', () => {
    expect(isInsideWindow(moment, windowFor(rules, 'America/New_York'))).toBe(true);
    expect(isInsideWindow(moment, windowFor(rules, 'America/Chicago'))).toBe(false);
    expect(isInsideWindow(moment, windowFor(rules, 'America/Los_Angeles'))).toBe(false);
  });

  test('outside the window the next opening is 08:00 local', () => {
    expect(nextOpening(moment, windowFor(rules, 'America/Chicago'))?.toISOString()).toBe('2026-11-24T14:00:00.000Z');
    expect(nextOpening(moment, windowFor(rules, 'America/Los_Angeles'))?.toISOString()).toBe('2026-11-24T16:00:00.000Z');
    expect(nextOpening(moment, windowFor(rules, 'America/New_York'))).toEqual(moment);
  });

  test('21:00 is closed (end exclusive) and the next opening is the next morning', () => {
    const nine = at('2026-11-25T02:00:00Z'); // 21:00 New York
    expect(isInsideWindow(nine, windowFor(rules, 'America/New_York'))).toBe(false);
    expect(nextOpening(nine, windowFor(rules, 'America/New_York'))?.toISOString()).toBe('2026-11-25T13:00:00.000Z');
  });

  test('a campaign may narrow but never widen the legal 08:00-21:00 window', () => {
    const wide = windowFor({ windowStart: '06:00', windowEnd: '23:30', quietDays: [] }, 'America/New_York');
    expect([wide.start, wide.end]).toEqual(['08:00', '21:00']);
    const narrow = windowFor({ windowStart: '10:00', windowEnd: '17:00', quietDays: [] }, 'America/New_York');
    expect(isInsideWindow(moment, narrow)).toBe(false);
    expect(nextOpening(moment, narrow)?.toISOString()).toBe('2026-11-24T15:00:00.000Z');
  });

  test('quiet weekdays and holidays are skipped', () => {
    // Saturday 2026-11-28 12:00 New York; Saturday and Sunday quiet -> Monday 08:00.
    const saturday = at('2026-11-28T17:00:00Z');
    const w = windowFor({ ...rules, quietDays: [6, 7] }, 'America/New_York');
    expect(nextOpening(saturday, w)?.toISOString()).toBe('2026-11-30T13:00:00.000Z');
    const withHoliday = windowFor({ ...rules, quietDays: [6, 7] }, 'America/New_York', new Set(['2026-11-30']));
    expect(nextOpening(saturday, withHoliday)?.toISOString()).toBe('2026-12-01T13:00:00.000Z');
  });

  test('08:00 local across the spring DST change', () => {
    // Sunday 2026-03-08, clocks go forward at 02:00 in New York: 08:00 EDT = 12:00 UTC.
    expect(nextOpening(at('2026-03-08T06:00:00Z'), windowFor(rules, 'America/New_York'))?.toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });

  test('a window that never opens gives null', () => {
    expect(nextOpening(moment, windowFor({ ...rules, quietDays: [1, 2, 3, 4, 5, 6, 7] }, 'America/New_York'))).toBeNull();
  });
});

describe('which number a reminder calls', () => {
  test('prefers a mobile, never an undialable, invalid or opted-out number', () => {
    const phones = [
      { e164: '+12125557788', use: 'home', dialable: true },
      { e164: '+13125551234', use: 'mobile', dialable: true },
      { e164: '+1212555012', use: 'work', dialable: true },
    ];
    expect(pickPhone(phones, new Set())).toEqual({ phone: '+13125551234' });
    expect(pickPhone(phones, new Set(['+13125551234']))).toEqual({ phone: '+12125557788' });
    expect(pickPhone(phones, new Set(['+13125551234', '+12125557788']))).toEqual({ skip: 'opted_out' });
    expect(pickPhone([{ e164: '+12125557788', use: 'home', dialable: false }, phones[2]!], new Set())).toEqual({ skip: 'no_dialable_phone' });
  });
});

describe('the voicemail message', () => {
  test('names the practice and the call-back number and nothing else', () => {
    const config = loadConfig({ NODE_ENV: 'test', PRACTICE_NAME: 'Maple Clinic', CARELINE_PHONE_NUMBER: '+12125550100' });
    const twiml = voicemailTwiml(config, 'en');
    expect(spokenNumber('+12125550100')).toBe('2 1 2, 5 5 5, 0 1 0 0');
    expect(twiml).toContain('Maple Clinic');
    expect(twiml).toContain('2 1 2, 5 5 5, 0 1 0 0');
    expect(twiml).toMatch(/<Hangup\/>/);
    expect(voicemailTwiml(config, 'es')).toContain('devuélvanos la llamada');
  });
});
