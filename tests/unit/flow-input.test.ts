import { spokenDigits, spokenKey, speechMatches } from '../../src/flow/input';
import { maskValue, parseDate, validate } from '../../src/flow/validators';
import { spokenAmount, spokenDateTime } from '../../src/ivr/spoken';

describe('caller input', () => {
  test('dates of birth: keyed MMDDYYYY or spoken in English or Spanish', () => {
    expect(parseDate('03071984', 2026)).toBe('1984-03-07');
    expect(parseDate('March 7 1984', 2026)).toBe('1984-03-07');
    expect(parseDate('March 7th, 1984.', 2026)).toBe('1984-03-07');
    expect(parseDate('7 de marzo de 1984', 2026)).toBe('1984-03-07');
    expect(parseDate('el 23 de noviembre de 1951', 2026)).toBe('1951-11-23');
    expect(parseDate('03/07/1984', 2026)).toBe('1984-03-07');
    expect(parseDate('02301984', 2026)).toBeNull(); // 30 February
    expect(parseDate('13071984', 2026)).toBeNull();
    expect(parseDate('01012030', 2026)).toBeNull(); // in the future
    expect(parseDate('the seventh', 2026)).toBeNull();
  });

  test('Rx numbers, phones and ZIP codes by keypad or speech', () => {
    const y = { year: 2026 };
    expect(validate('rx', { digits: '7654321' }, y)).toBe('7654321');
    expect(validate('rx', { speech: '7 6 5 4 3 2 1' }, y)).toBe('7654321');
    expect(validate('rx', { speech: 'siete seis cinco cuatro' }, y)).toBe('7654');
    expect(validate('rx', { digits: '12' }, y)).toBeNull();
    expect(validate('rx', { digits: '12*4' }, y)).toBeNull();
    expect(validate('phone', { digits: '2125550101' }, y)).toBe('+12125550101');
    expect(validate('phone', { digits: '12125550101' }, y)).toBe('+12125550101');
    expect(validate('phone', { digits: '0125550101' }, y)).toBeNull();
    expect(validate('zip', { digits: '10001' }, y)).toBe('10001');
    expect(validate('zip', { digits: '1000' }, y)).toBeNull();
  });

  test('PHI is masked for call events', () => {
    expect(maskValue('date', '1984-03-07')).toBe('********');
    expect(maskValue('rx', '7654321')).toBe('*******');
    expect(maskValue('phone', '+12125550101')).toBe('***********');
    expect(maskValue('digits', '42')).toBe('42');
  });

  test('spoken menu answers', () => {
    expect(spokenKey('two')).toBe('2');
    expect(spokenKey('Dos.')).toBe('2');
    expect(spokenKey('option 3')).toBe('3');
    expect(spokenKey('the first')).toBe('1');
    expect(spokenKey('I want a refill')).toBeUndefined();
    expect(spokenDigits('one two three')).toBe('123');
    expect(speechMatches('¿Puedo hablar con una ENFERMERA?', ['enfermera'])).toBe(true);
    expect(speechMatches('Español', ['espanol'])).toBe(true);
    expect(speechMatches('refilled', ['refill'])).toBe(false);
  });
});

describe('spoken dates, times and amounts', () => {
  const at = new Date('2026-03-03T15:30:00Z'); // 10:30 in New York
  test('appointments in each language, in the patient\'s time zone', () => {
    expect(spokenDateTime(at, 'en', 'America/New_York')).toBe('Tuesday, March 3 at 10:30 AM');
    expect(spokenDateTime(at, 'es', 'America/New_York')).toBe('martes 3 de marzo a las 10:30');
    expect(spokenDateTime(at, 'es', 'America/Los_Angeles')).toBe('martes 3 de marzo a las 7:30');
    expect(spokenDateTime(new Date('2026-03-03T18:00:00Z'), 'es', 'America/New_York')).toBe('martes 3 de marzo a las 13:00');
    expect(spokenDateTime(new Date('2026-03-03T19:00:00Z'), 'en', 'America/New_York')).toBe('Tuesday, March 3 at 2 PM');
  });
  test('today and tomorrow', () => {
    expect(spokenDateTime(at, 'en', 'America/New_York', new Date('2026-03-03T13:00:00Z'))).toBe('today at 10:30 AM');
    expect(spokenDateTime(at, 'es', 'America/New_York', new Date('2026-03-02T13:00:00Z'))).toBe('mañana a las 10:30');
  });
  test('amounts', () => {
    expect(spokenAmount(12.5, 'en')).toBe('12 dollars and 50 cents');
    expect(spokenAmount(12.5, 'es')).toBe('12 dólares con 50 centavos');
    expect(spokenAmount(1, 'en')).toBe('1 dollar');
    expect(spokenAmount(0.01, 'es')).toBe('1 centavo');
  });
});
