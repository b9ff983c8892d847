/**
 * The console's main pages, for the accessibility pass and the screenshots. Pages that show a
 * record get one made for them first (`seedPages`), through the staff API, as staff would.
 */
import { Resident } from './chat.ts';
import { demoCommunities } from '../../scripts/lib/demo-communities.ts';
import { ADMIN_TOKEN, api, newStaff, unique, WORKER } from './harness.ts';

export interface Seed {
  reportId: string;
  broadcastId: string;
  schoolId: string;
  communityId: string;
}

export interface ConsolePage {
  /** File name of its screenshots. */
  name: string;
  path: (seed: Seed) => string;
  /** Shown signed out (the sign-in form). */
  public?: boolean;
}

export const PAGES: readonly ConsolePage[] = [
  { name: 'login', path: () => '/admin/login', public: true },
  { name: 'dashboard', path: () => '/admin' },
  { name: 'reports', path: () => '/admin/reports' },
  { name: 'report', path: (s) => `/admin/reports/${s.reportId}` },
  { name: 'broadcasts', path: () => '/admin/broadcasts' },
  { name: 'composer', path: () => '/admin/broadcasts/new' },
  { name: 'broadcast', path: (s) => `/admin/broadcasts/${s.broadcastId}` },
  { name: 'approvals', path: () => '/admin/approvals' },
  { name: 'schools', path: () => '/admin/schools' },
  { name: 'school', path: (s) => `/admin/schools/${s.schoolId}` },
  { name: 'communities', path: () => '/admin/communities' },
  { name: 'community', path: (s) => `/admin/communities/${s.communityId}` },
  { name: 'staff', path: () => '/admin/staff' },
  { name: 'audit', path: () => '/admin/audit' },
];

/**
 * A report made in the chat, a broadcast waiting for approval (by another staff member than the
 * admin), a school, and `npm start`'s demo associations.
 */
export async function seedPages(): Promise<Seed> {
  const tag = unique();
  const number = await new Resident().report('公園のベンチが壊れています。座ると危ないです。');
  const report = await api<{ id: string }>(`/reports/${number}`);
  const school = await api<{ id: string }>('/schools', {
    body: {
      code: `E2E-${tag}`.slice(0, 20),
      name: `岡山市立画面確認小学校`,
      kind: 'elementary',
      phone: '086-803-0000',
      cutoff: '08:00',
      afterCutoff: 'accept_late',
    },
  });
  const author = await newStaff('広報 画面', ['broadcaster']);
  const broadcast = await api<{ id: string }>('/broadcasts', {
    token: author.token,
    body: {
      title: `年末年始のごみ収集について ${tag}`,
      messages: [
        { type: 'text', text: '年末年始はごみ収集の日程が変わります。詳しくは市のホームページをご覧ください。' },
      ],
      audience: { type: 'all' },
    },
  });
  const { units } = await demoCommunities(WORKER, ADMIN_TOKEN);
  return { reportId: report.id, broadcastId: broadcast.id, schoolId: school.id, communityId: units[0]!.id };
}
