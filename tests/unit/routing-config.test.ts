import { loadRoutingFile, parseRoutingConfig, RoutingConfigError } from '../../src/routing/config';
import { compileRequirement, parseExpression, satisfies } from '../../src/routing/expression';
import { planTask, stepAt, type TaskAttributes } from '../../src/routing/task-spec';

const base = (extra = '') => `version: 1
revision: t
holdMusicUrl: http://music.example/a.mp3
queues:
  general: { displayName: Front desk }
${extra}workflow:
  filters: []
  defaultTargets:
    - expression: general
`;

function issuesOf(text: string) {
  try {
    parseRoutingConfig(text, 'r.yaml');
  } catch (err) {
    if (err instanceof RoutingConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('routing config', () => {
  test('the shipped routing.yaml is valid and routes a Spanish pharmacist request, widening over time', () => {
    const cfg = loadRoutingFile();
    const attrs: TaskAttributes = { kind: 'call', queue: 'clinical', language: 'es', reason: 'clinical', callerType: 'patient', verified: true, requiredSkills: ['es', 'pharmacist'] };
    const plan = planTask(cfg, attrs);
    expect(plan.filter).toBe('clinical licence');
    expect(plan.steps.map((s) => s.at)).toEqual([0, 60, 180]);
    expect(plan.steps[0]!.req).toEqual([{ pharmacist: 1, es: 1 }]);
    expect(plan.steps[1]!.req).toEqual([{ pharmacist: 1 }]);
    expect(stepAt(plan.steps, 59)).toBe(0);
    expect(stepAt(plan.steps, 60)).toBe(1);
  });

  test('provider offices come before patients', () => {
    const cfg = loadRoutingFile();
    const patient = planTask(cfg, { kind: 'call', queue: 'pharmacy', language: 'en', reason: 'refill', callerType: 'patient', verified: false, requiredSkills: [] });
    const provider = planTask(cfg, { kind: 'call', queue: 'pharmacy', language: 'en', reason: 'refill', callerType: 'provider', verified: false, requiredSkills: [] });
    expect(provider.priority).toBeGreaterThan(patient.priority);
  });

  test('an unknown key is reported with its file and line', () => {
    const issues = issuesOf(base('ringTimout: 20\n'));
    expect(issues).toEqual([{ file: 'r.yaml', line: 6, message: 'unknown key "ringTimout"' }]);
  });

  test('an invalid expression is reported with its line and the reason', () => {
    const text = base().replace('    - expression: general', '    - expression: "general AND (es"');
    const issues = issuesOf(text);
    expect(issues[0]).toMatchObject({ file: 'r.yaml', line: 9 });
    expect(issues[0]!.message).toMatch(/invalid expression: missing \)/);
  });

  test('every target but the last needs a timeout, and filters name known queues', () => {
    const text = base().replace('  filters: []', '  filters:\n    - name: x\n      match: { queue: nowhere }\n      targets:\n        - expression: general\n        - expression: ANY');
    const messages = issuesOf(text).map((i) => `${i.line}: ${i.message}`);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(/^9: .*unknown queue "nowhere"/), expect.stringMatching(/^11: .*needs a timeout/)]));
  });

  test('an interpreter line must be a number the phone numbering plan knows, checked at start-up', () => {
    const issues = issuesOf(base('interpreters:\n  vi: { displayName: Vietnamese, number: "+15550000000" }\n'));
    expect(issues).toEqual([expect.objectContaining({ file: 'r.yaml', message: expect.stringMatching(/valid phone number/) })]);
    expect(() => parseRoutingConfig(base('interpreters:\n  vi: { displayName: Vietnamese, number: "+12126310901" }\n'), 'r.yaml')).not.toThrow();
  });

  test('YAML syntax errors carry a line', () => {
    const issues = issuesOf('version: 1\nqueues: [\n');
    expect(issues[0]!.file).toBe('r.yaml');
    expect(issues[0]!.line).toBeGreaterThan(0);
  });
});

describe('skill expressions', () => {
  const task = { required: ['pharmacist'], language: 'es', queue: 'pharmacy' };
  test('AND / OR / levels / placeholders compile to alternatives of minimum levels', () => {
    const req = compileRequirement(parseExpression('({queue} OR general) AND {language} AND {required} AND en >= 2'), task);
    expect(req).toEqual([
      { pharmacy: 1, es: 1, pharmacist: 1, en: 2 },
      { general: 1, es: 1, pharmacist: 1, en: 2 },
    ]);
    expect(satisfies({ general: 3, es: 4, pharmacist: 1, en: 2 }, req)).toBe(true);
    expect(satisfies({ general: 3, es: 4, pharmacist: 1, en: 1 }, req)).toBe(false);
    expect(satisfies({ pharmacy: 1, pharmacist: 1, en: 5 }, req)).toBe(false);
  });

  test('ANY matches everyone; > is one level above', () => {
    expect(satisfies({}, compileRequirement(parseExpression('ANY'), task))).toBe(true);
    expect(compileRequirement(parseExpression('nurse > 2'), task)).toEqual([{ nurse: 3 }]);
  });

  test('nonsense is refused with a reason', () => {
    expect(() => parseExpression('es AND')).toThrow(/ends too early/);
    expect(() => parseExpression('{patient}')).toThrow(/unknown placeholder/);
    expect(() => parseExpression('es $ en')).toThrow(/unexpected/);
  });
});
