import { agentOnCall, heldTaskId } from '../helpers/conference';
import { createTwilioRest } from '../../src/telephony/twilio-rest';
import { recordsWritten } from '../helpers/app';
import { createAgent, loginAs, type LoggedIn } from '../helpers/staff';
import { startIvr, verifyByKeypad, type Ivr } from './ivr-harness';
import { until } from './routing-harness';
import type { ClientIncoming } from '../../src/sim';

// Through the real inbound flow and the shipped routing.yaml: verify, menu 3 (nurse or
// pharmacist), 2 (pharmacist), in Spanish, then routing and the agent's screen pop.
describe('from the IVR to an agent', () => {
  let ivr: Ivr;
  beforeAll(async () => {
    ivr = await startIvr();
    const rest = await ivr.sim.listen();
    ivr.app.ctx.twilio = createTwilioRest({ ...ivr.app.ctx.config, TWILIO_API_URL: rest });
  });
  afterAll(async () => {
    await ivr.close();
  });

  async function staff(email: string, skills: Record<string, number>, offered: ClientIncoming[]): Promise<LoggedIn> {
    await createAgent(ivr.db, { email, name: email.split('@')[0]!, skills });
    const who = await loginAs(ivr.app, email);
    ivr.sim.registerClient(`agent_${who.agentId}`, {
      onIncoming: async (incoming) => {
        offered.push(incoming);
        await who.agent.post(`/api/calls/${await heldTaskId(ivr.app.ctx, who.agentId)}/accept`).set('X-CSRF-Token', who.csrf);
        await incoming.accept();
      },
    });
    await who.agent.put('/api/agents/me/status').set('X-CSRF-Token', who.csrf).send({ status: 'available' });
    return who;
  }

  test('a verified Spanish speaker asking for the pharmacist reaches the Spanish-speaking pharmacist, with a screen pop', async () => {
    const enOffers: ClientIncoming[] = [];
    const esOffers: ClientIncoming[] = [];
    await staff('ivr-en@example.org', { en: 5, pharmacist: 2, pharmacy: 4 }, enOffers);
    const es = await staff('ivr-es@example.org', { es: 5, en: 3, pharmacist: 2, pharmacy: 4 }, esOffers);

    const { rosa } = ivr.practice;
    const call = await ivr.call(rosa.phone);
    await verifyByKeypad(call, '2', rosa.dob);
    await call.press('3');
    await call.press('2');
    await until('the Spanish pharmacist answers', () => esOffers[0]?.status === 'accepted', ivr.sim);
    expect(enOffers).toHaveLength(0);
    expect(agentOnCall(ivr.sim, call)).toBe(`client:agent_${es.agentId}`);

    const pop = await es.agent.get(`/api/calls/${call.sid}`);
    expect(pop.status).toBe(200);
    expect(pop.body).toMatchObject({ verified: true, language: 'es', queue: 'clinical', patient: { name: 'Rosa Quintero', birthDate: '1951-11-23' } });
    expect(pop.body.ivrPath.length).toBeGreaterThan(2);
    const audit = await ivr.db.auditEntry.findFirst({ where: { actorType: 'agent', actorId: es.agentId, patientId: rosa.id, action: 'read' } });
    expect(audit).not.toBeNull();
    await call.hangup();
  });

  test('a verified caller who presses 0 and reaches an agent is recorded answered (the hand-off is an event), and found by outcome=answered', async () => {
    const offers: ClientIncoming[] = [];
    const desk = await staff('ivr-desk@example.org', { es: 5, general: 3 }, offers);
    const { rosa } = ivr.practice;
    const call = await ivr.call(rosa.phone);
    await verifyByKeypad(call, '2', rosa.dob);
    await call.press('0');
    await until('the front desk answers', () => offers[0]?.status === 'accepted', ivr.sim);
    expect(agentOnCall(ivr.sim, call)).toBe(`client:agent_${desk.agentId}`);
    await call.hangup();
    await recordsWritten(ivr.app);

    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec).toMatchObject({ outcome: 'answered', agentId: desk.agentId, queueName: 'general', verified: true });
    expect(await ivr.db.callEvent.count({ where: { callSid: call.sid, type: 'transfer', name: 'general' } })).toBe(1);
    const found = await desk.agent.get('/api/calls?outcome=answered');
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { callSid: string }) => i.callSid)).toContain(call.sid);
  });

  test('a caller the IVR helped (a renewal request) who then asks for a pharmacist and is answered is recorded answered, not self_served', async () => {
    const { ana } = ivr.practice;
    const call = await ivr.call(ana.phone);
    await verifyByKeypad(call, '1', ana.dob);
    await call.press('1');
    await call.press(`${ana.rxEmpty}#`);
    await call.press('1'); // a pharmacist, please
    await until('a pharmacist answers', () => call.waitingFor === 'conference', ivr.sim);
    await call.hangup();
    await recordsWritten(ivr.app);
    const rec = await ivr.db.callRecord.findUniqueOrThrow({ where: { callSid: call.sid } });
    expect(rec.outcome).toBe('answered');
    expect(rec.agentId).not.toBeNull();
  });
});
