import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { SimConference, SimParticipant } from './conference';
import { announceTo, releaseParticipant, setHold } from './conference-verb';
import { dialParticipant } from './participants';
import { httpMethod, isAddress, isUrl, list, page, sendError, str } from './rest-util';
import { rfc2822 } from './sids';
import type { TwilioSim } from './sim';
import type { HttpMethod } from './twiml';

const API = '/2010-04-01/Accounts/:accountSid';
const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'];

type Handler = (req: Request, res: Response, next: NextFunction) => void;
type Body = Record<string, unknown>;

/** A boolean form value (`true`/`false`), or the default when absent. */
function flag(v: unknown, dflt: boolean): boolean {
  const s = str(v);
  return s === undefined ? dflt : s.toLowerCase() === 'true';
}

/** HoldMethod defaults to GET, unlike every other method parameter. */
function holdMethod(v: unknown): HttpMethod {
  return str(v)?.toUpperCase() === 'POST' ? 'POST' : 'GET';
}

function conferenceUri(sim: TwilioSim, c: SimConference): string {
  return `/2010-04-01/Accounts/${sim.accountSid}/Conferences/${c.sid}`;
}

/** The Conference resource, snake_case as Twilio returns it. */
function conferenceJson(sim: TwilioSim, c: SimConference): Record<string, unknown> {
  const base = conferenceUri(sim, c);
  return {
    account_sid: sim.accountSid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    api_version: '2010-04-01',
    friendly_name: c.friendlyName,
    region: 'us1',
    sid: c.sid,
    status: c.status,
    uri: `${base}.json`,
    subresource_uris: { participants: `${base}/Participants.json`, recordings: `${base}/Recordings.json` },
    reason_conference_ended: c.reasonConferenceEnded ?? null,
    call_sid_ending_conference: c.callSidEndingConference ?? null,
  };
}

/** The Participant resource, snake_case as Twilio returns it. */
function participantJson(sim: TwilioSim, p: SimParticipant): Record<string, unknown> {
  const s = p.settings;
  return {
    account_sid: sim.accountSid,
    call_sid: p.callSid,
    label: s.label ?? null,
    call_sid_to_coach: s.coaching ? s.callSidToCoach ?? null : null,
    coaching: s.coaching,
    conference_sid: p.conference.sid,
    date_created: rfc2822(p.dateCreated),
    date_updated: rfc2822(p.dateUpdated),
    end_conference_on_exit: s.endConferenceOnExit,
    muted: s.muted,
    hold: s.hold,
    start_conference_on_enter: s.startConferenceOnEnter,
    status: p.status,
    queue_time: null,
    uri: `${conferenceUri(sim, p.conference)}/Participants/${p.callSid}.json`,
  };
}

/**
 * Adds the Conference and Participant resources to the fake REST API, as Twilio documents them:
 * list/fetch/update (Status=completed, AnnounceUrl) conferences; create participants (by conference SID or
 * friendly name, creating the conference), list, fetch, update (Muted, Hold/HoldUrl/HoldMethod, Coaching/CallSidToCoach,
 * EndConferenceOnExit, AnnounceUrl) and delete (kick) them, by CallSid or Label.
 * Not implemented: conference recordings, Record/Trim/Region/Jitter/SIP auth/AMD parameters (accepted, ignored),
 * BeepOnExit, WaitUrl updates, paging beyond one page.
 * @param app - the REST app
 * @param sim - the sim
 * @param account - the account-SID check
 * @param notFound - Twilio's 404 answer
 */
