import type { StaffPrincipal } from '../admin/auth';
import { problem } from '../admin/errors';

/**
 * Who may see and manage a school's roster, notices and messages: admins, and the school's
 * own staff (`school_staff` with the school in `scopes.schools`). Every school route and
 * the school audience of a broadcast ask this one question.
 */
export function mayActForSchool(by: StaffPrincipal, schoolId: string): boolean {
  if (by.roles.includes('admin')) return true;
  return by.roles.includes('school_staff') && (by.scopes.schools ?? []).includes(schoolId);
}

/** 403 without naming or showing anything of the school. */
export function ensureSchoolAccess(by: StaffPrincipal, schoolId: string): void {
  if (!mayActForSchool(by, schoolId)) throw problem(403, 'This school is not in your scope.');
}
