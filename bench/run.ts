import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// `npm run bench`: every benchmark in one run on this machine, each figure beside a baseline
// measured in the same run, written to bench/results.md.
interface Section {
  name: string;
  file: string;
  fn: string;
}

const SECTIONS: Section[] = [
  { name: 'webhooks + memory', file: './webhooks', fn: 'benchWebhooks' },
  { name: 'routing', file: './routing', fn: 'benchRouting' },
  { name: 'reminders', file: './reminders', fn: 'benchReminders' },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const parts: string[] = [
    '# careline benchmarks',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, against real PostgreSQL and Redis. Re-run with \`npm run bench\` (or \`npm run bench -- routing\` for one section).`,
    '',
  ];
  let failed = false;
  for (const s of SECTIONS) {
    if (only.length && !only.some((o) => s.name.includes(o))) continue;
    const started = Date.now();
    console.error(`bench: ${s.name} ...`);
    try {
      const mod = (await import(s.file)) as Record<string, () => Promise<string>>;
      parts.push(await mod[s.fn]());
    } catch (err) {
      failed = true;
      parts.push(`## ${s.name}\n\nFAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    console.error(`bench: ${s.name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  console.log(parts.join('\n'));
  // Only a full run replaces bench/results.md, so its sections always come from one run.
  if (!only.length) {
    const out = path.join(__dirname, 'results.md');
    fs.writeFileSync(out, parts.join('\n'));
    console.error(`bench: wrote ${out}`);
  }
  process.exit(failed ? 1 : 0);
}

main();
