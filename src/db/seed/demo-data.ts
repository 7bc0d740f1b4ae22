import type { HoursRule } from './calendar';

// The demo practice: everything `npm run seed` writes directly (the patients, practitioners and
// prescriptions are FHIR, in prisma/demo/demo-bundle.json).

/** Password of every demo login. */
export const DEMO_PASSWORD = 'careline-demo';

export interface DemoLogin {
  email: string;
  name: string;
  roles: Array<'agent' | 'supervisor'>;
  /** levels 1-5: languages en/es, queues, licences nurse/pharmacist */
  skills: Record<string, number>;
  /** what the README says about this login */
  description: string;
}

/** The demo staff logins (all with DEMO_PASSWORD); the README lists them. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  {
    email: 'maria@careline.test',
    name: 'Maria Gonzalez',
    roles: ['agent'],
    skills: { es: 5, en: 4, pharmacy: 5, pharmacist: 5, general: 2 },
    description: 'pharmacist, Spanish and English',
  },
  {
    email: 'james@careline.test',
    name: 'James Miller',
    roles: ['agent'],
    skills: { en: 5, pharmacy: 4, pharmacist: 4, billing: 2 },
    description: 'pharmacist, English',
  },
  {
    email: 'ana@careline.test',
    name: 'Ana Torres',
    roles: ['agent'],
    skills: { es: 5, en: 4, scheduling: 5, general: 4, billing: 3 },
    description: 'scheduling and front desk, Spanish and English',
  },
  {
    email: 'olivia@careline.test',
    name: 'Olivia Brown',
    roles: ['agent'],
    skills: { en: 5, clinical: 5, nurse: 5, scheduling: 2 },
    description: 'triage nurse, English',
  },
  {
    email: 'sam@careline.test',
    name: 'Sam Lee',
    roles: ['agent', 'supervisor'],
    skills: { en: 5, general: 3, scheduling: 3, billing: 4 },
    description: 'supervisor (also takes general and billing calls)',
  },
];

export const DEMO_QUEUES = [
  { name: 'clinical', displayName: 'Nurse line', requiredSkills: ['clinical', 'nurse'], priority: 3 },
  { name: 'pharmacy', displayName: 'Pharmacy', requiredSkills: ['pharmacy'], priority: 2 },
  { name: 'scheduling', displayName: 'Appointments', requiredSkills: ['scheduling'], priority: 1 },
  { name: 'billing', displayName: 'Billing', requiredSkills: ['billing'], priority: 0 },
  { name: 'general', displayName: 'General questions', requiredSkills: ['general'], priority: 0 },
] as const;

export const DEMO_DEPARTMENTS = [
  { code: 'primary-care', name: 'Primary Care', nameEs: 'Atención primaria', kind: 'clinic', phone: '+12126310300' },
  { code: 'pharmacy', name: 'Pharmacy', nameEs: 'Farmacia', kind: 'pharmacy', phone: '+12126310301' },
] as const;

/** The demo practice's zone: its hours, slots and on-call shifts are in New York time. */
export const DEMO_TIME_ZONE = 'America/New_York';

/** Practice-wide opening hours: Mon-Fri 08:00-18:00, Sat 09:00-13:00. */
export const DEMO_HOURS: readonly HoursRule[] = [
  ...[1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, opens: '08:00', closes: '18:00' })),
  { dayOfWeek: 6, opens: '09:00', closes: '13:00' },
];

/** Who is on call outside opening hours (FHIR ids of demo-bundle practitioners) and the number to dial. */
export const DEMO_ON_CALL = [
  { practitionerFhirId: 'demo-nurse-okafor', role: 'nurse', phone: '+12126310203' },
  { practitionerFhirId: 'demo-pharm-chen', role: 'pharmacist', phone: '+12126310205' },
] as const;

/** Slots are offered by these Schedules of the demo bundle. */
export const DEMO_SCHEDULES = ['primary-care', 'pharmacy'] as const;
