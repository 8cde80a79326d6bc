import { createClient } from './client.ts';

export interface Provisioned {
  admin: string;
  /** The program the subject's device records for (its notice accepted by the subject). */
  program: string;
  subject: { id: string; token: string };
  device: { id: string; token: string };
}

/** The program `provision` creates: recording for agent training, with a plain-words notice. */
export const DEFAULT_PROGRAM = {
  name: 'default',
  purposes: ['agent-training', 'evaluation'],
  modalities: ['pointer', 'wheel', 'scroll', 'key', 'input', 'focus', 'navigation', 'viewport', 'marker'],
  retentionDays: 365,
  notice:
    'Lockstep records how you work in this browser (clicks, keys, the elements you act on) to train computer-use agents. ' +
    'Password fields are never read. Only you can read your recordings; you choose which episodes to release, and researchers see released episodes only de-identified, through an approved grant. ' +
    'You can pause at any time, and withdraw, which destroys what was recorded.',
};

/** Enrolls the admin with the bootstrap code, creates the default program, then one subject (who accepts its notice) and their device. */
export async function provision(url: string, bootstrapCode: string, label = 'subject'): Promise<Provisioned> {
  const anon = createClient(url);
  const admin = await anon.post<{ token: string }>('/v1/enroll', { code: bootstrapCode });
  return { admin: admin.token, ...(await addSubject(url, admin.token, label)) };
}

/** The first program on the server, or a new default one. */
export async function defaultProgram(url: string, adminToken: string): Promise<{ id: string; notice: { version: number } }> {
  const admin = createClient(url, adminToken);
  const { programs } = await admin.get<{ programs: Array<{ id: string; notice: { version: number } }> }>('/v1/programs');
  return programs[0] ?? (await admin.post<{ id: string; notice: { version: number } }>('/v1/programs', DEFAULT_PROGRAM));
}

/** A new subject with an enrolled person credential, consent to the default program and an enrolled device recording for it. */
export async function addSubject(url: string, adminToken: string, label = 'subject'): Promise<Omit<Provisioned, 'admin'>> {
  const anon = createClient(url);
  const admin = createClient(url, adminToken);
  const program = await defaultProgram(url, adminToken);
  const person = await admin.post<{ user: { id: string }; enrollmentCode: string }>('/v1/users', { roles: ['subject'], label });
  const subject = await anon.post<{ token: string }>('/v1/enroll', { code: person.enrollmentCode });
  await createClient(url, subject.token).post(`/v1/me/consents/${program.id}`, { noticeVersion: program.notice.version });
  const code = await admin.post<{ enrollmentCode: string }>(`/v1/users/${person.user.id}/device-codes`, { program: program.id });
  const device = await anon.post<{ token: string; device: { id: string } }>('/v1/enroll', { code: code.enrollmentCode, platform: 'browser' });
  return { program: program.id, subject: { id: person.user.id, token: subject.token }, device: { id: device.device.id, token: device.token } };
}
