import type { NodeHandler } from './types';

/** `say`: speaks prompts (text, audio, pauses), then goes on (Studio: say-play). */
export const sayHandler: NodeHandler<'say'> = {
  async enter(t, node) {
    t.speak(node.prompt);
    return { go: node.next };
  },
};

/** `set`: assigns variables, `{var}` placeholders filled (Studio: set-variables). */
export const setHandler: NodeHandler<'set'> = {
  async enter(t, node) {
    for (const [name, value] of Object.entries(node.set)) t.setVar(name, typeof value === 'string' ? t.fill(value) : value);
    return { go: node.next };
  },
};
