import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from '../context';

/** Staff roles, least to most powerful. */
export const STAFF_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who is behind a request, as `requireStaff` puts it in `res.locals.staff`. */
export interface Staff {
  agentId: string;
  email: string;
  name: string;
  roles: StaffRole[];
}

/** A logged-in browser session, kept in Redis. */
export interface StaffSession extends Staff {
  csrfToken: string;
  createdAt: string;
}

export const SESSION_COOKIE = 'careline_sid';
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

// Redis holds only a hash of the session id: a leaked key listing does not leak live cookies.
function sessionKey(sid: string): string {
  return `session:${createHash('sha256').update(sid).digest('hex')}`;
}

/**
 * Starts a session for a staff member.
 * @returns the session id (the cookie value) and the session
 */
export async function createSession(ctx: Context, staff: Staff): Promise<{ sid: string; session: StaffSession }> {
  const sid = randomBytes(32).toString('base64url');
  const session: StaffSession = { ...staff, csrfToken: randomBytes(24).toString('base64url'), createdAt: ctx.clock.now().toISOString() };
  await ctx.redis.set(sessionKey(sid), JSON.stringify(session), 'EX', SESSION_TTL_SECONDS);
  await ctx.redis.sadd(`sessions:agent:${staff.agentId}`, sessionKey(sid));
  return { sid, session };
}

/** The session behind a cookie value, or null when unknown or expired. */
export async function readSession(ctx: Context, sid: string | undefined): Promise<StaffSession | null> {
  if (!sid || sid.length > 128) return null;
  const raw = await ctx.redis.get(sessionKey(sid));
  return raw ? (JSON.parse(raw) as StaffSession) : null;
}

/** Ends a session (logout). */
export async function destroySession(ctx: Context, sid: string): Promise<void> {
  await ctx.redis.del(sessionKey(sid));
}

/** Ends every session of a staff member (deactivated account). */
export async function destroyAgentSessions(ctx: Context, agentId: string): Promise<void> {
  const keys = await ctx.redis.smembers(`sessions:agent:${agentId}`);
  if (keys.length) await ctx.redis.del(...keys);
  await ctx.redis.del(`sessions:agent:${agentId}`);
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: StaffSession, submitted: string | undefined): boolean {
  if (!submitted) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads one cookie from a Cookie header (no dependency for one value). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
