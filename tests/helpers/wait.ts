/**
 * Polls until `check` returns a truthy value: a wait for asynchronous work, not a timed assertion.
 * A check that throws counts as "not yet" (during an injected outage it may); the last error is
 * named if the wait gives up.
 * @param what - named in the error when it never happens
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const v = await check().catch((err: unknown) => {
      lastError = err;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
