import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import type { Config } from '../config';

/**
 * Sends every Twilio REST request to `TWILIO_API_URL` instead of Twilio's hosts (the local Twilio in
 * development and tests). Only the scheme and host change; Twilio's paths stay as they are.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 5000 });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const original = new URL(opts.uri);
    const target = new URL(original.pathname + original.search, this.baseUrl);
    return super.request<TData>({ ...opts, uri: target.toString() });
  }
}

export type TwilioRest = ReturnType<typeof twilio>;

/**
 * The Twilio REST client careline uses everywhere (calls, queues).
 * @param config - account credentials and the optional TWILIO_API_URL override
 */
export function createTwilioRest(config: Config): TwilioRest {
  const httpClient = config.TWILIO_API_URL ? new BaseUrlRequestClient(config.TWILIO_API_URL) : undefined;
  return twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, { httpClient });
}
