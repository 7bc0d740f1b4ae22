import { agentOnCall, heldTaskId } from '../helpers/conference';
import { recordsWritten } from '../helpers/app';
import { launchCampaign } from '../../src/reminders/campaign-launch';
import { dialReminder } from '../../src/reminders/dial';
import { initReminderQueue, reminderJobId } from '../../src/reminders/reminder-queue';
import { routingTick } from '../../src/routing/escalation-worker';
import { getPresence } from '../../src/routing/presence';
import { callTaskId, getTask } from '../../src/routing/task-store';
import { startRouting, type RoutingHarness } from '../e2e/routing-harness';
import { addPatient, addPrescription, NY_OPENS, startReminderHarness, type ReminderHarness } from '../integration/reminders-fixtures';
import type { ClientIncoming } from '../../src/sim';
import { expectValidTwiml, waitFor } from './fault-helpers';

// Fault: Twilio's REST API answers 503 (Service Unavailable) and then 429 (Too Many Requests) to
// the requests careline makes on its own: the dequeue of a reserved caller (routing) and the
// creation of a reminder call. What must hold: the caller stays in the queue hearing valid TwiML
// and is connected once, to one agent, when Twilio answers again; the reminder is dialed later,
// exactly once, never lost.

const MEMBER_UPDATE = /\/Queues\/QU[0-9a-f]+\/Members\/CA[0-9a-f]+\.json$/;
const CALLS_CREATE = /\/Calls\.json$/;

describe('Twilio REST errors on dequeue', () => {
  let h: RoutingHarness;
  beforeAll(async () => {
    h = await startRouting();
  });
  afterAll(async () => {
    await h.close();
  });

  test('the reservation is released on 503 and 429; the caller waits in queue and is connected once Twilio answers', async () => {
    const who = await h.agent('rest-errors@example.org', { en: 5, general: 3 });
    // The console's Accept button, then the browser phone answers (as h.phone does, keeping the API's answer).
    const phone = { offered: [] as ClientIncoming[], accepts: [] as number[] };
    h.sim.registerClient(`agent_${who.agentId}`, {
      onIncoming: async (incoming) => {
        phone.offered.push(incoming);
        const res = await who.agent.post(`/api/calls/${await heldTaskId(h.app.ctx, who.agentId)}/accept`).set('X-CSRF-Token', who.csrf).ok(() => true);
        phone.accepts.push(res.status);
        await incoming.accept();
      },
    });
    expect(await h.setStatus(who, 'available')).toBe(200);
    h.sim.failNext('POST', MEMBER_UPDATE, 503, 1);
    h.sim.failNext('POST', MEMBER_UPDATE, 429, 1);

    // The caller's first wait request reserves the agent; the dequeue fails with 503.
    const caller = await h.call('+12125550171', { queue: 'general', requiredSkills: ['en'], language: 'en', reason: 'billing', verified: false, ivrPath: ['menu'] });
    const taskId = callTaskId(caller.sid);
    const released = async () => {
      expect(caller.queue).toMatchObject({ name: 'general', position: 1 });
      expect(caller.waitingFor).toBe('hold');
      expect(phone.offered).toHaveLength(0);
      expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('available');
      expect((await getTask(h.app.ctx, taskId))?.state).toBe('waiting');
    };
    expect((await getTask(h.app.ctx, taskId))?.attempts).toBe(1);
    await released();

    // The escalation tick retries: 429 this time, released again.
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect((await getTask(h.app.ctx, taskId))?.attempts).toBe(2);
    await released();
    // Twilio answers again: the caller's next wait request (after the hold music played a while; an
    // identical request in the same second would be answered from the idempotency store) connects
    // them, once.
    h.sim.advance(20);
    await caller.waitLoop(1);
    await waitFor('the agent answers', async () => {
      await h.sim.idle();
      return phone.offered[0]?.status === 'accepted';
    }).catch(async (err: Error) => {
      const dump = { waiting: caller.waitingFor, offered: phone.offered.map((o) => o.status), accepts: phone.accepts, task: await getTask(h.app.ctx, taskId), presence: await getPresence(h.app.ctx, who.agentId), requests: caller.requests.map((r) => `${r.kind} ${r.url} ${r.status}`) };
      throw new Error(`${err.message}: ${JSON.stringify(dump, null, 1)}`);
    });
    expect(agentOnCall(h.sim, caller)).toBe(`client:agent_${who.agentId}`);
    expect(caller.transcript()).toContain('Connecting you now.');
    expect(phone.offered).toHaveLength(1);
    expect(phone.accepts).toEqual([200]);
    expect((await getPresence(h.app.ctx, who.agentId)).state).toBe('busy');
    const task = await getTask(h.app.ctx, taskId);
    expect(task).toMatchObject({ state: 'connected', agentId: who.agentId, attempts: 3 });
    // Another tick finds nothing to assign: the connected call is never offered twice.
    await routingTick(h.app.ctx);
    await h.sim.idle();
    expect(phone.offered).toHaveLength(1);

    await phone.offered[0]!.hangup();
    await waitFor('wrap-up', async () => {
      await h.sim.idle();
      return (await getPresence(h.app.ctx, who.agentId)).state === 'wrap-up';
    });
    expect(caller.ended).toBe(true);
    expectValidTwiml(caller);
    await recordsWritten(h.app);
    const rec = await h.app.ctx.db.callRecord.findUniqueOrThrow({ where: { callSid: caller.sid } });
    expect(rec).toMatchObject({ agentId: who.agentId, queueName: 'general', status: 'completed' });
  });
});

