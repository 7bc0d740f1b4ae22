import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, lines: () => chunks.join('').trim().split('\n') };
}

describe('log redaction', () => {
  test('masks phones (last 4 kept), names, birth dates and Rx numbers wherever they appear', async () => {
    const { stream, lines } = capture();
    const log = createLogger('info', 'json', stream).child({ callSid: 'CA123' });
    log.info('caller +1 (212) 555-0123 said born 1984-03-07, 03/07/1984', {
      From: '+12125550123',
      patient: { givenName: 'Maria', familyName: 'Lopez', birthDate: '1984-03-07' },
      rxNumber: '6012345',
      Digits: '03071984',
      nested: [{ phone: '+13125550199' }],
    });
    await new Promise((r) => setImmediate(r));
    const line = lines()[0];
    const entry = JSON.parse(line);
    expect(entry.callSid).toBe('CA123');
    expect(line).not.toMatch(/Maria|Lopez|1984|6012345|5550123|5550199|03071984/);
    expect(entry.From).toBe('***0123');
    expect(entry.nested[0].phone).toBe('***0199');
    expect(entry.message).toContain('***0123');
    expect(entry.patient).toEqual({ givenName: '[redacted]', familyName: '[redacted]', birthDate: '[redacted]' });
    expect(entry.rxNumber).toBe('[redacted]');
  });
});

describe('log redaction leaves identifiers alone', () => {
  test('timestamps and sids survive, a phone number in a message does not', async () => {
    const { stream, lines } = capture();
    const log = createLogger('info', 'json', stream);
    const sid = 'CA1234567890123456789012345678abcd';
    log.info(`call ${sid} from 2125550123 ended`, { callSid: sid, reminderId: 'cm1234567890123' });
    await new Promise((r) => setImmediate(r));
    const entry = JSON.parse(lines()[0]);
    expect(entry.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(entry.callSid).toBe(sid);
    expect(entry.reminderId).toBe('cm1234567890123');
    expect(entry.message).toBe(`call ${sid} from ***0123 ended`);
  });
});
