import winston from 'winston';

// PHI never reaches a log line: phone numbers keep their last 4 digits; names, birth dates, Rx
// numbers, speech, digits and tokens are masked by key, and date- or phone-shaped text by pattern.
const SENSITIVE_KEYS = /^(name|givenName|familyName|fullName|patientName|firstName|lastName|birthDate|dob|dateOfBirth|rx|rxNumber|drug|medication|speechResult|SpeechResult|unstableSpeechResult|Digits|digits|token|password|passwordHash|accessToken|notes|address|postalCode|zip|transcript|TranscriptionText)$/i;
const PHONE_KEYS = /^(from|to|phone|caller|called|e164|From|To|Caller|Called|ForwardedFrom|number)$/i;
// Not inside a longer token, so sids (CA…) and ISO timestamps are not taken for phone numbers.
const PHONE_RE = /(?<![\w:.-])\+?\d[\d\s().-]{8,}\d(?![\w:])/g;
// Keys whose values are identifiers or log metadata, never PHI.
const SAFE_KEYS = /^(timestamp|level|.*Sid|.*sid|id|.*Id|key|jobId)$/;
const DATE_RE = /\b(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{2,4})\b/g;

/** Masks a phone number, keeping only its last 4 digits. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `***${digits.slice(-4)}`;
}

function redactString(s: string): string {
  return s.replace(DATE_RE, '[date]').replace(PHONE_RE, (m) => maskPhone(m));
}

/**
 * Returns a copy of a value with PHI masked.
 * @param value - anything that may be logged
 */
export function redact(value: unknown, key = '', depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') {
    if (SAFE_KEYS.test(key) && !SENSITIVE_KEYS.test(key)) return value;
    if (SENSITIVE_KEYS.test(key)) return '[redacted]';
    if (PHONE_KEYS.test(key)) return maskPhone(value);
    return redactString(value);
  }
  if (typeof value === 'number') return SENSITIVE_KEYS.test(key) ? '[redacted]' : value;
  if (value instanceof Date) return SENSITIVE_KEYS.test(key) ? '[redacted]' : value.toISOString();
  if (value instanceof Error) return { message: redactString(value.message), name: value.name };
  if (Array.isArray(value)) return value.map((v) => redact(v, key, depth + 1));
  if (typeof value === 'object') {
    if (SENSITIVE_KEYS.test(key)) return '[redacted]';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, k, depth + 1);
    return out;
  }
  return value;
}

const redaction = winston.format((info) => {
  const symbols = Object.getOwnPropertySymbols(info);
  const clean = redact({ ...info }) as winston.Logform.TransformableInfo;
  for (const s of symbols) (clean as unknown as Record<symbol, unknown>)[s] = (info as unknown as Record<symbol, unknown>)[s];
  return clean;
});

const pretty = winston.format.printf(({ level, message, timestamp, callSid, ...rest }) => {
  const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
  return `${timestamp} ${level}${callSid ? ` [${callSid}]` : ''} ${message}${extra}`;
});

/**
 * Builds the process logger.
 * @param level - winston level
 * @param format - json (production) or pretty (development)
 * @param stream - optional destination (tests capture lines here)
 */
export function createLogger(level = 'info', format: 'json' | 'pretty' = 'json', stream?: NodeJS.WritableStream): winston.Logger {
  const transport = stream ? new winston.transports.Stream({ stream }) : new winston.transports.Console({ stderrLevels: ['error'] });
  return winston.createLogger({
    level,
    format: winston.format.combine(
      winston.format.timestamp(),
      redaction(),
      format === 'json' ? winston.format.json() : winston.format.combine(winston.format.colorize(), pretty),
    ),
    transports: [transport],
  });
}

const defaultFormat = process.env.LOG_FORMAT === 'pretty' || (process.env.NODE_ENV === 'development' && process.env.LOG_FORMAT !== 'json') ? 'pretty' : 'json';

/** The process-wide logger; call `logger.child({ callSid })` for one call's lines. */
export const logger = createLogger(process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'), defaultFormat);

export type Logger = winston.Logger;
