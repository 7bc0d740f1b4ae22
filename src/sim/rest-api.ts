import express, { type NextFunction, type Request, type Response } from 'express';
import type { SimCall } from './call';
import type { SimQueue } from './queues';
import { rfc2822 } from './sids';
import type { OutboundCallRequest, TwilioSim } from './sim';
import { httpMethod, isAddress, isUrl, page, sendError, str, list } from './rest-util';
import { mountConferenceRoutes } from './conference-rest';

const API = '/2010-04-01/Accounts/:accountSid';

/** The Call resource, snake_case as Twilio returns it. */
function callJson(sim: TwilioSim, c: SimCall): Record<string, unknown> {
  const base = `/2010-04-01/Accounts/${sim.accountSid}/Calls/${c.sid}`;
  const duration = c.answeredAt && c.endTime ? String(Math.round((c.endTime.getTime() - c.answeredAt.getTime()) / 1000)) : null;
  return {
    sid: c.sid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.endTime ?? c.startTime ?? c.dateCreated),
    parent_call_sid: c.init.parentCallSid ?? null,
    account_sid: sim.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: null,
    status: c.status,
    start_time: c.startTime ? rfc2822(c.startTime) : null,
    end_time: c.endTime ? rfc2822(c.endTime) : null,
    duration,
    price: null,
    price_unit: 'USD',
    direction: c.direction,
    answered_by: c.answeredBy ?? null,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${base}.json`,
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      payments: `${base}/Payments.json`,
      events: `${base}/Events.json`,
      siprec: `${base}/Siprec.json`,
      streams: `${base}/Streams.json`,
      user_defined_message_subscriptions: `${base}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${base}/UserDefinedMessages.json`,
    },
  };
}

function queueJson(sim: TwilioSim, q: SimQueue): Record<string, unknown> {
  return {
    sid: q.sid,
    friendly_name: q.friendlyName,
    current_size: q.currentSize,
    max_size: q.maxSize,
    average_wait_time: q.averageWait(),
    account_sid: sim.accountSid,
    date_created: rfc2822(q.dateCreated),
    date_updated: rfc2822(q.dateCreated),
    uri: `/2010-04-01/Accounts/${sim.accountSid}/Queues/${q.sid}.json`,
  };
}

function memberJson(sim: TwilioSim, q: SimQueue, callSid: string): Record<string, unknown> {
  const m = q.members.find((x) => x.callSid === callSid)!;
  return {
    call_sid: callSid,
    date_enqueued: rfc2822(m.dateEnqueued),
    position: q.positionOf(callSid),
    uri: `/2010-04-01/Accounts/${sim.accountSid}/Queues/${q.sid}/Members/${callSid}.json`,
    wait_time: Math.max(0, Math.round((sim.now().getTime() - m.dateEnqueued.getTime()) / 1000)),
    queue_sid: q.sid,
  };
}


/**
 * Builds the fake Twilio REST API (2010-04-01 Calls and Queues) over a sim: HTTP Basic auth with the
 * account SID and auth token or an API key, Twilio's paths, JSON shapes and error bodies.
 * @param sim - the sim whose calls and queues it serves
 */
export function buildRestApi(sim: TwilioSim): express.Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));

  app.use('/2010-04-01', (req: Request, res: Response, next: NextFunction) => {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [user, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString().split(':') : [];
    const pass = rest.join(':');
    const ok = (user === sim.accountSid && pass === sim.authToken) || (!!user && user.startsWith('SK') && sim.apiKeys[user] === pass);
    if (!ok) return sendError(res, 401, 20003, 'Authenticate');
    const fault = sim.takeFault(req.method, req.originalUrl);
    if (fault) return sendError(res, fault, fault === 429 ? 20429 : 20500, fault === 429 ? 'Too Many Requests' : 'Service Unavailable');
    next();
  });

  const account = (req: Request, res: Response, next: NextFunction) => {
    if (req.params.accountSid !== sim.accountSid) return sendError(res, 404, 20404, `The requested resource ${req.path} was not found`);
    next();
  };
  const notFound = (req: Request, res: Response) => sendError(res, 404, 20404, `The requested resource ${req.originalUrl.split('?')[0]} was not found`);

  app.post(`${API}/Calls.json`, account, (req, res) => {
    const b = req.body as Record<string, unknown>;
    const to = str(b.To);
    const from = str(b.From);
    const url = str(b.Url);
    const twiml = str(b.Twiml);
    if (!to) return sendError(res, 400, 21201, "No 'To' number is specified");
    if (!isAddress(to)) return sendError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!from) return sendError(res, 400, 21603, "A 'From' phone number is required.");
    if (!isAddress(from)) return sendError(res, 400, 21212, `Invalid 'From' Phone Number: ${from}`);
    if (!url && !twiml) return sendError(res, 400, 21205, 'Url parameter is required.');
    if (url && !isUrl(url)) return sendError(res, 400, 21205, `Url is not a valid URL: ${url}`);
    const md = str(b.MachineDetection);
    if (md && md !== 'Enable' && md !== 'DetectMessageEnd') return sendError(res, 400, 21626, `Invalid MachineDetection: ${md}`);
    const timeout = Number(str(b.Timeout) ?? 60);
    const request: OutboundCallRequest = {
      to,
      from,
      url,
      method: httpMethod(b.Method),
      twiml,
      statusCallback: str(b.StatusCallback),
      statusCallbackMethod: httpMethod(b.StatusCallbackMethod),
      statusCallbackEvents: b.StatusCallbackEvent === undefined ? ['completed'] : list(b.StatusCallbackEvent),
      machineDetection: md as OutboundCallRequest['machineDetection'],
      asyncAmd: str(b.AsyncAmd) === 'true',
      asyncAmdStatusCallback: str(b.AsyncAmdStatusCallback),
      asyncAmdStatusCallbackMethod: httpMethod(b.AsyncAmdStatusCallbackMethod),
      timeout: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 600) : 60,
      sendDigits: str(b.SendDigits),
    };
    const call = sim.createOutbound(request);
    res.status(201).json(callJson(sim, call));
  });

  app.get(`${API}/Calls.json`, account, (req, res) => {
    const to = str(req.query.To);
    const status = str(req.query.Status);
    const calls = sim.calls.filter((c) => (!to || c.to === to) && (!status || c.status === status));
    res.json(page('calls', `/2010-04-01/Accounts/${sim.accountSid}/Calls.json`, calls.map((c) => callJson(sim, c))));
  });

  app.get(`${API}/Calls/:callSid.json`, account, (req, res) => {
    const call = sim.call(String(req.params.callSid));
    if (!call) return notFound(req, res);
    res.json(callJson(sim, call));
  });

  app.post(`${API}/Calls/:callSid.json`, account, async (req, res) => {
    const call = sim.call(String(req.params.callSid));
    if (!call) return notFound(req, res);
    const b = req.body as Record<string, unknown>;
    const status = str(b.Status);
    const url = str(b.Url);
    const twiml = str(b.Twiml);
    if (status === 'canceled') {
      // Twilio only cancels calls that are not yet answered.
      if (['queued', 'initiated', 'ringing'].includes(call.status)) {
        call.status = 'canceled';
        await call.schedule(() => call.finish('canceled'));
      }
      return res.json(callJson(sim, call));
    }
    if (status === 'completed') {
      await call.schedule(() => call.terminate('completed'));
      return res.json(callJson(sim, call));
    }
    if (status) return sendError(res, 400, 21218, `Invalid Status: ${status}`);
    if (!url && !twiml) return sendError(res, 400, 21205, 'Url parameter is required.');
    if (call.ended) return sendError(res, 400, 21220, 'Call is not in-progress. Cannot redirect.');
    void call.schedule(() => call.redirectTo(url ?? sim.baseUrl, httpMethod(b.Method), twiml));
    res.json(callJson(sim, call));
  });

  // Recordings: read one, or delete it (Twilio answers 204 with no body).
  app.get(`${API}/Recordings/:recordingSid.json`, account, (req, res) => {
    const r = sim.recordings.get(String(req.params.recordingSid));
    if (!r) return notFound(req, res);
    res.json({ sid: r.sid, account_sid: sim.accountSid, call_sid: r.callSid, duration: String(r.durationSec), status: 'completed', channels: 1, source: 'RecordVerb', date_created: rfc2822(r.dateCreated), uri: `/2010-04-01/Accounts/${sim.accountSid}/Recordings/${r.sid}.json` });
  });
  app.delete(`${API}/Recordings/:recordingSid.json`, account, (req, res) => {
    if (!sim.recordings.delete(String(req.params.recordingSid))) return notFound(req, res);
    res.status(204).end();
  });

  app.post(`${API}/Queues.json`, account, (req, res) => {
    const b = req.body as Record<string, unknown>;
    const name = str(b.FriendlyName);
    if (!name || name.length > 64) return sendError(res, 400, 20001, 'FriendlyName is required (1-64 characters)');
    const q = sim.queueNamed(name, true)!;
    const max = Number(str(b.MaxSize));
    if (Number.isInteger(max) && max > 0) q.maxSize = Math.min(max, 5000);
    res.status(201).json(queueJson(sim, q));
  });

  app.get(`${API}/Queues.json`, account, (_req, res) => {
    res.json(page('queues', `/2010-04-01/Accounts/${sim.accountSid}/Queues.json`, [...sim.queues.values()].map((q) => queueJson(sim, q))));
  });

  app.get(`${API}/Queues/:queueSid.json`, account, (req, res) => {
    const q = sim.queueBySid(String(req.params.queueSid));
    if (!q) return notFound(req, res);
    res.json(queueJson(sim, q));
  });

  app.post(`${API}/Queues/:queueSid.json`, account, (req, res) => {
    const q = sim.queueBySid(String(req.params.queueSid));
    if (!q) return notFound(req, res);
    const b = req.body as Record<string, unknown>;
    const name = str(b.FriendlyName);
    if (name && name !== q.friendlyName) {
      sim.queues.delete(q.friendlyName);
      q.friendlyName = name;
      sim.queues.set(name, q);
    }
    const max = Number(str(b.MaxSize));
    if (Number.isInteger(max) && max > 0) q.maxSize = Math.min(max, 5000);
    res.json(queueJson(sim, q));
  });

  app.get(`${API}/Queues/:queueSid/Members.json`, account, (req, res) => {
    const q = sim.queueBySid(String(req.params.queueSid));
    if (!q) return notFound(req, res);
    const uri = `/2010-04-01/Accounts/${sim.accountSid}/Queues/${q.sid}/Members.json`;
    res.json(page('queue_members', uri, q.members.map((m) => memberJson(sim, q, m.callSid))));
  });

  const member = (req: Request): { q: SimQueue; callSid: string } | undefined => {
    const q = sim.queueBySid(String(req.params.queueSid));
    if (!q) return undefined;
    const id = String(req.params.callSid);
    const callSid = id === 'Front' ? q.members[0]?.callSid : q.members.find((m) => m.callSid === id)?.callSid;
    return callSid ? { q, callSid } : undefined;
  };

  app.get(`${API}/Queues/:queueSid/Members/:callSid.json`, account, (req, res) => {
    const m = member(req);
    if (!m) return notFound(req, res);
    res.json(memberJson(sim, m.q, m.callSid));
  });

  app.post(`${API}/Queues/:queueSid/Members/:callSid.json`, account, (req, res) => {
    const m = member(req);
    if (!m) return notFound(req, res);
    const b = req.body as Record<string, unknown>;
    const url = str(b.Url);
    if (!url || !isUrl(url)) return sendError(res, 400, 21205, 'Url parameter is required.');
    const body = memberJson(sim, m.q, m.callSid);
    const call = sim.call(m.callSid)!;
    // The member leaves the queue now; its call then fetches Url.
    const waited = m.q.remove(m.callSid, sim.now());
    if (call.queueState) call.queueState.removedWait = waited;
    void call.schedule(() => call.dequeueTo(url, httpMethod(b.Method)));
    res.json(body);
  });

  mountConferenceRoutes(app, sim, account, notFound);

  app.use((req: Request, res: Response) => notFound(req, res));
  return app;
}
