import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context';
import { setAgentState } from '../routing/presence';
import { HttpError, parseBody, route } from './http-errors';
import { verifyPassword } from './passwords';
import { clearLoginFailures, loginBlockedFor, recordLoginFailure } from './rate-limit';
import {
  cookieValue,
  createSession,
  csrfMatches,
  destroySession,
  readSession,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  STAFF_ROLES,
  type Staff,
  type StaffRole,
  type StaffSession,
} from './sessions';

const loginBody = z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(200) });
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function setSessionCookie(ctx: Context, res: Response, value: string, maxAgeSec: number): void {
  res.cookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.config.publicBaseUrl.startsWith('https:'),
    path: '/',
    maxAge: maxAgeSec * 1000,
  });
}

function toRoles(roles: string[]): StaffRole[] {
  return roles.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r));
}

function publicView(s: StaffSession) {
  return { agentId: s.agentId, email: s.email, name: s.name, roles: s.roles, csrfToken: s.csrfToken };
}

/** The session of a request, looked up once and cached on res.locals. */
async function sessionOf(ctx: Context, req: Request, res: Response): Promise<StaffSession | null> {
  if (res.locals.session !== undefined) return res.locals.session as StaffSession | null;
  const session = await readSession(ctx, cookieValue(req.headers.cookie, SESSION_COOKIE));
  res.locals.session = session;
  return session;
}

/**
 * Guards a staff route: 401 without a session, 403 without one of `roles` (any role when none are
 * given) or, on a state-changing request, without the session's `X-CSRF-Token`. Sets
 * `res.locals.staff` (read it with {@link staffOf}).
 * @param roles - roles allowed; admins are always allowed
 */
export function requireStaff(ctx: Context, ...roles: StaffRole[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    sessionOf(ctx, req, res)
      .then((session) => {
        if (!session) throw new HttpError(401, 'not logged in');
        if (!SAFE_METHODS.has(req.method) && !csrfMatches(session, req.header('x-csrf-token'))) throw new HttpError(403, 'missing or wrong X-CSRF-Token');
        const allowed = roles.length === 0 || session.roles.some((r) => r === 'admin' || roles.includes(r));
        if (!allowed) throw new HttpError(403, `requires role ${roles.join(' or ')}`);
        const staff: Staff = { agentId: session.agentId, email: session.email, name: session.name, roles: session.roles };
        res.locals.staff = staff;
        next();
      })
      .catch(next);
  };
}

/**
 * The staff member `requireStaff` admitted.
 * @param res - the response whose locals carry the staff
 */
export function staffOf(res: Response): Staff {
  const staff = res.locals.staff as Staff | undefined;
  if (!staff) throw new HttpError(401, 'not logged in');
  return staff;
}

/** `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/auth/me`. Mounted at /api/auth. */
export function authRouter(ctx: Context): Router {
  const router = Router();

  router.post(
    '/login',
    route(async (req, res) => {
      if (!req.is('application/json')) throw new HttpError(415, 'send JSON');
      const { email, password } = parseBody(loginBody, req.body);
      const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const wait = await loginBlockedFor(ctx, ip, email);
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        throw new HttpError(429, 'too many failed logins; try again later');
      }
      const agent = await ctx.db.agent.findUnique({ where: { email } });
      const ok = await verifyPassword(password, agent?.active ? agent.passwordHash : undefined);
      if (!agent || !ok) {
        await recordLoginFailure(ctx, ip, email);
        ctx.log.info('staff login refused', { ip });
        throw new HttpError(401, 'wrong email or password');
      }
      await clearLoginFailures(ctx, ip, email);
      const { sid, session } = await createSession(ctx, { agentId: agent.id, email: agent.email, name: agent.name, roles: toRoles(agent.roles) });
      setSessionCookie(ctx, res, sid, SESSION_TTL_SECONDS);
      ctx.log.info('staff logged in', { agentId: agent.id });
      res.json(publicView(session));
    }),
  );

  router.post(
    '/logout',
    requireStaff(ctx),
    route(async (req, res) => {
      const sid = cookieValue(req.headers.cookie, SESSION_COOKIE);
      if (sid) await destroySession(ctx, sid);
      // Nobody is left to answer: an available agent goes offline (one holding a call stays as is).
      await setAgentState(ctx, staffOf(res).agentId, 'offline', { reason: 'logout' });
      setSessionCookie(ctx, res, '', 0);
      res.json({ ok: true });
    }),
  );

  router.get(
    '/me',
    route(async (req, res) => {
      const session = await sessionOf(ctx, req, res);
      if (!session) throw new HttpError(401, 'not logged in');
      res.json(publicView(session));
    }),
  );

  return router;
}
