import type { SimCall } from './call';
import { SimUsageError, type PartyHeard } from './call-types';
import type { SimParticipant } from './conference';

/**
 * Whether `listener` hears `speaker` in their conference, by Twilio's rules: nothing is mixed before the
 * conference starts; a muted or held speaker is heard by nobody; a held listener hears only its hold music;
 * a coach is heard only by the participant it coaches (and hears everyone); otherwise everyone hears everyone.
 * @param speaker - the participant talking
 * @param listener - another participant of the same conference
 */
export function hears(speaker: SimParticipant, listener: SimParticipant): boolean {
  const s = speaker.settings;
  if (speaker === listener || speaker.conference !== listener.conference) return false;
  if (speaker.conference.status !== 'in-progress' || !speaker.connected || !listener.connected) return false;
  if (s.muted || s.hold || listener.settings.hold) return false;
  if (s.coaching) return s.callSidToCoach === listener.callSid;
  return true;
}

function deliver(to: SimCall, item: PartyHeard): void {
  to.partyHeard.push(item);
  to.emit('heard-party', item);
}

/**
 * Routes what a call says to the parties that hear it (audio as text).
 * @param call - the speaking call: a conference participant or the queued side of a `<Dial><Queue>` bridge
 * @param text - what is said
 */
export function routeTalk(call: SimCall, text: string): void {
  const p = call.pending;
  if (p?.kind === 'conference') {
    const me = p.participant;
    const item: PartyHeard = me.settings.label ? { fromCallSid: call.sid, label: me.settings.label, text } : { fromCallSid: call.sid, text };
    for (const other of me.conference.connected()) if (hears(me, other)) deliver(other.call, item);
    return;
  }
  if (p?.kind === 'bridged') {
    const b = p.bridge;
    const other = b.dialer === call ? b.peerCall : b.dialer;
    // A number or a browser client on the far side is not a sim call: nobody to record it on.
    if (other) deliver(other, { fromCallSid: call.sid, text });
    return;
  }
  throw new SimUsageError(`talk() needs the call in a conference or a bridge; it is ${call.waitingFor}`);
}
