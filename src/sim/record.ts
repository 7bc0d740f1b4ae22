import type { SimCall } from './call';
import type { Pending } from './call-types';
import type { WebhookParams } from './signature';
import { makeSid, rfc2822 } from './sids';
import { resolveUrl } from './webhook-client';

type RecordPending = Extract<Pending, { kind: 'record' }>;

/**
 * Finishes a `<Record>`: stores the recording, posts the action (its TwiML ignored when the caller hung up),
 * then the recordingStatusCallback and transcribeCallback.
 * @param call - the recording call
 * @param p - the pending Record
 * @param duration - seconds recorded (> 0)
 * @param digits - the finishing key, or `hangup`
 * @param transcript - the transcription text, for transcribe
 * @param hungUp - the caller hung up: notify only, do not continue
 */
export async function postRecording(call: SimCall, p: RecordPending, duration: number, digits: string | undefined, transcript: string | undefined, hungUp: boolean): Promise<void> {
  const sim = call.sim;
  const recordingSid = makeSid('RE');
  const recordingUrl = `${sim.recordingsBaseUrl()}/2010-04-01/Accounts/${sim.accountSid}/Recordings/${recordingSid}`;
  sim.recordings.set(recordingSid, { sid: recordingSid, callSid: call.sid, durationSec: duration, dateCreated: sim.now() });
  const rec: WebhookParams = { RecordingUrl: recordingUrl, RecordingSid: recordingSid, RecordingDuration: String(duration) };
  if (digits) rec.Digits = digits;
  const url = p.verb.action ? resolveUrl(p.verb.action, p.frame.docUrl) : p.frame.docUrl;
  const params = { ...call.callParams(), ...rec };
  let ok = true;
  if (hungUp) await call.notify('action', url, p.verb.method, params);
  else ok = await call.fetchDocument('action', url, p.verb.method, params);
  if (p.verb.recordingStatusCallback) {
    await call.notify('recording-status', resolveUrl(p.verb.recordingStatusCallback, p.frame.docUrl), p.verb.recordingStatusCallbackMethod, {
      AccountSid: sim.accountSid, CallSid: call.sid, RecordingSid: recordingSid, RecordingUrl: recordingUrl,
      RecordingStatus: 'completed', RecordingDuration: String(duration), RecordingChannels: '1',
      RecordingStartTime: rfc2822(sim.now()), RecordingSource: 'RecordVerb', RecordingTrack: 'inbound',
    });
  }
  if (p.verb.transcribe && p.verb.transcribeCallback) {
    await call.notify('transcription', resolveUrl(p.verb.transcribeCallback, p.frame.docUrl), 'POST', {
      ...call.callParams(), TranscriptionSid: makeSid('TR'), TranscriptionText: transcript ?? '', TranscriptionStatus: 'completed',
      TranscriptionUrl: `${sim.recordingsBaseUrl()}/2010-04-01/Accounts/${sim.accountSid}/Transcriptions`, RecordingSid: recordingSid, RecordingUrl: recordingUrl,
    });
  }
  if (!hungUp && ok) await call.drive();
}
