import { spokenKey, speechMatches, normalizeSpeech } from '../input';
import type { NodeOf } from '../schema';
import type { VarValue } from '../session';
import type { Turn } from '../turn';
import { retryOrFallback } from './retry';
import type { NodeHandler } from './types';

/** An item of a `choices` list an action put in a variable. */
interface Choice {
  label: string;
  value: VarValue;
}

function choicesOf(t: Turn, node: NodeOf<'menu'>): Choice[] {
  if (!node.choices) return [];
  const list = t.session.vars[node.choices.from];
  if (!Array.isArray(list)) return [];
  return list
    .filter((c): c is { label: string; value: VarValue } => typeof c === 'object' && c !== null && !Array.isArray(c) && typeof c.label === 'string')
    .slice(0, 9);
}

/** The keys of n choices: 1..9 in order, skipping keys the static options use. */
function choiceKeys(node: NodeOf<'menu'>, count: number): string[] {
  const used = new Set(node.options.map((o) => o.key));
  const keys: string[] = [];
  for (let k = 1; k <= 9 && keys.length < count; k++) if (!used.has(String(k))) keys.push(String(k));
  return keys;
}

function ask(t: Turn, node: NodeOf<'menu'>) {
  const choices = choicesOf(t, node);
  const keys = choiceKeys(node, choices.length);
  const hints = [
    ...node.options.flatMap((o) => o.speech?.[t.language] ?? []),
    ...choices.map((c) => c.label),
  ];
  t.gather(
    {
      input: node.speech ? ['dtmf', 'speech'] : ['dtmf'],
      numDigits: 1,
      timeout: node.timeout,
      // speechTimeout="auto" is refused with the default speech model (warning 13335): a fixed pause.
      ...(node.speech ? { speechTimeout: '2', hints: hints.join(', ').slice(0, 1000) || undefined } : {}),
    },
    (g) => {
      t.speak(node.prompt, g);
      if (node.choices) choices.forEach((c, i) => t.sayText(t.text(node.choices!.option, { label: c.label, key: keys[i]! }), g));
      t.speak(node.footer, g);
    },
  );
  return { wait: true } as const;
}

/**
 * `menu`: keypad keys and spoken keywords per language, with retries on silence and on answers
 * that fit no option, then a fallback (Studio: gather-input-on-call + split-based-on). Options can
 * also come from a list an action prepared (`choices`): each item gets the next free key.
 */
export const menuHandler: NodeHandler<'menu'> = {
  async enter(t, node) {
    return ask(t, node);
  },
  async input(t, node, input) {
    if (!input.digits && !input.speech) return retryOrFallback(t, node, 'noInput', async () => ask(t, node));
    const choices = choicesOf(t, node);
    const keys = choiceKeys(node, choices.length);
    let key = input.digits;
    if (!key && input.speech) {
      const option = node.options.find((o) => speechMatches(input.speech!, o.speech?.[t.language] ?? []));
      const byLabel = choices.findIndex((c) => normalizeSpeech(input.speech!).includes(normalizeSpeech(c.label)) && normalizeSpeech(c.label) !== '');
      key = option?.key ?? (byLabel >= 0 ? keys[byLabel] : spokenKey(input.speech));
    }
    const option = node.options.find((o) => o.key === key);
    if (option?.next) {
      t.event({ key: `input:${t.session.step}`, type: 'input', name: node.label ?? t.session.node, detail: { option: option.key, by: input.digits ? 'dtmf' : 'speech' } });
      for (const [name, value] of Object.entries(option.set ?? {})) t.setVar(name, typeof value === 'string' ? t.fill(value) : value);
      return { go: option.next };
    }
    const index = key ? keys.indexOf(key) : -1;
    if (node.choices && index >= 0 && index < choices.length) {
      t.event({ key: `input:${t.session.step}`, type: 'input', name: node.label ?? t.session.node, detail: { choice: index + 1, by: input.digits ? 'dtmf' : 'speech' } });
      t.setVar(node.choices.set, choices[index]!.value);
      t.setVar(`${node.choices.set}Label`, choices[index]!.label);
      return { go: node.choices.next };
    }
    return retryOrFallback(t, node, 'invalid', async () => ask(t, node));
  },
};
