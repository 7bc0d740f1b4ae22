import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { ACCOUNT_SID, AUTH_TOKEN } from './twiml-server';

/** A twilio-node request client that sends every request to the sim instead of Twilio. */
class SimRequestClient extends RequestClient {
  constructor(private readonly target: string, private readonly realOrigin: string) {
    super();
  }
  override request<T>(opts: RequestClient.RequestOptions<T>) {
    return super.request({ ...opts, uri: opts.uri.replace(this.realOrigin, this.target) });
  }
}

/**
 * The real `twilio` client, pointed at the sim's REST API.
 * @param api - the sim's REST base URL (`sim.listen()`)
 */
export function simTwilioClient(api: string): twilio.Twilio {
  const realOrigin = new URL(twilio(ACCOUNT_SID, AUTH_TOKEN).api.baseUrl).origin;
  return twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new SimRequestClient(api, realOrigin) });
}
