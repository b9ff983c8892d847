import type { Child } from 'hono/jsx';
import { audit, auditCsv, isAuditCursor, listAudit } from '../../admin/audit';
import { AUDIT_EXPORT_CAP } from '../../admin/audit-routes';
import { momentMs } from '../../admin/openapi';
import { isJstDate } from '../../calendar/jst';
import { consoleRouter, guard, Layout, may, when, type ConsoleContext } from '../kit';
import { catalogPages } from './catalog';
import { closurePages } from './closures';
import { departmentPages } from './departments';
import { richMenuPages } from './richmenu';

/**
 * The console's admin pages, mounted at /admin by ../app.tsx: the audit log viewer here, the
 * reports catalog (catalog.tsx, departments.tsx), closure days (closures.tsx) and the rich menu (richmenu.tsx).
 * The staff accounts are ../staff/routes.tsx.
 */
export const adminPages = consoleRouter();
adminPages.route('/', catalogPages);
adminPages.route('/', departmentPages);
adminPages.route('/', closurePages);
adminPages.route('/', richMenuPages);

const PAGE_SIZE = 50;

/** The filters of the audit page as the API takes them; a day (`YYYY-MM-DD`) is read in JST. */
function auditQuery(c: ConsoleContext) {
  const q = c.req.query();
  // The API's reading of a day: its first and last millisecond in JST.
  const day = (s: string | undefined, edge: 'start' | 'end') => (s && isJstDate(s) ? momentMs(s, edge) : undefined);
  return {
    action: q.action?.trim().slice(0, 100) || undefined,
    staffId: q.staffId?.trim().slice(0, 100) || undefined,
    since: day(q.since, 'start'),
    until: day(q.until, 'end'),
    form: { action: q.action ?? '', staffId: q.staffId ?? '', since: q.since ?? '', until: q.until ?? '' },
  };
}

adminPages.get('/audit', guard('admin'), async (c) => {
  const { form, ...filters } = auditQuery(c);
  const cursor = c.req.query('cursor');
  const page = await listAudit(c.var.db, {
    ...filters,
    cursor: cursor && isAuditCursor(cursor) ? cursor : undefined,
    limit: PAGE_SIZE,
  });
  // The log names who touched which resident's records, so reading it is itself audited (as in the API).
  await audit(c.var.db, c.var.staff, 'audit.list', 'audit_log', null, { ...filters, via: 'console' });
  const qs = new URLSearchParams(Object.entries(form).filter(([, v]) => v));
  const next = page.nextCursor ? `/admin/audit?${new URLSearchParams([...qs, ['cursor', page.nextCursor]])}` : null;
  return c.html(
    <Layout c={c} title="監査ログ">
      <form method="get" action="/admin/audit" class="card filters">
        <div>
          <label for="action">操作（例: staff.create、broadcast. で前方一致）</label>
          <input type="text" id="action" name="action" value={form.action} />
        </div>
        <div>
          <label for="staffId">職員ID</label>
          <input type="text" id="staffId" name="staffId" value={form.staffId} />
        </div>
        <div>
          <label for="since">開始日</label>
          <input type="date" id="since" name="since" value={form.since} />
        </div>
        <div>
          <label for="until">終了日</label>
          <input type="date" id="until" name="until" value={form.until} />
        </div>
        <div>
          <button type="submit">絞り込む</button>
        </div>
      </form>
      <p>
        <a href={`/admin/audit.csv?${qs}`}>この条件でCSVをダウンロード</a>
      </p>
      <section class="table-wrap" aria-label="監査ログの一覧" tabindex={0}>
        <table>
          <caption class="muted">新しい順</caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">職員</th>
              <th scope="col">操作</th>
              <th scope="col">対象</th>
              <th scope="col">詳細</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((e) => (
              <tr>
                <td class="nowrap">{when(e.at)}</td>
                <td>{e.staffName ?? e.staffId}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>
                  {e.targetType}
                  {e.targetId ? ` ${e.targetId}` : ''}
                </td>
                <td>
                  <code>{e.detail ? JSON.stringify(e.detail) : ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {page.items.length === 0 ? <p>該当する記録はありません。</p> : null}
      {next ? (
        <nav class="pager" aria-label="ページ送り">
          <a href={next}>次へ →</a>
        </nav>
      ) : null}
    </Layout>,
  );
});

adminPages.get('/audit.csv', guard('admin'), async (c) => {
  const { form: _form, ...filters } = auditQuery(c);
  const page = await listAudit(c.var.db, { ...filters, limit: AUDIT_EXPORT_CAP });
  await audit(c.var.db, c.var.staff, 'audit.export', 'audit_log', null, {
    ...filters,
    format: 'csv',
    count: page.items.length,
    via: 'console',
  });
  return c.body(auditCsv(page.items), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="audit.csv"',
  });
});

/**
 * For the dashboard: the audit log and the city's settings for admins; the reports catalog
 * (read only) for report managers.
 */
export async function adminCard(c: ConsoleContext): Promise<Child> {
  if (!may(c, ['admin']))
    return may(c, ['report_manager']) ? (
      <section class="card" aria-labelledby="card-catalog">
        <h2 id="card-catalog">通報の種類</h2>
        <p>
          <a href="/admin/categories">通報の種類と担当課を見る</a>
        </p>
      </section>
    ) : null;
  return (
    <>
      <section class="card" aria-labelledby="card-settings">
        <h2 id="card-settings">市の設定</h2>
        <ul>
          <li>
            <a href="/admin/categories">通報の種類</a>・<a href="/admin/departments">担当課</a>
          </li>
          <li>
            <a href="/admin/closures">臨時閉庁日</a>
          </li>
          <li>
            <a href="/admin/richmenu">リッチメニュー</a>
          </li>
        </ul>
      </section>
      <section class="card" aria-labelledby="card-audit">
        <h2 id="card-audit">監査ログ</h2>
        <p>
          <a href="/admin/audit">誰がいつ何をしたかを確認する</a>
        </p>
      </section>
    </>
  );
}
