import { recordsWritten } from '../helpers/app';
import { agentOnCall, heldTaskId } from '../helpers/conference';
import { createAgent, loginAs, type LoggedIn } from '../helpers/staff';
import { getConversation } from '../../src/routing/conversation';
import { getPresence } from '../../src/routing/presence';
import { findTask } from '../../src/routing/task-store';
import type { Phone } from './routing-harness';
import { startRouting, TEST_ROUTING, until, type RoutingHarness } from './routing-harness';
import type { SimCall } from '../../src/sim';

// Agent conversations in Twilio Conferences, end to end through the local Twilio: hold, mute,
// warm and cold transfers, three-way calls, supervisor monitoring, and who may do what.

const ROUTING = `${TEST_ROUTING}
interpreters:
  vi: { displayName: Vietnamese interpreter, number: "+12126310901" }
  es: { displayName: Spanish interpreter, number: "+12126310902", accessCode: "4411#" }
`;

describe('conversations in conferences', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting({ routing: ROUTING });
  });
  afterAll(async () => {
    await h.close();
  });

  const state = async (who: LoggedIn) => (await getPresence(h.app.ctx, who.agentId)).state;
  const post = (who: LoggedIn, path: string, body: object = {}) => who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
  const room = (caller: SimCall) => h.sim.conference(caller.conference!)!;
  const party = (caller: SimCall, label: string) => room(caller).participants.find((p) => p.settings.label === label && p.status === 'connected');
  const conversation = async (caller: SimCall) => getConversation(h.app.ctx, (await findTask(h.app.ctx, caller.sid))!.conference!);
  const heardFrom = (listener: SimCall, speaker: string) => listener.partyHeard.filter((x) => x.fromCallSid === speaker).map((x) => x.text);

  /** A caller answered by the agent, who accepts in the console; returns the agent's leg. */
  async function answered(who: LoggedIn, phone: Phone, from: string): Promise<{ caller: SimCall; leg: SimCall }> {
    await h.setStatus(who, 'available');
    const caller = await h.call(from, { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    const acc = await post(who, `/api/calls/${caller.sid}/accept`);
    expect(acc.status).toBe(200);
    await until('the agent is on the line', () => agentOnCall(h.sim, caller) === `client:agent_${who.agentId}`, h.sim);
    return { caller, leg: h.sim.call(phone.offered.at(-1)!.callSid)! };
  }

  async function wrapUp(who: LoggedIn, callSid: string): Promise<void> {
    await until('wrap-up', async () => (await state(who)) === 'wrap-up', h.sim);
    expect((await who.agent.put(`/api/calls/${callSid}/wrapup`).set('X-CSRF-Token', who.csrf).send({ disposition: 'resolved' })).status).toBe(200);
  }

  test('hold and resume without ringing the agent again; mute; a warm transfer cancelled, then completed; the new agent owns the call', async () => {
    const ann = await h.agent('c-ann@example.org', { en: 5, general: 1 }, 'Ann');
    const ben = await h.agent('c-ben@example.org', { en: 5, general: 1 }, 'Ben');
    const annPhone = await h.consolePhone(ann.agentId);
    const benPhone = await h.consolePhone(ben.agentId);
    const { caller, leg } = await answered(ann, annPhone, '+12125550181');

    // Hold: the caller's participant is held with careline's hold document (POST), Ann stays in the room.
    expect((await post(ann, `/api/calls/${caller.sid}/hold`, { hold: true })).status).toBe(200);
    await until('the caller is held', () => party(caller, 'caller')?.settings.hold === true, h.sim);
    await until('the hold message plays', () => caller.transcript().includes('Thank you for holding'), h.sim);
    const holdRequest = caller.requests.find((r) => r.url.includes('/webhooks/conference/hold'));
    expect(holdRequest?.method).toBe('POST');
    leg.talk('Let me check your chart.');
    await h.sim.idle();
    expect(heardFrom(caller, leg.sid)).toEqual([]);
    expect((await post(ann, `/api/calls/${caller.sid}/hold`, { hold: false })).status).toBe(200);
    await until('the caller is back', () => party(caller, 'caller')?.settings.hold === false, h.sim);
    expect(annPhone.offered).toHaveLength(1); // never rung again
    leg.talk('Thanks for waiting.');
    await h.sim.idle();
    expect(heardFrom(caller, leg.sid)).toEqual(['Thanks for waiting.']);

    // Mute: the caller no longer hears Ann.
    expect((await post(ann, `/api/calls/${caller.sid}/mute`, { muted: true })).status).toBe(200);
    await until('Ann is muted', () => party(caller, 'agent')?.settings.muted === true, h.sim);
    leg.talk('(aside)');
    await h.sim.idle();
    expect(heardFrom(caller, leg.sid)).not.toContain('(aside)');
    expect((await post(ann, `/api/calls/${caller.sid}/mute`, { muted: false })).status).toBe(200);
    await until('Ann is unmuted', () => party(caller, 'agent')?.settings.muted === false, h.sim);

    // Nothing to complete or cancel yet.
    expect((await post(ann, `/api/calls/${caller.sid}/transfer/complete`)).status).toBe(409);

    // Warm transfer to Ben, cancelled: the caller is held meanwhile, then back with Ann.
    await h.setStatus(ben, 'available');
    expect((await post(ann, `/api/calls/${caller.sid}/transfer`, { mode: 'warm', to: { type: 'agent', agentId: ben.agentId } })).status).toBe(200);
    await until('Ben is offered the consultation', () => benPhone.offered.length === 1, h.sim);
    expect(party(caller, 'caller')?.settings.hold).toBe(true);
    expect((await post(ben, `/api/calls/${await heldTaskId(h.app.ctx, ben.agentId)}/accept`)).status).toBe(200);
    await until('Ben joins', () => party(caller, `consult-${ben.agentId}`) !== undefined, h.sim);
    expect((await post(ann, `/api/calls/${caller.sid}/transfer/cancel`)).status).toBe(200);
    await until('Ben leaves and the caller is back with Ann', () => !party(caller, `consult-${ben.agentId}`) && party(caller, 'caller')?.settings.hold === false, h.sim);
    await until('Ben is free', async () => (await state(ben)) === 'available', h.sim);
    expect(await state(ann)).toBe('busy');

    // Warm transfer again, completed: Ann wraps up, Ben has the caller and owns the call.
    expect((await post(ann, `/api/calls/${caller.sid}/transfer`, { mode: 'warm', to: { type: 'agent', agentId: ben.agentId } })).status).toBe(200);
    await until('Ben is offered again', () => benPhone.offered.length === 2, h.sim);
    expect((await post(ben, `/api/calls/${await heldTaskId(h.app.ctx, ben.agentId)}/accept`)).status).toBe(200);
    await until('Ben joins again', () => party(caller, `consult-${ben.agentId}`) !== undefined, h.sim);
    expect((await post(ann, `/api/calls/${caller.sid}/transfer/complete`)).status).toBe(200);
    await until('Ann is out, the caller with Ben', () => !party(caller, 'agent') && party(caller, 'caller')?.settings.hold === false, h.sim);
    await wrapUp(ann, caller.sid);
    const benLeg = h.sim.call(benPhone.offered[1]!.callSid)!;
    benLeg.talk('Hi, this is Ben.');
    await h.sim.idle();
    expect(heardFrom(caller, benLeg.sid)).toEqual(['Hi, this is Ben.']);
    expect((await conversation(caller))?.agentId).toBe(ben.agentId);
    // Ben can hold the call he now owns; Ann no longer can (403).
    expect((await post(ann, `/api/calls/${caller.sid}/hold`, { hold: true })).status).toBe(403);
    expect((await post(ben, `/api/calls/${caller.sid}/hold`, { hold: true })).status).toBe(200);
    expect((await post(ben, `/api/calls/${caller.sid}/hold`, { hold: false })).status).toBe(200);

    // Ben hangs up his phone: no careline party is left, so the caller hears goodbye and the call ends.
    await benPhone.offered[1]!.hangup();
    await until('the caller is let go', () => caller.status === 'completed', h.sim);
    expect(caller.transcript()).toContain('Thank you for calling. Goodbye.');
    await wrapUp(ben, caller.sid);

    await recordsWritten(h.app);
    const record = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid }, include: { events: true } });
    expect(record.outcome).toBe('answered');
    expect(record.holdCount).toBeGreaterThanOrEqual(3);
    expect(record.holdSec).not.toBeNull();
    const transfers = record.events.filter((e) => e.name === 'transfer').map((e) => (e.detail as { result: string }).result);
    expect(transfers).toEqual(expect.arrayContaining(['started', 'cancelled', 'completed']));
    expect(record.events.some((e) => e.name === 'hold')).toBe(true);
    expect(record.events.some((e) => e.name === 'resume')).toBe(true);
    await h.setStatus(ann, 'offline');
    await h.setStatus(ben, 'offline');
  });

  test('a consultation the target declines, a caller hanging up during one and on hold; cold transfers to a queue and to a number', async () => {
    const cy = await h.agent('c-cy@example.org', { en: 5, general: 1 }, 'Cy');
    const di = await h.agent('c-di@example.org', { en: 5, general: 1, pharmacy: 1 }, 'Di');
    const cyPhone = await h.consolePhone(cy.agentId);
    const diPhone = await h.consolePhone(di.agentId);

    // Di declines the consultation in the console: the caller is back with Cy, Di free.
    const first = await answered(cy, cyPhone, '+12125550182');
    await h.setStatus(di, 'available');
    expect((await post(cy, `/api/calls/${first.caller.sid}/transfer`, { mode: 'warm', to: { type: 'agent', agentId: di.agentId } })).status).toBe(200);
    await until('Di is offered it', () => diPhone.offered.length === 1, h.sim);
    expect((await post(di, `/api/calls/${await heldTaskId(h.app.ctx, di.agentId)}/decline`)).status).toBe(200);
    await until('the caller is back with Cy', () => party(first.caller, 'caller')?.settings.hold === false, h.sim);
    expect((await conversation(first.caller))?.consult).toBeUndefined();
    await until('Di is free', async () => (await state(di)) === 'available', h.sim);

    // Consult again; the caller hangs up during it: Cy wraps up, Di is freed.
    expect((await post(cy, `/api/calls/${first.caller.sid}/transfer`, { mode: 'warm', to: { type: 'agent', agentId: di.agentId } })).status).toBe(200);
    await until('Di is offered it again', () => diPhone.offered.length === 2, h.sim);
    expect((await post(di, `/api/calls/${await heldTaskId(h.app.ctx, di.agentId)}/accept`)).status).toBe(200);
    await until('Di joins', () => party(first.caller, `consult-${di.agentId}`) !== undefined, h.sim);
    await first.caller.hangup();
    await wrapUp(cy, first.caller.sid);
    await until('Di is freed', async () => (await state(di)) === 'available', h.sim);
    await h.setStatus(di, 'offline'); // the next callers are Cy's

    // A caller hanging up on hold: the agent wraps up.
    const second = await answered(cy, cyPhone, '+12125550183');
    expect((await post(cy, `/api/calls/${second.caller.sid}/hold`, { hold: true })).status).toBe(200);
    await until('held', () => party(second.caller, 'caller')?.settings.hold === true, h.sim);
    await second.caller.hangup();
    await wrapUp(cy, second.caller.sid);

    // Cold transfer to a queue: Cy wraps up at once, Di (pharmacy) gets the caller.
    const third = await answered(cy, cyPhone, '+12125550184');
    await h.setStatus(di, 'available');
    expect((await post(cy, `/api/calls/${third.caller.sid}/transfer`, { mode: 'cold', to: { type: 'queue', queue: 'pharmacy' } })).status).toBe(200);
    await until('Di is offered the transferred caller', () => diPhone.offered.length === 3, h.sim);
    await wrapUp(cy, third.caller.sid);
    const diAccept = await post(di, `/api/calls/${third.caller.sid}/accept`);
    expect(diAccept.status).toBe(200);
    await until('Di is on the line', () => agentOnCall(h.sim, third.caller) === `client:agent_${di.agentId}`, h.sim);

    // Cold transfer to a number: the caller is dialed out, Di wraps up.
    expect((await post(di, `/api/calls/${third.caller.sid}/transfer`, { mode: 'cold', to: { type: 'number', number: '+15559990000' } })).status).toBe(200);
    await until('the caller is bridged out', () => third.caller.bridge?.to === '+15559990000', h.sim);
    await wrapUp(di, third.caller.sid);

    await recordsWritten(h.app);
    for (const c of [first.caller, second.caller]) {
      const r = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: c.sid } });
      expect(r).toMatchObject({ outcome: 'answered', status: 'completed', agentId: cy.agentId });
    }
    // The caller hung up while held: Twilio sends no unhold then, and the hold still counts.
    const heldThenGone = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: second.caller.sid } });
    expect(heldThenGone.holdCount).toBe(1);
    expect(heldThenGone.holdSec).toEqual(expect.any(Number));
    await h.setStatus(cy, 'offline');
    await h.setStatus(di, 'offline');
  });

  test('three-way calls: an interpreter with and without an access code, a number; listed, removed; bad numbers refused', async () => {
    const eve = await h.agent('c-eve@example.org', { en: 5, general: 1 }, 'Eve');
    const other = await h.agent('c-other@example.org', { en: 5 }, 'Other');
    const evePhone = await h.consolePhone(eve.agentId);
    const { caller } = await answered(eve, evePhone, '+12125550185');

    const vi = await post(eve, `/api/calls/${caller.sid}/participants`, { interpreter: 'vi' });
    expect(vi.status).toBe(201);
    expect(vi.body.participant).toMatchObject({ role: 'interpreter', detail: 'vi' });
    const es = await post(eve, `/api/calls/${caller.sid}/participants`, { interpreter: 'es' });
    expect(es.status).toBe(201);
    const num = await post(eve, `/api/calls/${caller.sid}/participants`, { number: '+12125550199' });
    expect(num.status).toBe(201);
    expect(num.body.participant.detail).toBe('…0199');
    await until('all three joined', async () => {
      const list = await eve.agent.get(`/api/calls/${caller.sid}/participants`);
      return list.body.participants.filter((p: { joined: boolean }) => p.joined).length === 5; // caller, Eve and three
    }, h.sim);
    // The line with an access code was dialed with it, and joined from careline's TwiML.
    const esCall = h.sim.createdCalls.find((c) => c.to === '+12126310902');
    expect(esCall?.sendDigits).toBe('4411#');
    const list = (await eve.agent.get(`/api/calls/${caller.sid}/participants`)).body.participants as { participantId: string; role: string; detail?: string }[];
    expect(JSON.stringify(list)).not.toContain('12125550199');

    expect((await post(eve, `/api/calls/${caller.sid}/participants`, { number: '12345' })).status).toBe(400);
    expect((await post(eve, `/api/calls/${caller.sid}/participants`, { interpreter: 'xx' })).status).toBe(400);
    // Another agent cannot touch this call.
    expect((await post(other, `/api/calls/${caller.sid}/participants`, { number: '+12125550198' })).status).toBe(403);
    expect((await post(other, `/api/calls/${caller.sid}/mute`, { muted: true })).status).toBe(403);
    expect((await post(other, `/api/calls/${caller.sid}/transfer`, { mode: 'cold', to: { type: 'queue', queue: 'general' } })).status).toBe(403);

    const removed = await eve.agent.delete(`/api/calls/${caller.sid}/participants/${vi.body.participant.participantId}`).set('X-CSRF-Token', eve.csrf);
    expect(removed.status).toBe(200);
    await until('the interpreter left', () => !room(caller).participants.some((p) => p.settings.label === vi.body.participant.participantId && p.status === 'connected'), h.sim);
    expect((await eve.agent.delete(`/api/calls/${caller.sid}/participants/nobody-9`).set('X-CSRF-Token', eve.csrf)).status).toBe(404);

    await recordsWritten(h.app);
    const events = await h.app.ctx.db.callEvent.findMany({ where: { callSid: caller.sid } });
    expect(events.filter((e) => e.name === 'participant_added')).toHaveLength(3);
    expect(events.filter((e) => e.name === 'participant_removed')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('12125550199');
    await caller.hangup();
    await wrapUp(eve, caller.sid);
    await h.setStatus(eve, 'offline');
  });

  test('a supervisor listens, whispers (the caller hears none of it) and barges; every monitor session is audited; agents may not', async () => {
    const fay = await h.agent('c-fay@example.org', { en: 5, general: 1 }, 'Fay');
    const fayPhone = await h.consolePhone(fay.agentId);
    const { caller, leg } = await answered(fay, fayPhone, '+12125550186');
    await createAgent(h.app.ctx.db, { email: 'c-sue@example.org', name: 'Sue', roles: ['agent', 'supervisor'], skills: { en: 5 } });
    const sup = await loginAs(h.app, 'c-sue@example.org');
    const sue = sup;
    const suePhone = await h.consolePhone(sue.agentId);

    expect((await post(fay, `/api/supervisor/calls/${caller.sid}/monitor`, { mode: 'listen' })).status).toBe(403);
    expect((await post(sup, `/api/supervisor/calls/${caller.sid}/monitor`, { mode: 'listen' })).status).toBe(200);
    await until('Sue is on the line', () => room(caller).participants.some((p) => p.settings.label === `supervisor-${sue.agentId}` && p.status === 'connected'), h.sim);
    const sueLeg = h.sim.call(suePhone.offered[0]!.callSid)!;
    sueLeg.talk('listening');
    await h.sim.idle();
    expect(heardFrom(caller, sueLeg.sid)).toEqual([]);
    expect(heardFrom(leg, sueLeg.sid)).toEqual([]);
    caller.talk('I need my refill.');
    await h.sim.idle();
    expect(heardFrom(sueLeg, caller.sid)).toContain('I need my refill.');

    expect((await post(sup, `/api/supervisor/calls/${caller.sid}/monitor`, { mode: 'whisper' })).status).toBe(200);
    await until('coaching', () => room(caller).participants.some((p) => p.settings.label === `supervisor-${sue.agentId}` && p.settings.coaching), h.sim);
    sueLeg.talk('Offer the 90-day supply.');
    await h.sim.idle();
    expect(heardFrom(leg, sueLeg.sid)).toContain('Offer the 90-day supply.');
    expect(heardFrom(caller, sueLeg.sid)).toEqual([]);

    expect((await post(sup, `/api/supervisor/calls/${caller.sid}/monitor`, { mode: 'barge' })).status).toBe(200);
    await until('barging', () => room(caller).participants.some((p) => p.settings.label === `supervisor-${sue.agentId}` && !p.settings.coaching && !p.settings.muted), h.sim);
    sueLeg.talk('Hello, I am the supervisor.');
    await h.sim.idle();
    expect(heardFrom(caller, sueLeg.sid)).toEqual(['Hello, I am the supervisor.']);

    const overview = await sup.agent.get('/api/supervisor/overview');
    const live = overview.body.conversations.find((c: { callSid: string }) => c.callSid === caller.sid);
    expect(live).toMatchObject({ agentId: fay.agentId, monitor: { supervisorId: sue.agentId, mode: 'barge' } });
    expect(JSON.stringify(live)).not.toContain('+12125550186');

    const left = await sup.agent.delete(`/api/supervisor/calls/${caller.sid}/monitor`).set('X-CSRF-Token', sup.csrf);
    expect(left.status).toBe(200);
    await until('Sue left', () => !room(caller).participants.some((p) => p.settings.label === `supervisor-${sue.agentId}` && p.status === 'connected'), h.sim);
    const audits = await h.app.ctx.db.auditEntry.findMany({ where: { action: 'monitor', actorId: sue.agentId }, orderBy: { at: 'asc' } });
    expect(audits.map((a) => (a.detail as { mode: string | null }).mode)).toEqual(['listen', 'whisper', 'barge', null]);
    expect(audits.every((a) => a.entityId === caller.sid)).toBe(true);

    await caller.hangup();
    await wrapUp(fay, caller.sid);
    await h.setStatus(fay, 'offline');
  });
  test('an offer declined in the console; a warm transfer to a queue completed; to a number cancelled, then completed', async () => {
    const hal = await h.agent('c-hal@example.org', { en: 5, general: 1 }, 'Hal');
    const gil = await h.agent('c-gil@example.org', { en: 5, pharmacy: 1 }, 'Gil');
    const halPhone = await h.consolePhone(hal.agentId);
    const gilPhone = await h.consolePhone(gil.agentId);

    // Declined in the console: back to the queue, Hal stays available and is not offered it again.
    await h.setStatus(hal, 'available');
    const caller = await h.call('+12125550187', { queue: 'general', requiredSkills: [], language: 'en', reason: 'operator', verified: false });
    expect(halPhone.offered).toHaveLength(1);
    expect((await post(hal, `/api/calls/${caller.sid}/decline`)).status).toBe(200);
    await until('the caller is back in the queue', () => caller.queue?.name === 'general', h.sim);
    expect(await state(hal)).toBe('available');
    await h.setStatus(hal, 'offline');
    await caller.hangup();
    await h.sim.idle();

    const { caller: c2 } = await answered(hal, halPhone, '+12125550188');
    // Warm to the pharmacy queue: whoever it reserves (Gil) is rung into this conference.
    await h.setStatus(gil, 'available');
    expect((await post(hal, `/api/calls/${c2.sid}/transfer`, { mode: 'warm', to: { type: 'queue', queue: 'pharmacy' } })).status).toBe(200);
    await until('Gil is offered the consultation', () => gilPhone.offered.length === 1, h.sim);
    expect((await post(gil, `/api/calls/${await heldTaskId(h.app.ctx, gil.agentId)}/accept`)).status).toBe(200);
    await until('Gil joins', () => party(c2, `consult-${gil.agentId}`) !== undefined, h.sim);
    expect((await post(hal, `/api/calls/${c2.sid}/transfer/complete`)).status).toBe(200);
    await wrapUp(hal, c2.sid);
    await until('the caller is with Gil', () => party(c2, 'caller')?.settings.hold === false && !party(c2, 'agent'), h.sim);

    // Gil consults an outside number, cancels; then again, and completes: the caller stays with them.
    expect((await post(gil, `/api/calls/${c2.sid}/transfer`, { mode: 'warm', to: { type: 'number', number: '+12125550177' } })).status).toBe(200);
    await until('the number joins', () => party(c2, 'consult') !== undefined, h.sim);
    expect(party(c2, 'caller')?.settings.hold).toBe(true);
    expect((await post(gil, `/api/calls/${c2.sid}/transfer/cancel`)).status).toBe(200);
    await until('the number left, the caller is back', () => !party(c2, 'consult') && party(c2, 'caller')?.settings.hold === false, h.sim);
    expect((await post(gil, `/api/calls/${c2.sid}/transfer`, { mode: 'warm', to: { type: 'number', number: '+12125550177' } })).status).toBe(200);
    await until('the number joins again', () => party(c2, 'consult') !== undefined, h.sim);
    const outside = party(c2, 'consult')!.call;
    expect((await post(gil, `/api/calls/${c2.sid}/transfer/complete`)).status).toBe(200);
    await wrapUp(gil, c2.sid);
    await until('the caller is unheld with the outside party', () => party(c2, 'caller')?.settings.hold === false, h.sim);
    outside.talk('Pharmacy benefits, how can I help?');
    await h.sim.idle();
    expect(heardFrom(c2, outside.sid)).toEqual(['Pharmacy benefits, how can I help?']);
    // The outside party hanging up ends the call, as the caller would.
    await outside.hangup();
    await until('the call is over', () => c2.status === 'completed', h.sim);
    await h.setStatus(gil, 'offline');
  });
});