export function mountConferenceRoutes(app: express.Express, sim: TwilioSim, account: Handler, notFound: (req: Request, res: Response) => void): void {
  const bySid = (req: Request): SimConference | undefined => {
    const sid = String(req.params.conferenceSid);
    return sim.conferences.find((c) => c.sid === sid);
  };
  const participant = (req: Request): SimParticipant | undefined => {
    const c = bySid(req);
    return c && c.status !== 'completed' ? c.find(String(req.params.participant)) : undefined;
  };

  app.get(`${API}/Conferences.json`, account, (req, res) => {
    const name = str(req.query.FriendlyName);
    const status = str(req.query.Status);
    const found = sim.conferences.filter((c) => (!name || c.friendlyName === name) && (!status || c.status === status));
    // Twilio lists newest first.
    const items = [...found].reverse().map((c) => conferenceJson(sim, c));
    res.json(page('conferences', `/2010-04-01/Accounts/${sim.accountSid}/Conferences.json`, items));
  });

  // Conferences are created by their first participant; the list resource only reads.
  app.post(`${API}/Conferences.json`, account, (_req, res) => sendError(res, 405, 20004, 'Method not allowed'));

  app.get(`${API}/Conferences/:conferenceSid.json`, account, (req, res) => {
    const c = bySid(req);
    if (!c) return notFound(req, res);
    res.json(conferenceJson(sim, c));
  });

  app.post(`${API}/Conferences/:conferenceSid.json`, account, (req, res) => {
    const c = bySid(req);
    if (!c) return notFound(req, res);
    const b = req.body as Body;
    const status = str(b.Status);
    if (status && status !== 'completed') return sendError(res, 400, 20001, `Invalid Status: ${status}`);
    const announceUrl = str(b.AnnounceUrl);
    if (announceUrl && !isUrl(announceUrl)) return sendError(res, 400, 20001, `AnnounceUrl is not a valid URL: ${announceUrl}`);
    if (announceUrl && c.status !== 'completed') {
      for (const p of c.connected()) announceTo(p, announceUrl, httpMethod(b.AnnounceMethod));
      c.fire('announcement-end');
    }
    if (status === 'completed' && c.status !== 'completed') c.end('conference-ended-via-api');
    res.json(conferenceJson(sim, c));
  });

  app.get(`${API}/Conferences/:conferenceSid/Participants.json`, account, (req, res) => {
    const c = bySid(req);
    if (!c) return notFound(req, res);
    const q = req.query;
    const match = (p: SimParticipant) => (q.Muted === undefined || String(p.settings.muted) === str(q.Muted))
      && (q.Hold === undefined || String(p.settings.hold) === str(q.Hold))
      && (q.Coaching === undefined || String(p.settings.coaching) === str(q.Coaching));
    const items = c.status === 'completed' ? [] : c.participants.filter(match).map((p) => participantJson(sim, p));
    res.json(page('participants', `${conferenceUri(sim, c)}/Participants.json`, items));
  });

  app.post(`${API}/Conferences/:conference/Participants.json`, account, (req, res) => {
    const id = String(req.params.conference);
    // Create is the one place Twilio takes the friendly name too, creating the conference if needed.
    const bySidMatch = id.startsWith('CF') ? sim.conferences.find((c) => c.sid === id) : undefined;
    if (bySidMatch?.status === 'completed') return sendError(res, 400, 20001, `Conference ${id} is completed`);
    const b = req.body as Body;
    const to = str(b.To);
    const from = str(b.From);
    if (!to) return sendError(res, 400, 21201, "No 'To' number is specified");
    if (!isAddress(to)) return sendError(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!from) return sendError(res, 400, 21603, "A 'From' phone number is required.");
    if (!isAddress(from)) return sendError(res, 400, 21212, `Invalid 'From' Phone Number: ${from}`);
    const coaching = flag(b.Coaching, false);
    const callSidToCoach = str(b.CallSidToCoach);
    if (coaching && !callSidToCoach) return sendError(res, 400, 20001, 'CallSidToCoach is required when Coaching is true');
    const statusCallback = str(b.StatusCallback);
    if (statusCallback && !isUrl(statusCallback)) return sendError(res, 400, 20001, `StatusCallback is not a valid URL: ${statusCallback}`);
    const confCallback = str(b.ConferenceStatusCallback);
    if (confCallback && !isUrl(confCallback)) return sendError(res, 400, 20001, `ConferenceStatusCallback is not a valid URL: ${confCallback}`);
    const confEvents = b.ConferenceStatusCallbackEvent === undefined ? ['start', 'end'] : list(b.ConferenceStatusCallbackEvent);
    const badEvent = confEvents.find((e) => !CONFERENCE_EVENTS.includes(e));
    if (badEvent) return sendError(res, 400, 20001, `Invalid ConferenceStatusCallbackEvent: ${badEvent}`);
    const beep = str(b.Beep) ?? 'true';
    if (!['true', 'false', 'onEnter', 'onExit'].includes(beep)) return sendError(res, 400, 20001, `Invalid Beep: ${beep}`);
    const timeout = Number(str(b.Timeout) ?? 60);
    const conference = bySidMatch ?? (id.startsWith('CF') ? undefined : sim.conferenceNamed(id, true));
    if (!conference) return notFound(req, res);
    const p = dialParticipant(sim, conference, {
      from,
      to,
      timeout: Number.isInteger(timeout) ? Math.min(Math.max(timeout, 5), 600) : 60,
      statusCallback,
      statusCallbackMethod: httpMethod(b.StatusCallbackMethod),
      statusCallbackEvents: b.StatusCallbackEvent === undefined ? ['completed'] : list(b.StatusCallbackEvent),
      settings: {
        label: str(b.Label),
        muted: flag(b.Muted, false),
        hold: false,
        holdMethod: 'GET',
        coaching,
        callSidToCoach,
        startConferenceOnEnter: flag(b.StartConferenceOnEnter, true),
        endConferenceOnExit: flag(b.EndConferenceOnExit, false),
        beep: beep as 'true',
        waitUrl: typeof b.WaitUrl === 'string' ? b.WaitUrl : undefined,
        waitMethod: httpMethod(b.WaitMethod),
        conferenceCallback: confCallback
          ? { url: confCallback, method: httpMethod(b.ConferenceStatusCallbackMethod), events: confEvents }
          : undefined,
      },
    });
    res.status(201).json(participantJson(sim, p));
  });

  const one = `${API}/Conferences/:conferenceSid/Participants/:participant.json`;

  app.get(one, account, (req, res) => {
    const p = participant(req);
    if (!p) return notFound(req, res);
    res.json(participantJson(sim, p));
  });

  app.post(one, account, (req, res) => {
    const p = participant(req);
    if (!p) return notFound(req, res);
    const b = req.body as Body;
    const s = p.settings;
    for (const key of ['HoldUrl', 'AnnounceUrl'] as const) {
      const u = str(b[key]);
      if (u && !isUrl(u)) return sendError(res, 400, 20001, `${key} is not a valid URL: ${u}`);
    }
    const coaching = b.Coaching === undefined ? s.coaching : flag(b.Coaching, false);
    const coachSid = str(b.CallSidToCoach) ?? s.callSidToCoach;
    if (coaching && !coachSid) return sendError(res, 400, 20001, 'CallSidToCoach is required when Coaching is true');
    const c = p.conference;
    if (str(b.HoldUrl)) s.holdUrl = str(b.HoldUrl);
    if (b.HoldMethod !== undefined || str(b.HoldUrl)) s.holdMethod = holdMethod(b.HoldMethod);
    if (b.Muted !== undefined && flag(b.Muted, false) !== s.muted) {
      s.muted = flag(b.Muted, false);
      c.touch();
      c.fire(s.muted ? 'participant-mute' : 'participant-unmute', p);
    }
    if (b.Hold !== undefined) setHold(p, flag(b.Hold, false));
    const endOnExit = b.EndConferenceOnExit === undefined ? s.endConferenceOnExit : flag(b.EndConferenceOnExit, false);
    if (coaching !== s.coaching || (coaching && coachSid !== s.callSidToCoach) || endOnExit !== s.endConferenceOnExit) {
      s.coaching = coaching;
      s.callSidToCoach = coaching ? coachSid : undefined;
      s.endConferenceOnExit = endOnExit;
      c.touch();
      c.fire('participant-modify', p);
    }
    const announceUrl = str(b.AnnounceUrl);
    if (announceUrl) announceTo(p, announceUrl, httpMethod(b.AnnounceMethod));
    p.dateUpdated = sim.now();
    res.json(participantJson(sim, p));
  });

  app.delete(one, account, (req, res) => {
    const p = participant(req);
    if (!p) return notFound(req, res);
    p.conference.remove(p, 'kicked');
    releaseParticipant(p);
    res.status(204).end();
  });
}
