import type { NodeOf } from '../schema';
import type { Turn } from '../turn';
import { fixedLength, maskValue, validate } from '../validators';
import { retryOrFallback } from './retry';
import type { NodeHandler } from './types';

function ask(t: Turn, node: NodeOf<'collect'>) {
  const numDigits = node.minDigits !== undefined && node.minDigits === node.maxDigits ? node.minDigits : fixedLength(node.validate);
  t.gather(
    {
      input: node.speech ? ['dtmf', 'speech'] : ['dtmf'],
      finishOnKey: '#',
      timeout: node.timeout,
      ...(numDigits ? { numDigits } : {}),
      // speechTimeout="auto" is refused with the default speech model (warning 13335): a fixed pause.
      ...(node.speech ? { speechTimeout: '2' } : {}),
    },
    (g) => t.speak(node.prompt, g),
  );
  return { wait: true } as const;
}

/**
 * `collect`: digits (or speech) checked by a validator (date, Rx number, phone, ZIP, digits) into a
 * variable. Birth dates, Rx numbers, phones and ZIP codes are PHI: the call event keeps them masked.
 */
export const collectHandler: NodeHandler<'collect'> = {
  async enter(t, node) {
    return ask(t, node);
  },
  async input(t, node, input) {
    if (!input.digits && !input.speech) return retryOrFallback(t, node, 'noInput', async () => ask(t, node));
    const value = validate(node.validate, input, { minDigits: node.minDigits, maxDigits: node.maxDigits, year: t.ctx.clock.now().getUTCFullYear() });
    const shown = maskValue(node.validate, value ?? input.digits ?? '');
    t.event({ key: `input:${t.session.step}`, type: 'input', name: node.label ?? t.session.node, detail: { [node.var]: shown, valid: value !== null, by: input.digits ? 'dtmf' : 'speech' } });
    if (value === null) return retryOrFallback(t, node, 'invalid', async () => ask(t, node));
    t.setVar(node.var, value);
    return { go: node.next };
  },
};
