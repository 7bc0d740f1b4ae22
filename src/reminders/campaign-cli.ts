import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { systemClock, type Context } from '../context';
import { createDb } from '../db/client';
import { createRedis } from '../db/redis';
import { createLogger } from '../log';
import { createTwilioRest } from '../telephony/twilio-rest';
import type { CampaignKind, CampaignSummary } from './campaign-create';
import { launchCampaign } from './campaign-launch';
import { closeReminderQueue } from './reminder-queue';

// `npm run campaign -- refill|appointment [--dry-run] [--lead-hours N] [--name "..."]`: starts a
// reminder campaign now (the workers dial it, each patient inside their own window).
const USAGE = 'usage: npm run campaign -- refill|appointment [--dry-run] [--lead-hours N] [--name "..."] [--max-attempts N] [--max-concurrency N]';

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const pct = total ? Math.round((done / total) * 100) : 100;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total} candidates`;
}

/** The end-of-run summary, one fact a line. */
export function formatSummary(s: CampaignSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}${s.kind} campaign ${s.campaignId}`,
    `  candidates            ${s.candidates}`,
    `  ${s.dryRun ? 'would be reminded' : 'reminders created'}     ${s.created}`,
    `  skipped, deceased     ${s.skipped.deceased}`,
    `  skipped, no number    ${s.skipped.no_dialable_phone}`,
    `  skipped, opted out    ${s.skipped.opted_out}`,
    `  already reminded      ${s.skipped.duplicate}`,
  ];
  if (!s.dryRun && s.created) lines.push('  the workers dial them inside each patient\'s calling window');
  return lines.join('\n');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        'lead-hours': { type: 'string' },
        name: { type: 'string' },
        'max-attempts': { type: 'string' },
        'max-concurrency': { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const kind = args.positionals[0];
  if (kind !== 'refill' && kind !== 'appointment') {
    console.error(USAGE);
    return 2;
  }
  const int = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive whole number`);
    return n;
  };
  const config = loadConfig();
  const dryRun = args.values['dry-run'] === true;
  if (!config.DATABASE_URL || (!dryRun && !config.REDIS_URL)) {
    console.error('DATABASE_URL and REDIS_URL must point at the running careline\'s PostgreSQL and Redis (a dry run needs only DATABASE_URL).');
    return 2;
  }
  const redisUrl = config.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const ctx: Context = {
    config,
    db: createDb(config.DATABASE_URL, 2),
    redis: createRedis(redisUrl, config.REDIS_PREFIX),
    redisUrl,
    redisPrefix: config.REDIS_PREFIX,
    log: createLogger('warn', 'pretty'),
    twilio: createTwilioRest(config),
    clock: systemClock,
  };
  const tty = process.stderr.isTTY;
  try {
    const summary = await launchCampaign(ctx, {
      kind: kind as CampaignKind,
      dryRun,
      name: args.values.name,
      leadHours: int(args.values['lead-hours'], '--lead-hours'),
      maxAttempts: int(args.values['max-attempts'], '--max-attempts'),
      maxConcurrency: int(args.values['max-concurrency'], '--max-concurrency'),
      onProgress: (done, total) => process.stderr.write(`${tty ? '\r' : ''}${progressBar(done, total)}${tty ? '' : '\n'}`),
    });
    if (tty) process.stderr.write('\n');
    console.log(formatSummary(summary));
    return 0;
  } catch (err) {
    if (tty) process.stderr.write('\n');
    console.error(`campaign failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await closeReminderQueue(ctx);
    await ctx.db.$disconnect();
    ctx.redis.disconnect();
  }
}

main().then((code) => process.exit(code));
