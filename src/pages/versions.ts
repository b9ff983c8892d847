import policyText from './content/policy.ja.json';
import termsText from './content/terms.ja.json';
import type { PageDocument } from './document';

/**
 * Every published version of the terms and of the operating policy, newest last. A new
 * version adds a row (and its text file); old rows stay, so a resident can still read at
 * `/terms/<version>` what they agreed to.
 */

export interface PageVersion {
  version: string;
  /** The day it takes effect, JST `YYYY-MM-DD`. */
  effective: string;
  doc: PageDocument;
}

export const TERMS_VERSIONS: readonly PageVersion[] = [
  { version: '2026-11-01', effective: '2026-11-01', doc: termsText },
];

export const POLICY_VERSIONS: readonly PageVersion[] = [
  { version: '2026-11-01', effective: '2026-11-01', doc: policyText },
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The version to show for `wanted`: its own row, or, when it is the configured version and
 * has no text of its own, the latest text under that version's name (effective from the day
 * the name says, if it is a date). Anything else is null (404).
 */
export function pickVersion(
  versions: readonly PageVersion[],
  wanted: string,
  configured: string | null,
): PageVersion | null {
  const own = versions.find((v) => v.version === wanted);
  if (own) return own;
  const latest = versions[versions.length - 1];
  if (wanted !== configured || !latest) return null;
  return { version: wanted, effective: DATE.test(wanted) ? wanted : latest.effective, doc: latest.doc };
}
