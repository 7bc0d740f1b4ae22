import { z } from 'zod';

// Every environment variable careline reads, parsed once. `.env.example` documents each.
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_BASE_URL: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(10),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  REDIS_PREFIX: z.string().default('careline:'),
  DATA_DIR: z.string().default('.data'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits').default('AC00000000000000000000000000000000'),
  TWILIO_AUTH_TOKEN: z.string().min(1).default('dev-auth-token'),
  TWILIO_API_URL: z.url().optional(),
  TWILIO_API_KEY_SID: z.string().optional(),
  TWILIO_API_KEY_SECRET: z.string().optional(),
  TWILIO_TWIML_APP_SID: z.string().optional(),
  CARELINE_PHONE_NUMBER: z.string().default('+15550100000'),
  FALLBACK_PHONE_NUMBER: z.string().optional(),
  PRACTICE_NAME: z.string().default('Careline Health'),
  PRACTICE_TIME_ZONE: z.string().default('America/New_York'),
  REMINDER_CALLS_PER_SECOND: z.coerce.number().positive().max(100).default(1),
  REMINDER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10),
  REPORT_SERVICE_LEVEL_SEC: z.coerce.number().int().min(1).max(3600).default(30),
  REPORT_SHORT_ABANDON_SEC: z.coerce.number().int().min(0).max(600).default(5),
  RECORDS_RETENTION_DAYS: z.coerce.number().int().min(1).default(2190),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  SESSION_SECRET: z.string().min(16).default('dev-session-secret-change-me'),
  ROLE: z.enum(['all', 'server', 'worker']).default('all'),
  SEED_DEMO: z.enum(['true', 'false']).default('false'),
});

/** Where `npm run dev` expects the local Twilio's REST API (served by `npm run call`). */
export const DEV_TWILIO_API_URL = 'http://127.0.0.1:4010';

export type Config = z.infer<typeof schema> & { publicBaseUrl: string };

/**
 * Parses the environment; every problem is reported at once.
 * @param env - the variables to read (process.env by default)
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`TWILIO_API_URL=` copied from .env.example) means unset.
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${problems}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production') {
    const missing = (['PUBLIC_BASE_URL', 'DATABASE_URL', 'REDIS_URL'] as const).filter((k) => !c[k]);
    if (c.TWILIO_AUTH_TOKEN === 'dev-auth-token') missing.push('TWILIO_AUTH_TOKEN' as never);
    if (missing.length) throw new Error(`invalid configuration:\n${missing.map((k) => `  ${k}: required in production`).join('\n')}`);
  }
  const publicBaseUrl = (c.PUBLIC_BASE_URL ?? `http://127.0.0.1:${c.PORT}`).replace(/\/$/, '');
  // In development Twilio is the local one: `npm run call` serves its REST API on this port.
  const TWILIO_API_URL = c.TWILIO_API_URL ?? (c.NODE_ENV === 'development' ? DEV_TWILIO_API_URL : undefined);
  return { ...c, TWILIO_API_URL, publicBaseUrl };
}
