import path from 'node:path';
import express, { Router } from 'express';
import type { Context } from '../context';
import { PROJECT_ROOT } from '../paths';

// The agent and supervisor pages: static HTML/JS/CSS, no build step. The Voice SDK is served from
// its npm package. A strict Content-Security-Policy allows scripts only from here and network
// access only to careline and Twilio's voice endpoints.
// From src/console or the compiled dist/src/console: the pages stay in the checkout (tsc does not copy them).
const STATIC_DIR = path.join(PROJECT_ROOT, 'src', 'console', 'static');
const VOICE_SDK = voiceSdkBundle();
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' https://sdk.twilio.com https://media.twiliocdn.com",
  "connect-src 'self' wss://*.twilio.com https://*.twilio.com",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The SDK's browser bundle (its package.json `exports` hide the path, so walk up from the entry). */
function voiceSdkBundle(): string {
  let dir = path.dirname(require.resolve('@twilio/voice-sdk'));
  while (path.basename(dir) !== 'voice-sdk' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'twilio.min.js');
}

/** `/console` (agent), `/console/supervisor`, their assets, and `/console/vendor/twilio-voice.min.js`. */
export function consoleRouter(_ctx: Context): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-cache' });
    next();
  });
  // `/console` and `/console/` are the same page; the slash keeps its relative asset URLs right.
  router.get('/', (req, res, next) => {
    if (req.originalUrl.split('?')[0].endsWith('/')) return next();
    res.redirect(301, `${req.baseUrl}/`);
  });
  router.get('/vendor/twilio-voice.min.js', (_req, res) => {
    res.type('application/javascript').sendFile(VOICE_SDK);
  });
  router.get('/supervisor', (_req, res) => {
    res.sendFile(path.join(STATIC_DIR, 'supervisor.html'));
  });
  router.use(express.static(STATIC_DIR, { index: 'index.html', redirect: false }));
  return router;
}
