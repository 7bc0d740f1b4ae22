import fs from 'node:fs';
import path from 'node:path';

/**
 * The project's root folder (the one holding package.json), found by walking up from this file so
 * the same code works from src/ (tsx, tests) and from dist/src/ (`npm start`).
 */
export const PROJECT_ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
