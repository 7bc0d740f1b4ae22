import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context';
import { YamlSource, type FlowIssue } from '../flow/yaml-source';
import { routingSchema, type RoutingConfig } from './config-schema';
import { PROJECT_ROOT } from '../paths';

/** The routing file that ships with careline. */
export const DEFAULT_ROUTING_FILE = 'src/routing/routing.yaml';

/** Raised when a routing file is invalid; `issues` carry file and line. */
export class RoutingConfigError extends Error {
  constructor(readonly issues: FlowIssue[]) {
    super(`invalid routing config:\n${issues.map((i) => `  ${i.file}:${i.line}: ${i.message}`).join('\n')}`);
  }
}

/**
 * Parses and validates routing YAML; every problem is reported with its line.
 * @param text - the YAML
 * @param file - the name used in messages
 */
export function parseRoutingConfig(text: string, file = 'routing.yaml'): RoutingConfig {
  const src = new YamlSource(file, text);
  const syntax = src.syntaxIssues();
  if (syntax.length) throw new RoutingConfigError(syntax);
  const result = routingSchema.safeParse(src.data());
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => {
    const unknownKey = i.code === 'unrecognized_keys' ? i.keys[0] : undefined;
    const where = i.path.join('.');
    return {
      file,
      line: src.lineOf(i.path as PropertyKey[], unknownKey),
      message: unknownKey ? `unknown key "${unknownKey}"${where ? ` in ${where}` : ''}` : `${where || 'file'}: ${i.message}`,
    };
  });
  throw new RoutingConfigError(issues);
}

/** Reads and validates a routing file (default: the one that ships with careline). */
export function loadRoutingFile(file = path.join(PROJECT_ROOT, DEFAULT_ROUTING_FILE)): RoutingConfig {
  return parseRoutingConfig(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file);
}

// One routing config per Context: the process's, or a test's own.
const configs = new WeakMap<Context, RoutingConfig>();

/** The routing config in force for a context (loaded from the default file on first use). */
export function routingConfig(ctx: Context): RoutingConfig {
  let cfg = configs.get(ctx);
  if (!cfg) {
    cfg = loadRoutingFile();
    configs.set(ctx, cfg);
  }
  return cfg;
}

/**
 * Makes a context route by another config (tests with tiny timeouts; a reload).
 * @param cfg - a validated config
 */
export function useRoutingConfig(ctx: Context, cfg: RoutingConfig): void {
  configs.set(ctx, cfg);
}
