import { listBroadcasts } from '../../broadcasts/service';
import { BROADCAST_STATUSES, type BroadcastStatus } from '../../db/schema';
import { consoleRouter, guard, Layout, may, when } from '../kit';
import { READERS, SENDERS } from './actions';
import { PAGE_SIZE, readCursor, writeCursor } from './paging';
import { audienceJa, STATUS_JA } from './texts';
import { audienceNames, StatusBadge } from './view';

/** The list (/admin/broadcasts): what this staff member may see, newest first, by status, a page at a time. */
export const listPages = consoleRouter();

const isStatus = (s: string | undefined): s is BroadcastStatus =>
  s !== undefined && (BROADCAST_STATUSES as readonly string[]).includes(s);

listPages.get('/broadcasts', guard(...READERS), async (c) => {
  const d = c.var.db;
  const q = c.req.query();
  const status = isStatus(q.status) ? q.status : undefined;
  const page = await listBroadcasts(c.env, d, c.var.staff, Date.now(), {
    status,
    limit: PAGE_SIZE + 1,
    before: readCursor(q.after),
  });
  const rows = page.slice(0, PAGE_SIZE);
  const places = await audienceNames(
    d,
    rows.map((r) => r.audience),
  );
  const last = rows.at(-1);
  const qs = (after: string) => new URLSearchParams(status ? { status, after } : { after });
  const next = page.length > PAGE_SIZE && last ? `/admin/broadcasts?${qs(writeCursor(last))}` : null;
  return c.html(
    <Layout c={c} title="配信">
      {may(c, SENDERS) ? (
        <p>
          <a class="button" href="/admin/broadcasts/new">
            新しい配信を作成
          </a>
        </p>
      ) : null}
      <form method="get" action="/admin/broadcasts" class="card filters">
        <div>
          <label for="status">状態</label>
          <select id="status" name="status">
            <option value="">すべて</option>
            {BROADCAST_STATUSES.map((s) => (
              <option value={s} selected={s === status}>
                {STATUS_JA[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit">絞り込む</button>
        </div>
      </form>
      <section class="table-wrap bc-list" aria-label="配信の一覧" tabindex={0}>
        <table>
          <caption class="muted">新しい順</caption>
          <thead>
            <tr>
              <th scope="col">タイトル</th>
              <th scope="col">状態</th>
              <th scope="col">配信対象</th>
              <th scope="col">配信予定・開始</th>
              <th scope="col">配信済み / 対象</th>
              <th scope="col">作成</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr>
                <td>
                  <a href={`/admin/broadcasts/${b.id}`}>{b.title}</a>
                  {b.urgent ? <span class="badge urgent">緊急</span> : null}
                </td>
                <td>
                  <StatusBadge status={b.status} />
                </td>
                <td>{audienceJa(b.audience, places)}</td>
                <td class="nowrap">{when(b.releasedAt ?? b.nextReleaseAt ?? b.scheduledAt)}</td>
                <td class="nowrap">
                  {b.progress.batches > 0
                    ? `${b.progress.delivered.toLocaleString('ja-JP')} / ${b.progress.recipients.toLocaleString('ja-JP')}`
                    : '—'}
                </td>
                <td class="nowrap">{when(b.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {rows.length === 0 ? <p>該当する配信はありません。</p> : null}
      {next ? (
        <nav class="pager" aria-label="ページ送り">
          <a href={next}>次へ →</a>
        </nav>
      ) : null}
    </Layout>,
  );
});
