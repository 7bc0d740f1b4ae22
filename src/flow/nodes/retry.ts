import { ENGINE_PROMPTS } from '../loader';
import type { Outcome, Turn } from '../turn';

interface Retryable {
  retries: number;
  fallback: string;
  noInput?: string;
  invalid?: string;
}

/**
 * After silence or an answer that does not fit: apologise and ask again, or after the node's
 * retries go to its fallback.
 * @param why - which apology to speak
 * @param askAgain - the node's own prompt and Gather
 */
export async function retryOrFallback(t: Turn, node: Retryable, why: 'noInput' | 'invalid', askAgain: () => Promise<Outcome>): Promise<Outcome> {
  t.session.retries += 1;
  if (t.session.retries > node.retries) return { go: node.fallback };
  t.speak(node[why] ?? ENGINE_PROMPTS[why]);
  return askAgain();
}