describe('Twilio REST errors on dial (reminders)', () => {
  let h: ReminderHarness;
  beforeAll(async () => {
    h = await startReminderHarness(NY_OPENS);
  });
  afterAll(async () => {
    await h.close();
  });

  test('a 503 then a 429 on calls.create: the reminder is dialed on the third attempt, exactly once', async () => {
    const phone = '+12125557781';
    h.sim.setNumberBehaviour(phone, 'machine');
    const p = await addPatient(h.ctx, { given: 'Rita', timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
    h.sim.failNext('POST', CALLS_CREATE, 503, 1);
    h.sim.failNext('POST', CALLS_CREATE, 429, 1);
    await launchCampaign(h.ctx, { kind: 'refill' });
    const reminder = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } });
    const queue = initReminderQueue(h.ctx, { name: h.queueName });
    h.startWorker();

    // Each refused attempt schedules the next one after a backoff: let it run now, as time would.
    for (const attempt of [2, 3]) {
      const job = await waitFor(`attempt ${attempt} scheduled`, async () => {
        const j = await queue.getJob(reminderJobId(reminder.id, attempt));
        return j && (await j.isDelayed()) && j;
      });
      const r = await h.ctx.db.reminder.findUniqueOrThrow({ where: { id: reminder.id } });
      expect(r).toMatchObject({ status: 'pending', attempts: attempt - 1 });
      expect(r.nextAttemptAt!.getTime()).toBeGreaterThan(NY_OPENS.getTime());
      expect(h.sim.createdCalls).toHaveLength(0);
      await job.promote();
    }

    const done = await waitFor('the reminder completed', async () => {
      await h.sim.idle();
      const r = await h.ctx.db.reminder.findUnique({ where: { id: reminder.id }, include: { attemptLog: { orderBy: { attempt: 'asc' } } } });
      return r?.status === 'completed' && r;
    });
    expect(done.attemptLog.map((a) => [a.attempt, a.status, Boolean(a.callSid)])).toEqual([[1, 'not_placed', false], [2, 'not_placed', false], [3, 'machine', true]]);
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(1);

    // A replay of any attempt (a stalled job, a duplicate) dials nothing more.
    for (const attempt of [1, 2, 3]) expect((await dialReminder(h.ctx, { reminderId: reminder.id, attempt })).kind).toBe('done');
    expect(h.sim.createdCalls).toHaveLength(1);
  });
});

describe('a Twilio 5xx that hides a call it made (reminders)', () => {
  // A harness of its own with no worker running: the test dials the attempt itself.
  let h: ReminderHarness;
  beforeAll(async () => {
    h = await startReminderHarness(NY_OPENS);
  });
  afterAll(async () => {
    await h.close();
  });

  test('a 5xx after Twilio made the call anyway: the call is found and linked, the patient is not called twice', async () => {
    const phone = '+12125557782';
    h.sim.setNumberBehaviour(phone, 'busy');
    const p = await addPatient(h.ctx, { given: 'Omar', timeZone: 'America/New_York', phone });
    await addPrescription(h.ctx, p.id, NY_OPENS, 24);
    await launchCampaign(h.ctx, { kind: 'refill' });
    const reminder = await h.ctx.db.reminder.findFirstOrThrow({ where: { phone } });
    // Twilio made the call (here: a call careline's REST client created) but its answer was lost
    // behind a 503, as a proxy in front of Twilio may do.
    const made = await h.ctx.twilio.calls.create({ to: phone, from: h.ctx.config.CARELINE_PHONE_NUMBER, twiml: '<Response><Hangup/></Response>' });
    h.sim.failNext('POST', CALLS_CREATE, 503, 1);
    const before = h.sim.createdCalls.filter((c) => c.to === phone).length;

    expect((await dialReminder(h.ctx, { reminderId: reminder.id, attempt: 1 })).reason).toBe('dialed');
    const attempt = await h.ctx.db.reminderAttempt.findUniqueOrThrow({ where: { reminderId_attempt: { reminderId: reminder.id, attempt: 1 } } });
    expect(attempt.callSid).toBe(made.sid);
    expect(h.sim.createdCalls.filter((c) => c.to === phone)).toHaveLength(before);
  });
});
