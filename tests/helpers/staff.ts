import request from 'supertest';
import type { Db } from '../../src/db/client';
import { hashPassword } from '../../src/agents/passwords';
import type { StaffRole } from '../../src/agents/sessions';
import type { TestApp } from './app';

export const DEMO_PASSWORD = 'careline-demo';

export interface LoggedIn {
  /** supertest agent carrying the session cookie */
  agent: InstanceType<typeof request.agent>;
  /** send as X-CSRF-Token on every state-changing request */
  csrf: string;
  agentId: string;
}

/**
 * Logs a staff member in through the real API.
 * @param app - the running test app
 * @param email - the agent's email
 * @param password - defaults to the demo password
 */
export async function loginAs(app: TestApp, email: string, password = DEMO_PASSWORD): Promise<LoggedIn> {
  const agent = request.agent(app.server);
  const res = await agent.post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrfToken as string, agentId: res.body.agentId as string };
}

export interface NewAgent {
  email: string;
  name: string;
  roles?: StaffRole[];
  skills?: Record<string, number>;
  password?: string;
}

/**
 * Creates an agent row (password hashed with a low bcrypt cost, for speed).
 * @returns the created agent
 */
export async function createAgent(db: Db, a: NewAgent) {
  return db.agent.create({
    data: {
      email: a.email.toLowerCase(),
      name: a.name,
      roles: a.roles ?? ['agent'],
      skills: a.skills ?? { en: 5, general: 3 },
      passwordHash: await hashPassword(a.password ?? DEMO_PASSWORD, 4),
    },
  });
}
