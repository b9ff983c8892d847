import type { CatalogNames } from './catalog';
import { summaryJson, type SummaryRow } from './schemas';

/** The staff exports: the list's filters and columns as GeoJSON (maps) or CSV (Excel). */

/** Rows per export; the summaries of the routes promise it. */
export const EXPORT_CAP = 10_000;

export function reportsGeoJson(rows: SummaryRow[], names: CatalogNames) {
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r) => {
      const { lat, lng, ...props } = summaryJson(r, names);
      return { type: 'Feature', geometry: { type: 'Point', coordinates: [lng, lat] }, properties: props };
    }),
  };
}

const CSV_COLUMNS = [
  'number',
  'id',
  'status',
  'categoryCode',
  'categoryName',
  'subtypeCode',
  'subtypeName',
  'departmentId',
  'departmentName',
  'lat',
  'lng',
  'address',
  'description',
  'createdAt',
  'updatedAt',
  'closedAt',
  'hidden',
  'duplicateOf',
  'mailStatus',
] as const;

/** UTF-8 with a BOM and CRLF lines, so Excel opens it as it is. */
export function reportsCsv(rows: SummaryRow[], names: CatalogNames): string {
  const lines = [
    CSV_COLUMNS.join(','),
    ...rows.map((r) => {
      const s = summaryJson(r, names);
      return CSV_COLUMNS.map((k) => csvCell(s[k])).join(',');
    }),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
