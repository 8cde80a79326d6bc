import { createClient } from './client.ts';

export interface Provisioned {
  admin: string;
  subject: { id: string; token: string };
  device: { id: string; token: string };
}

/** Enrolls the admin with the bootstrap code, then creates one subject and one device for them. */
export async function provision(url: string, bootstrapCode: string, label = 'subject'): Promise<Provisioned> {
  const anon = createClient(url);
  const admin = await anon.post<{ token: string }>('/v1/enroll', { code: bootstrapCode });
  return { admin: admin.token, ...(await addSubject(url, admin.token, label)) };
}

/** A new subject with an enrolled person credential and an enrolled device. */
export async function addSubject(url: string, adminToken: string, label = 'subject'): Promise<Omit<Provisioned, 'admin'>> {
  const anon = createClient(url);
  const admin = createClient(url, adminToken);
  const person = await admin.post<{ user: { id: string }; enrollmentCode: string }>('/v1/users', { roles: ['subject'], label });
  const subject = await anon.post<{ token: string }>('/v1/enroll', { code: person.enrollmentCode });
  const code = await admin.post<{ enrollmentCode: string }>(`/v1/users/${person.user.id}/device-codes`);
  const device = await anon.post<{ token: string; device: { id: string } }>('/v1/enroll', { code: code.enrollmentCode, platform: 'browser' });
  return { subject: { id: person.user.id, token: subject.token }, device: { id: device.device.id, token: device.token } };
}
