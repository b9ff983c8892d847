import type { FC } from 'hono/jsx';
import { catalogNames, listCategories, listDepartments } from '../../reports/catalog';
import { countReportsByStatus, listReports } from '../../reports/queries';
import { filtersOf, ListQuery } from '../../reports/schemas';
import { Layout, when, type ConsoleContext } from '../kit';
import { HIDDEN_LABEL, STATUS_LABEL, STATUSES } from './texts';
import type { ReportStatus } from '../../db/schema';

/**
 * The list at /admin/reports: the API's filters read by the API's own schema (ListQuery) and
 * run by its query functions, newest first across all statuses unless asked otherwise.
 */

export const PAGE_SIZE = 50;

/** The filter fields the form carries, as typed (empty ones left out of links). */
const FORM_FIELDS = ['q', 'status', 'category', 'subtype', 'department', 'from', 'to', 'hidden', 'sort'] as const;
type FormValues = Record<(typeof FORM_FIELDS)[number], string>;

/** The URL's filters, parsed as GET /api/v1/reports parses them; an empty box is no filter. */
export function readListQuery(c: ConsoleContext) {
  const raw = c.req.query();
  const form = Object.fromEntries(FORM_FIELDS.map((k) => [k, raw[k]?.trim() ?? ''])) as FormValues;
  const given = Object.fromEntries(Object.entries(form).filter(([, v]) => v !== ''));
  const cursor = raw.cursor?.trim();
  const parsed = ListQuery.safeParse({ ...given, ...(cursor ? { cursor } : {}), limit: PAGE_SIZE });
  return { form, parsed };
}

/** A link to the list with these filters (and a cursor, or another status). */
export function listHref(form: Partial<FormValues>, extra: Record<string, string> = {}) {
  const qs = new URLSearchParams(
    Object.entries({ ...form, ...extra }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  const s = qs.toString();
  return s ? `/admin/reports?${s}` : '/admin/reports';
}

export const StatusBadge: FC<{ status: ReportStatus }> = ({ status }) => (
  <span class={`badge s-${status}`}>{STATUS_LABEL[status]}</span>
);

export async function listPage(c: ConsoleContext) {
  const { form, parsed } = readListQuery(c);
  const d = c.var.db;
  const [categories, departments, names] = await Promise.all([listCategories(d), listDepartments(d), catalogNames(d)]);
  const error = parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(' / ');
  let body = null;
  if (parsed.success) {
    const q = parsed.data;
    const filters = filtersOf(q);
    const { status: _status, ...others } = filters;
    const [page, counts] = await Promise.all([
      listReports(d, { ...filters, sort: q.sort, cursor: q.cursor, limit: q.limit }),
      countReportsByStatus(d, others),
    ]);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const next = page.nextCursor ? listHref(form, { cursor: page.nextCursor }) : null;
    body = (
      <>
        <section class="card counts" aria-labelledby="counts-title">
          <h2 id="counts-title">状態ごとの件数（状態以外の条件で）</h2>
          <ul>
            <li>
              <a href={listHref({ ...form, status: '' })} aria-current={form.status === '' ? 'true' : undefined}>
                すべて <span class="n">{total}件</span>
              </a>
            </li>
            {STATUSES.map((s) => (
              <li>
                <a href={listHref({ ...form, status: s })} aria-current={form.status === s ? 'true' : undefined}>
                  <StatusBadge status={s} /> <span class="n">{counts[s] ?? 0}件</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
        <p>
          <a href={listHref(form).replace('/admin/reports', '/admin/reports.csv')}>この条件でCSVをダウンロード</a>
        </p>
        <section class="table-wrap" aria-label="通報の一覧" tabindex={0}>
          <table class="reports">
            <caption class="muted">{q.sort === 'oldest' ? '古い順' : '新しい順'}</caption>
            <thead>
              <tr>
                <th scope="col">受付番号</th>
                <th scope="col">状態</th>
                <th scope="col">種類</th>
                <th scope="col">担当課</th>
                <th scope="col">場所</th>
                <th scope="col">内容</th>
                <th scope="col">受付日時</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((r) => (
                <tr>
                  <td class="nowrap">
                    <a href={`/admin/reports/${r.id}`}>{r.number}</a>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                    {r.hiddenAt !== null ? <span class="badge hidden-badge">非公開</span> : null}
                  </td>
                  <td>
                    {names.category.get(r.categoryCode) ?? r.categoryCode} /{' '}
                    {names.category.get(r.subtypeCode) ?? r.subtypeCode}
                  </td>
                  <td>{(r.departmentId && names.department.get(r.departmentId)) || r.departmentId || '—'}</td>
                  <td>{r.address ?? `${r.lat.toFixed(5)}, ${r.lng.toFixed(5)}`}</td>
                  <td>{excerpt(r.description)}</td>
                  <td class="nowrap">{when(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        {page.items.length === 0 ? <p>該当する通報はありません。</p> : null}
        <nav class="pager" aria-label="ページ送り">
          {q.cursor ? <a href={listHref(form)}>← 最初のページ</a> : null}
          {next ? <a href={next}>次へ →</a> : null}
        </nav>
      </>
    );
  }
  const tops = categories.filter((x) => x.parentCode === null);
  return c.html(
    <Layout c={c} title="通報">
      {error ? <p role="alert">条件を読み取れませんでした: {error}</p> : null}
      <form method="get" action="/admin/reports" class="card filters">
        <div>
          <label for="f-q">検索</label>
          <input type="text" id="f-q" name="q" value={form.q} maxlength={100} />
        </div>
        <div>
          <label for="f-status">状態</label>
          <select id="f-status" name="status">
            <option value="">すべて</option>
            {STATUSES.map((s) => (
              <option value={s} selected={form.status === s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-category">種類</label>
          <select id="f-category" name="category">
            <option value="">すべて</option>
            {tops.map((x) => (
              <option value={x.code} selected={form.category === x.code}>
                {x.nameJa}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-subtype">細目</label>
          <select id="f-subtype" name="subtype">
            <option value="">すべて</option>
            {tops.map((t) => (
              <optgroup label={t.nameJa}>
                {categories
                  .filter((x) => x.parentCode === t.code)
                  .map((x) => (
                    <option value={x.code} selected={form.subtype === x.code}>
                      {x.nameJa}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
        <div>
          <label for="f-department">担当課</label>
          <select id="f-department" name="department">
            <option value="">すべて</option>
            {departments.map((x) => (
              <option value={x.id} selected={form.department === x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-from">受付日（から）</label>
          <input type="date" id="f-from" name="from" value={form.from} />
        </div>
        <div>
          <label for="f-to">受付日（まで）</label>
          <input type="date" id="f-to" name="to" value={form.to} />
        </div>
        <div>
          <label for="f-hidden">非公開の通報</label>
          <select id="f-hidden" name="hidden">
            {(Object.keys(HIDDEN_LABEL) as (keyof typeof HIDDEN_LABEL)[]).map((k) => (
              <option value={k} selected={(form.hidden || 'include') === k}>
                {HIDDEN_LABEL[k]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-sort">並び順</label>
          <select id="f-sort" name="sort">
            <option value="newest">新しい順</option>
            <option value="oldest" selected={form.sort === 'oldest'}>
              古い順
            </option>
          </select>
        </div>
        <div>
          <button type="submit">絞り込む</button>
        </div>
      </form>
      {body}
    </Layout>,
    error ? 400 : 200,
  );
}

/** The start of a description, for a row of the list; the detail shows it whole. */
function excerpt(text: string, max = 60): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}
