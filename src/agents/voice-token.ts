import twilio from 'twilio';
import type { Config } from '../config';

/** Tokens live at most one hour (Twilio's limit for Voice is 24 h; ours is stricter). */
export const VOICE_TOKEN_TTL_SECONDS = 3600;

/** The Voice SDK identity of an agent: what a conference participant `client:agent_<id>` rings. */
export function agentIdentity(agentId: string): string {
  return `agent_${agentId}`;
}

export interface VoiceToken {
  token: string;
  identity: string;
  ttlSec: number;
  expiresAt: string;
}

/** Which settings the browser phone needs that are not set (empty when it can work). */
export function missingVoiceSettings(config: Config): string[] {
  return (['TWILIO_API_KEY_SID', 'TWILIO_API_KEY_SECRET', 'TWILIO_TWIML_APP_SID'] as const).filter((k) => !config[k]);
}

/**
 * An access token with a VoiceGrant for one agent: incoming calls to `agent_<id>`, outgoing calls
 * through the TwiML App.
 * @param config - API key, secret and TwiML App sid (see {@link missingVoiceSettings})
 * @param agentId - the agent the identity is bound to
 * @param now - issue time
 */
export function issueVoiceToken(config: Config, agentId: string, now: Date): VoiceToken {
  const { AccessToken } = twilio.jwt;
  const identity = agentIdentity(agentId);
  const token = new AccessToken(config.TWILIO_ACCOUNT_SID, config.TWILIO_API_KEY_SID!, config.TWILIO_API_KEY_SECRET!, {
    identity,
    ttl: VOICE_TOKEN_TTL_SECONDS,
    nbf: Math.floor(now.getTime() / 1000) - 5,
  });
  token.addGrant(new AccessToken.VoiceGrant({ incomingAllow: true, outgoingApplicationSid: config.TWILIO_TWIML_APP_SID }));
  return {
    token: token.toJwt(),
    identity,
    ttlSec: VOICE_TOKEN_TTL_SECONDS,
    expiresAt: new Date(now.getTime() + VOICE_TOKEN_TTL_SECONDS * 1000).toISOString(),
  };
}
