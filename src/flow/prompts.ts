import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGES, promptFile, type Language } from './schema';
import type { VarValue } from './session';
import { YamlSource, type FlowIssue } from './yaml-source';

/** How one language is spoken: the TwiML voice and language (Say, Gather). */
export interface Locale {
  voice: string;
  language: string;
}

/** Every prompt text per language, with where each was defined. */
export interface PromptCatalog {
  locales: Record<Language, Locale>;
  texts: Record<Language, Map<string, { text: string; file: string; line: number }>>;
}

const DEFAULT_LOCALES: Record<Language, Locale> = {
  en: { voice: 'Polly.Joanna', language: 'en-US' },
  es: { voice: 'Polly.Lupe', language: 'es-US' },
};

/**
 * Reads `<lang>.yaml` and `<topic>.<lang>.yaml` from a prompts folder (other modules add their own
 * topic files, e.g. `reminders.en.yaml`). A key defined twice for one language is an error.
 * @param dir - flows/prompts
 * @param issues - problems are appended here
 */
export function loadPrompts(dir: string, issues: FlowIssue[]): PromptCatalog {
  const catalog: PromptCatalog = {
    locales: { ...DEFAULT_LOCALES },
    texts: { en: new Map(), es: new Map() },
  };
  if (!fs.existsSync(dir)) return catalog;
  for (const name of fs.readdirSync(dir).sort()) {
    const m = /^(?:[a-z0-9-]+\.)?([a-z]{2})\.ya?ml$/.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const lang = m[1] as Language;
    if (!LANGUAGES.includes(lang)) {
      issues.push({ file, line: 1, message: `unsupported language "${lang}" (supported: ${LANGUAGES.join(', ')})` });
      continue;
    }
    const src = new YamlSource(file, fs.readFileSync(file, 'utf8'));
    const syntax = src.syntaxIssues();
    if (syntax.length) {
      issues.push(...syntax);
      continue;
    }
    const parsed = promptFile.safeParse(src.data());
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push({ file, line: src.lineOf(i.path), message: `${i.path.join('.') || 'file'}: ${i.message}` });
      continue;
    }
    if (parsed.data.locale) catalog.locales[lang] = parsed.data.locale;
    for (const [key, text] of Object.entries(parsed.data.prompts)) {
      const line = src.lineOf(['prompts', key]);
      const seen = catalog.texts[lang].get(key);
      if (seen) {
        issues.push({ file, line, message: `prompt "${key}" is already defined in ${path.basename(seen.file)}:${seen.line}` });
        continue;
      }
      catalog.texts[lang].set(key, { text, file, line });
    }
  }
  return catalog;
}

/**
 * Fills `{name}` placeholders from variables (missing ones become empty: a prompt never shows braces).
 * @param text - the template
 * @param vars - values by name
 */
export function fillPlaceholders(text: string, vars: Record<string, VarValue | undefined>): string {
  return text.replace(/\{([A-Za-z][A-Za-z0-9_.]*)\}/g, (_m, name: string) => {
    const v = vars[name];
    return v === undefined || v === null || typeof v === 'object' ? '' : String(v);
  });
}
