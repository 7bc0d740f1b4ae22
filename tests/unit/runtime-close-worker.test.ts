import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/log';
import { closeWorker } from '../../src/runtime';

// Shutdown closes every worker in turn; one that never finishes closing (a connection waiting for
// a Redis that is gone) must not hold the process forever.
describe('closing a worker on shutdown', () => {
  function capture() {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString()));
    return { log: createLogger('info', 'json', stream), text: () => text };
  }

  test('a worker that never closes is left behind with a warning naming it', async () => {
    const { log, text } = capture();
    await closeWorker({ name: 'stuck-worker', close: () => new Promise<void>(() => undefined) }, log, 50);
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(text().trim())).toMatchObject({ level: 'warn', message: 'worker did not close in time; shutting down without it', worker: 'stuck-worker' });
  });

  test('a worker that closes is awaited, without a warning', async () => {
    const { log, text } = capture();
    let closed = false;
    await closeWorker({ name: 'quick-worker', close: async () => { await new Promise((r) => setTimeout(r, 10)); closed = true; } }, log, 5000);
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
    expect(text()).toBe('');
  });
});
