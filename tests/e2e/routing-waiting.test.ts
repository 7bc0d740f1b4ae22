import { recordsWritten } from '../helpers/app';
import { fakeClock } from './ivr-harness';
import { startRouting, type RoutingHarness } from './routing-harness';

const WAITING_ROUTING = `
version: 1
revision: waiting-test
ringTimeoutSec: 10
holdMusicUrl: http://music.example/hold.mp3
announceEverySec: 20
queues:
  general: { displayName: Front desk, avgHandleSec: 120, offerCallbackAfterSec: 30, voicemailAfterSec: 60 }
workflow:
  filters: []
  defaultTargets:
    - expression: "{queue} AND {language}"
`;

describe('what a waiting caller hears', () => {
  let h: RoutingHarness;
  const clock = fakeClock(new Date('2026-03-03T15:00:00Z'));
  beforeAll(async () => {
    h = await startRouting({ clock, routing: WAITING_ROUTING });
  });
  /** Time passes for careline and for the local Twilio alike (Twilio's QueueTime moves on). */
  const pass = (ms: number) => {
    clock.at = new Date(clock.at.getTime() + ms);
    h.sim.advance(ms / 1000);
  };
  afterAll(async () => {
    await h.close();
  });

  test('position and wait in their language, then the callback offer, then voicemail that becomes a callback task', async () => {
    const first = await h.call('+12125550181', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    pass(1000);
    const second = await h.call('+13055550182', { queue: 'general', requiredSkills: [], language: 'es', reason: 'operator', verified: false });
    expect(first.transcript()).toContain('You are number 1 in line. Your estimated wait is about 2 minutes.');
    expect(second.transcript()).toContain('Usted es el número 2 en la fila. El tiempo de espera estimado es de unos 4 minutos.');
    expect(second.transcript()).not.toContain('marque 1');
    expect(second.heard.filter((x) => x.verb === 'Play').map((x) => x.text)).toContain('http://music.example/hold.mp3');

    // Twilio asks again when the music ends; 10 s later nothing new is announced (every 20 s).
    pass(10_000);
    const said = second.heard.length;
    await second.waitLoop(1);
    expect(second.heard.slice(said).map((x) => x.verb)).toEqual(['Play']);

    // After 30 s of waiting: a fresh announcement and the callback offer.
    pass(21_000);
    await second.waitLoop(1);
    expect(second.transcript()).toContain('marque 1');
    expect(second.heard.at(-2)?.language).toBe('es-US');
    await second.silence(); // no key: back to music, still in line
    expect(second.queue?.name).toBe('general');

    // After 60 s: voicemail, which becomes a callback task.
    pass(30_000);
    await second.waitLoop(1);
    expect(second.transcript()).toContain('Deje su nombre');
    await second.record({ durationSec: 8, digits: '#' });
    expect(second.transcript()).toContain('Gracias. Le llamaremos.');
    expect(second.ended).toBe(true);
    await recordsWritten(h.app);
    const task = await h.app.ctx.db.callbackTask.findFirstOrThrow({ where: { callSid: second.sid } });
    expect(task).toMatchObject({ reason: 'voicemail', language: 'es', queueName: 'general', status: 'open' });
    expect(task.recordingUrl).toMatch(/Recordings\/RE/);
    expect((await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: second.sid } })).outcome).toBe('voicemail');
    await first.hangup();
  });
});
