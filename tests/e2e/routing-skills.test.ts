import { agentOnCall } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import { getPresence } from '../../src/routing/presence';
import { startRouting, until, type RoutingHarness } from './routing-harness';

describe('skill-based routing end to end (local Twilio)', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting();
  });
  afterAll(async () => {
    await h.close();
  });

  test('a Spanish-speaking caller asking for the pharmacist reaches the Spanish-speaking pharmacist, not the longer-idle English-only one', async () => {
    const en = await h.agent('ph-en@example.org', { en: 5, pharmacist: 1, clinical: 3 }, 'Pat English');
    const es = await h.agent('ph-es@example.org', { en: 3, es: 5, pharmacist: 1, clinical: 3 }, 'Paz Spanish');
    const enPhone = h.phone(en, 'answer');
    const esPhone = h.phone(es, 'answer');
    expect(await h.setStatus(en, 'available')).toBe(200); // idle longer: first in line for any task it fits
    expect(await h.setStatus(es, 'available')).toBe(200);

    const caller = await h.call('+13055550111', { queue: 'clinical', requiredSkills: ['es', 'pharmacist'], language: 'es', reason: 'clinical', verified: false, ivrPath: ['menu', 'clinical'] });
    await until('the Spanish pharmacist answers', () => esPhone.offered[0]?.status === 'accepted', h.sim);

    expect(enPhone.offered).toHaveLength(0);
    expect(agentOnCall(h.sim, caller)).toBe(`client:agent_${es.agentId}`);
    expect(caller.transcript()).toContain('Le comunicamos ahora.');
    expect((await getPresence(h.app.ctx, es.agentId)).state).toBe('busy');
    expect((await getPresence(h.app.ctx, en.agentId)).state).toBe('available');
    await recordsWritten(h.app);
    const record = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(record).toMatchObject({ agentId: es.agentId, queueName: 'clinical' });
    expect(record.agentAnsweredAt).not.toBeNull();

    // The agent hangs up: wrap-up, then disposition + notes on the record, then available again.
    await esPhone.offered[0]!.hangup();
    await until('wrap-up', async () => (await getPresence(h.app.ctx, es.agentId)).state === 'wrap-up', h.sim);
    const wrap = await es.agent.put(`/api/calls/${caller.sid}/wrapup`).set('X-CSRF-Token', es.csrf).send({ disposition: 'resolved', notes: 'Dosis explicada' });
    expect(wrap.status).toBe(200);
    expect(wrap.body.available).toBe(true);
    expect((await getPresence(h.app.ctx, es.agentId)).state).toBe('available');
    await recordsWritten(h.app);
    const after = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(after).toMatchObject({ disposition: 'resolved', notes: 'Dosis explicada' });
    await h.setStatus(en, 'offline');
    await h.setStatus(es, 'offline');
  });
});
