import { campaignOf, NY_OPENS, startReminderHarness, waitFor } from './reminders-fixtures';

// Pacing as Twilio sees it: the arrival times of `calls.create` at the local Twilio's REST server,
// from the very first call of a fresh worker. This test is alone in its file on purpose: jest gives
// each file a fresh module registry, so the worker here starts as cold as a new worker process does
// (nothing of the Twilio client loaded yet).

const CPS = 2;
/** The README's allowance for jitter on the way to Twilio. */
const JITTER_MS = 10;

test('from the first call on, no second holds more than REMINDER_CALLS_PER_SECOND arrivals at Twilio', async () => {
  const h = await startReminderHarness(NY_OPENS, { REMINDER_CALLS_PER_SECOND: String(CPS) });
  try {
    await campaignOf(h, 5, '571');
    h.startWorker({ concurrency: 5 });
    await waitFor('five calls at Twilio', async () => h.sim.createdCalls.length >= 5, 20_000);
    const arrivals = h.sim.createdCalls.map((c) => c.at).sort((a, b) => a - b);
    // Any CPS + 1 consecutive arrivals span at least a second (less the jitter allowance), i.e.
    // arrival i and arrival i + CPS are a second apart; the first calls are held to it too.
    const spans = arrivals.slice(CPS).map((t, i) => t - arrivals[i]!);
    expect(spans.filter((s) => s < 1000 - JITTER_MS)).toEqual([]);
  } finally {
    await h.close();
  }
});
