import { audit } from '../../admin/audit';
import { catalogNames } from '../../reports/catalog';
import { EXPORT_CAP, reportsCsv } from '../../reports/export';
import { exportReports } from '../../reports/queries';
import { filtersOf } from '../../reports/schemas';
import { errorPage, type ConsoleContext } from '../kit';
import { readListQuery } from './list';

/**
 * /admin/reports.csv: the list's filters as the API's GET /reports.csv exports them (the
 * same query, cap and columns), audited the same way, so a clerk opens it in Excel.
 */
export async function csvAnswer(c: ConsoleContext) {
  const { form, parsed } = readListQuery(c);
  if (!parsed.success) return c.html(errorPage(c, 400, '条件を読み取れませんでした。'), 400);
  const rows = await exportReports(c.var.db, filtersOf(parsed.data), EXPORT_CAP);
  const asked = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== ''));
  await audit(c.var.db, c.var.staff, 'report.export', 'report', null, {
    format: 'csv',
    count: rows.length,
    ...asked,
    via: 'console',
  });
  return c.body(reportsCsv(rows, await catalogNames(c.var.db)), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="reports.csv"',
  });
}
