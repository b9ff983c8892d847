import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  communities,
  communityMembers,
  guardianLinks,
  pupils,
  reports,
  reportSupporters,
  schools,
  type ReportStatus,
} from '../db/schema';
import { getResident } from './service';

/** What the city holds about one resident, for 登録内容の確認 (rendered by the settings flow). */
export interface ResidentSummary {
  ward: string | null;
  interests: string[];
  language: string | null;
  consent: { version: string; at: number } | null;
  /** Their own reports, newest first, and the ones they added themselves to. */
  reports: { number: string; status: ReportStatus; supported: boolean }[];
  children: { name: string; school: string }[];
  communities: { name: string; displayName: string | null }[];
}

/** At most this many reports are listed by number; the rest are counted. */
export const SUMMARY_REPORTS_MAX = 20;

export async function residentSummary(d: Db, lineUserId: string): Promise<ResidentSummary & { moreReports: number }> {
  const [resident, own, supported, children, memberships] = await Promise.all([
    getResident(d, lineUserId),
    d
      .select({ number: reports.number, status: reports.status })
      .from(reports)
      .where(eq(reports.reporterLineUserId, lineUserId))
      .orderBy(desc(reports.createdAt))
      .all(),
    d
      .select({ number: reports.number, status: reports.status })
      .from(reportSupporters)
      .innerJoin(reports, eq(reports.id, reportSupporters.reportId))
      .where(eq(reportSupporters.lineUserId, lineUserId))
      .orderBy(desc(reports.createdAt))
      .all(),
    d
      .select({ name: pupils.name, school: schools.name })
      .from(guardianLinks)
      .innerJoin(pupils, eq(pupils.id, guardianLinks.pupilId))
      .innerJoin(schools, eq(schools.id, pupils.schoolId))
      .where(eq(guardianLinks.lineUserId, lineUserId))
      .all(),
    d
      .select({ name: communities.name, displayName: communityMembers.displayName })
      .from(communityMembers)
      .innerJoin(communities, eq(communities.id, communityMembers.communityId))
      .where(eq(communityMembers.lineUserId, lineUserId))
      .all(),
  ]);
  const all = [...own.map((r) => ({ ...r, supported: false })), ...supported.map((r) => ({ ...r, supported: true }))];
  return {
    ward: resident?.ward ?? null,
    interests: resident?.interests ?? [],
    language: resident?.language ?? null,
    consent:
      resident?.consentVersion && resident.consentedAt
        ? { version: resident.consentVersion, at: resident.consentedAt }
        : null,
    reports: all.slice(0, SUMMARY_REPORTS_MAX),
    moreReports: Math.max(0, all.length - SUMMARY_REPORTS_MAX),
    children,
    communities: memberships,
  };
}
