import { may as mayForAudience } from '../../broadcasts/senders';
import { getBroadcast, listBroadcasts, wroteContent } from '../../broadcasts/service';
import { consoleRouter, guard, Layout, when } from '../kit';
import { APPROVERS } from './actions';
import { ApprovalForms } from './approval-forms';
import { PAGE_SIZE, readCursor, writeCursor } from './paging';
import { audienceJa } from './texts';
import { audienceNames, Bubbles, Outcome, speakerIn, staffNames } from './view';

/**
 * The approval queue (/admin/approvals): every broadcast waiting for approval that the staff
 * member may see, newest first (as the API lists), each with its content inline.
 * The buttons show only where the API would take them; the service decides in the end.
 */
export const approvalPages = consoleRouter();

approvalPages.get('/approvals', guard(...APPROVERS), async (c) => {
  const d = c.var.db;
  const by = c.var.staff;
  const now = Date.now();
  const before = readCursor(c.req.query('after'));
  const page = await listBroadcasts(c.env, d, by, now, { status: 'pending_approval', limit: PAGE_SIZE + 1, before });
  const rows = page.slice(0, PAGE_SIZE);
  // The content is not in the list's summaries; each is read as its own page reads it.
  const full = await Promise.all(rows.map((r) => getBroadcast(c.env, d, by, r.id, now)));
  const [names, places, mayApprove] = await Promise.all([
    staffNames(
      d,
      full.flatMap((b) => [b.createdBy, b.updatedBy]),
    ),
    audienceNames(
      d,
      full.map((b) => b.audience),
    ),
    Promise.all(full.map((b) => mayForAudience(d, by, b.audience, 'approve', b.createdBy))),
  ]);
  const last = rows.at(-1);
  const next = page.length > PAGE_SIZE && last ? `/admin/approvals?after=${writeCursor(last)}` : null;
  const q = c.req.query();
  return c.html(
    <Layout c={c} title="承認待ち">
      <Outcome done={q.done} failed={q.failed} />
      {full.length === 0 ? <p>承認を待っている配信はありません。</p> : null}
      {full.map((b, i) => {
        const mine = wroteContent(by, b);
        return (
          <article class="card queue-item" aria-labelledby={`q-${b.id}`}>
            <h2 id={`q-${b.id}`}>
              <a href={`/admin/broadcasts/${b.id}`}>{b.title}</a>
            </h2>
            <dl class="facts">
              <dt>配信対象</dt>
              <dd>{audienceJa(b.audience, places)}</dd>
              <dt>作成</dt>
              <dd>
                {names.get(b.createdBy) ?? b.createdBy}（{when(b.createdAt)}）
              </dd>
              {b.updatedBy !== b.createdBy ? (
                <>
                  <dt>最終更新</dt>
                  <dd>
                    {names.get(b.updatedBy) ?? b.updatedBy}（{when(b.updatedAt)}）
                  </dd>
                </>
              ) : null}
              <dt>配信日時の指定</dt>
              <dd>{b.scheduledAt === null ? 'なし（承認後すぐ、配信時間内に）' : when(b.scheduledAt)}</dd>
              {b.urgent ? (
                <>
                  <dt>緊急</dt>
                  <dd>はい（配信時間外でも配信）</dd>
                </>
              ) : null}
            </dl>
            <Bubbles
              messages={b.messages}
              speaker={speakerIn(places, b.audience)}
              requestAck={b.requestAck}
              label={`「${b.title}」の配信内容`}
            />
            {mine ? (
              <p class="muted">ご自身が作成または最後に編集した配信のため、別の職員が承認します。</p>
            ) : mayApprove[i] ? (
              <ApprovalForms c={c} id={b.id} back="approvals" />
            ) : (
              <p class="muted">
                {b.audience.type === 'school'
                  ? 'この配信はその学校の職員が承認します。'
                  : 'この配信を承認する権限がありません。'}
              </p>
            )}
          </article>
        );
      })}
      {next ? (
        <nav class="pager" aria-label="ページ送り">
          <a href={next}>次へ →</a>
        </nav>
      ) : null}
    </Layout>,
  );
});
