import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import doc from '../docs/privacy.md?raw';
import { DEFAULTS } from '../src/config';
import * as schema from '../src/db/schema';

/** 7. docs/privacy.md stays true: every table has an entry, and the periods are the configured defaults. */

const tables = Object.values(schema)
  .filter((v) => is(v, SQLiteTable))
  .map((t) => {
    const c = getTableConfig(t as SQLiteTable);
    return { name: c.name, columns: c.columns.map((col) => col.name) };
  });

const [ja = '', en = ''] = doc.split(/\n---\n/);
/** Rows of the Japanese register: `| \`table\` | …`. */
const registered = new Set([...ja.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]));
const noPersonal = new Set(
  [...(ja.match(/^個人情報を含まないテーブル:.*$/m)?.[0] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]),
);

const PERIODS = [
  'ANONYMISE_AFTER_UNFOLLOW_DAYS',
  'REPORT_PHOTO_RETENTION_DAYS',
  'AUDIT_RETENTION_DAYS',
  'DELIVERY_RETENTION_DAYS',
  'ABSENCE_RETENTION_DAYS',
  'RETENTION_BATCH_LIMIT',
] as const;

describe('docs/privacy.md', () => {
  it('is Japanese first, English after', () => {
    expect(ja).toMatch(/^# 個人情報の取扱い/);
    expect(en.trim()).toMatch(/^# Personal data handling/);
  });

  it('gives every table of the schema an entry: in the register, or among the tables without personal data', () => {
    expect(tables.length).toBeGreaterThan(20);
    const missing = tables.filter((t) => !registered.has(t.name) && !noPersonal.has(t.name)).map((t) => t.name);
    expect(missing).toEqual([]);
    const both = tables.filter((t) => registered.has(t.name) && noPersonal.has(t.name)).map((t) => t.name);
    expect(both).toEqual([]);
    // Nothing listed that the schema does not have (a renamed table leaves a stale entry).
    const names = new Set(tables.map((t) => t.name));
    expect([...registered, ...noPersonal].filter((n) => !names.has(n!))).toEqual([]);
  });

  it('puts every table holding a LINE user ID or other resident data in the register', () => {
    const personal = /line_user_id|recipients|^name$|kana|display_name|description|symptoms/;
    const wrong = tables.filter((t) => t.columns.some((c) => personal.test(c)) && noPersonal.has(t.name));
    // Department, category, school and association names are not personal data.
    const allowed = new Set(['report_departments', 'report_categories', 'schools', 'communities']);
    expect(wrong.map((t) => t.name).filter((n) => !allowed.has(n))).toEqual([]);
  });

  it('states the configured default of every period, in both languages', () => {
    for (const name of PERIODS) {
      const value = String(DEFAULTS[name]);
      expect(ja, name).toMatch(new RegExp(`\`${name}\` \\| ${value} `));
      expect(en, name).toMatch(new RegExp(`\`${name}\` \\(default ${value}\\b`));
    }
  });
});

describe("the README's configuration table", () => {
  it('lists every retention period with its default', () => {
    for (const name of PERIODS)
      expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\` \\| var \\| \`${DEFAULTS[name]}\` \\| `, 'm'));
  });
});
