import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import type { SimCall } from './call';
import { TwilioSim } from './sim';

// `npm run call -- --from +15551234567 [--to +15550100000] [--base http://127.0.0.1:3000] [--api-port 4010]`
// Calls a running careline from the terminal: prints what the caller hears and reads keys or words.

const HELP = `usage: npm run call -- --from <E.164> [--to <E.164>] [--base <url>] [--api-port <port>]
  --from      caller number (required)
  --to        number called (default CARELINE_PHONE_NUMBER)
  --base      careline's public base URL (default PUBLIC_BASE_URL)
  --api-port  serve the fake Twilio REST API on this port (default: the port of TWILIO_API_URL,
              which in development is 4010, where \`npm run dev\` sends its REST requests)
At a prompt: digits (0-9 * #) are pressed, other text is spoken, an empty line is silence, "hangup" hangs up.`;

function attach(call: SimCall): void {
  call.on('heard', (h: { verb: string; text: string }) => console.log(h.verb === 'Say' ? `  🔊 ${h.text}` : `  [play ${h.text}]`));
  call.on('pause', (s: number) => console.log(`  [pause ${s}s]`));
  call.on('beep', () => console.log('  [beep]'));
  call.on('heard-party', (h: { label?: string; fromCallSid: string; text: string }) => console.log(`  🗣 ${h.label ?? h.fromCallSid}: ${h.text}`));
}

function promptFor(call: SimCall): string {
  switch (call.waitingFor) {
    case 'gather': {
      const g = call.gather!;
      const what = g.input.join('/') + (g.numDigits ? `, ${g.numDigits} digit(s)` : '') + (g.finishOnKey && g.input.includes('dtmf') ? `, end with ${g.finishOnKey}` : '');
      return `[gather ${what}] > `;
    }
    case 'record':
      return '[recording: seconds talked, e.g. "12" or "12#"; empty = silence] > ';
    case 'hold':
      return `[on hold in ${call.queue?.name ?? 'queue'}, position ${call.queue?.position ?? '?'}; enter = keep waiting] > `;
    case 'bridged':
      return `[connected to ${call.bridge?.to ?? 'the other party'}; enter = they hang up] > `;
    case 'dialing':
      return '[ringing; enter = no answer] > ';
    case 'conference':
      return '[in a conference; text = say it to the room, enter = end it] > ';
    default:
      return '[playing; enter = keep listening] > ';
  }
}

async function respond(sim: TwilioSim, call: SimCall, line: string): Promise<void> {
  const input = line.trim();
  if (input.toLowerCase() === 'hangup') return call.hangup();
  switch (call.waitingFor) {
    case 'gather':
      if (!input) return call.silence();
      if (/^[0-9*#]+$/.test(input) && call.gather!.input.includes('dtmf')) return call.press(input);
      return call.speak(input);
    case 'record': {
      const m = /^(\d+)\s*([0-9*#]?)$/.exec(input);
      if (!m) return call.silence();
      return call.record({ durationSec: Number(m[1]), digits: m[2] || undefined });
    }
    case 'hold':
      return call.waitLoop(1);
    case 'bridged':
      return call.bridge?.hangup();
    case 'dialing':
      return call.silence();
    case 'conference':
      if (input) return call.talk(input);
      return sim.endConference(call.conference!);
    default:
      return sim.idle();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, base: { type: 'string' }, 'api-port': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || !values.from) {
    console.log(HELP);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadConfig({ NODE_ENV: 'development', ...process.env });
  const sim = new TwilioSim({
    baseUrl: values.base ?? config.publicBaseUrl,
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    apiKeys: config.TWILIO_API_KEY_SID && config.TWILIO_API_KEY_SECRET ? { [config.TWILIO_API_KEY_SID]: config.TWILIO_API_KEY_SECRET } : {},
  });
  // By default serve the REST API where a development careline expects it (DEV_TWILIO_API_URL).
  const apiPort = values['api-port'] ?? (config.TWILIO_API_URL ? new URL(config.TWILIO_API_URL).port : undefined);
  if (apiPort) {
    const url = await sim.listen(Number(apiPort));
    console.log(`fake Twilio REST API on ${url} (set TWILIO_API_URL=${url} for careline)`);
  }
  sim.on('call', attach);
  const to = values.to ?? config.CARELINE_PHONE_NUMBER;
  console.log(`calling ${to} from ${values.from} via ${sim.baseUrl}/webhooks/voice`);
  const call = await sim.inboundCall({ from: values.from, to });
  const rl = createInterface({ input: process.stdin, terminal: false });
  // The async iterator buffers lines, so piped input works as well as typing.
  const lines = rl[Symbol.asyncIterator]();
  try {
    while (!call.ended) {
      process.stdout.write(promptFor(call));
      const next = await lines.next();
      if (!process.stdin.isTTY) console.log(next.done ? '' : next.value);
      try {
        await respond(sim, call, next.done ? 'hangup' : next.value);
      } catch (err) {
        console.log(`  (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    if (!call.ended) await call.hangup();
  } finally {
    rl.close();
  }
  for (const e of call.errors) console.log(`  ⚠ ${e.code ?? e.kind}: ${e.message}${e.url ? ` (${e.url})` : ''}`);
  console.log(`call ${call.sid} ended: ${call.status}`);
  await sim.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
