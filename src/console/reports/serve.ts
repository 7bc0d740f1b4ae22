import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

// The page's files sit beside this module in the source tree; a compiled build (dist/) runs from
// elsewhere, so look beside the module first, then in the source tree.
function pageDir(): string {
  const candidates = [__dirname, path.resolve(__dirname, '../../../../src/console/reports')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'index.html'))) ?? __dirname;
}

/**
 * Serves the supervisor reports page (static HTML/JS/CSS, no CDN); mount at /console/reports.
 * The data comes from /api/reports with the supervisor's session.
 */
export function reportsPageRouter(): Router {
  const router = Router();
  router.use(
    express.static(pageDir(), {
      index: 'index.html',
      extensions: ['html'],
      setHeaders: (res) => {
        res.set('Cache-Control', 'no-cache');
        res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
        res.set('X-Content-Type-Options', 'nosniff');
      },
    }),
  );
  return router;
}
