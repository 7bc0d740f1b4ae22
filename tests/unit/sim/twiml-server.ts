import express, { type Request } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
export const AUTH_TOKEN = 'sim-test-token';

/** A request the test server received, with its signature checked by the twilio library. */
export interface Received {
  method: string;
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

type Handler = (params: Record<string, string>, req: Request) => string | { status: number; body?: string };

/**
 * A tiny TwiML application for sim tests: `route(path, handler)` answers TwiML; every request is
 * recorded with `twilio.validateRequest` run against it.
 */
export class TwimlServer {
  readonly received: Received[] = [];
  baseUrl = '';
  private readonly routes = new Map<string, Handler>();
  private server?: Server;

  route(path: string, handler: Handler | string): this {
    this.routes.set(path, typeof handler === 'string' ? () => handler : handler);
    return this;
  }

  /** Requests received on a path. */
  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async start(): Promise<string> {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.all(/.*/, (req, res) => {
      const isGet = req.method === 'GET';
      const params = (isGet ? req.query : req.body ?? {}) as Record<string, string>;
      const url = `${this.baseUrl}${req.originalUrl}`;
      const signatureValid = twilio.validateRequest(AUTH_TOKEN, String(req.headers['x-twilio-signature'] ?? ''), url, isGet ? {} : params);
      this.received.push({ method: req.method, path: req.path, params: { ...params }, signatureValid });
      const h = this.routes.get(req.path);
      if (!h) return res.status(404).send('not found');
      const out = h(params, req);
      if (typeof out === 'string') return res.type('text/xml').send(out);
      res.status(out.status).type('text/xml').send(out.body ?? '');
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/** Wraps verbs in a Response document. */
export const twiml = (inner: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
