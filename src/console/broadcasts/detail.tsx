import { lastReturn } from '../../broadcasts/queue';
import { may as mayForAudience } from '../../broadcasts/senders';
import { getBroadcast, isCancellable, wroteContent } from '../../broadcasts/service';
import { consoleRouter, CsrfField, guard, Layout, may, when, type ConsoleContext } from '../kit';
import { APPROVERS, READERS, SENDERS } from './actions';
import { editRefusal } from './composer';
import { ApprovalForms } from './approval-forms';
import { audienceJa, BATCH_STATUS_JA } from './texts';
import { audienceNames, Bubbles, Outcome, speakerIn, staffNames, StatusBadge } from './view';

/** One broadcast (/admin/broadcasts/:id): its content, status, progress, and what may be done with it. */
export const detailPages = consoleRouter();

/** Batches shown on the page; a send to everyone is one call, a large segment a few hundred. */
const BATCHES_SHOWN = 100;

type Detail = Awaited<ReturnType<typeof getBroadcast>>;

/** Who may press which button, asked of the API's own rules (senders.ts, service.ts) and route roles. */
async function allowed(c: ConsoleContext, b: Detail) {
  const d = c.var.db;
  const by = c.var.staff;
  const [write, approve, cancel, test, refusal] = await Promise.all([
    ...(['write', 'approve', 'cancel', 'test'] as const).map((a) => mayForAudience(d, by, b.audience, a, b.createdBy)),
    editRefusal(c, b),
  ]);
  return {
    edit: refusal === null,
    submit: write && may(c, SENDERS) && b.status === 'draft',
    approve: approve && may(c, APPROVERS) && b.status === 'pending_approval' && !wroteContent(by, b),
    cancel: cancel && isCancellable(b.status),
    test,
  };
}

function Progress({ b }: { b: Detail }) {
  const p = b.progress;
  const rows: [string, number][] = [
    ['送信単位（バッチ）', p.batches],
    ['対象者', p.recipients],
    ['配信済み', p.delivered],
    ['失敗', p.failed],
    ['不明（LINEに届いた可能性あり）', p.unknown],
    ['未送信', p.pending],
    ['取り消し', p.cancelled],
  ];
  return (
    <section class="card progress-card" aria-labelledby="progress">
      <h2 id="progress">配信の進み具合</h2>
      {b.releasedAt === null ? <p class="muted">まだ配信は始まっていません。</p> : null}
      <dl class="facts progress">
        {rows.map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd data-count={k}>{v.toLocaleString('ja-JP')}</dd>
          </>
        ))}
      </dl>
      {b.batches.length > 0 ? (
        <section class="table-wrap" aria-label="送信単位の一覧" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">番号</th>
                <th scope="col">方法</th>
                <th scope="col">人数</th>
                <th scope="col">状態</th>
                <th scope="col">試行</th>
                <th scope="col">LINEの応答</th>
              </tr>
            </thead>
            <tbody>
              {b.batches.slice(0, BATCHES_SHOWN).map((x) => (
                <tr>
                  <td>{x.seq + 1}</td>
                  <td>{x.kind === 'broadcast' ? '全員へ一斉' : '指定の人へ'}</td>
                  <td>{x.recipients.toLocaleString('ja-JP')}</td>
                  <td>{BATCH_STATUS_JA[x.status] ?? x.status}</td>
                  <td>{x.attempts}</td>
                  <td>{x.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {b.batches.length > BATCHES_SHOWN ? (
        <p class="muted">ほか {(b.batches.length - BATCHES_SHOWN).toLocaleString('ja-JP')} 件の送信単位があります。</p>
      ) : null}
    </section>
  );
}

detailPages.get('/broadcasts/:id{[0-9a-f-]{36}}', guard(...READERS), async (c) => {
  const d = c.var.db;
  const b = await getBroadcast(c.env, d, c.var.staff, c.req.param('id'), Date.now());
  const [can, places, returned] = await Promise.all([
    allowed(c, b),
    audienceNames(d, [b.audience]),
    b.status === 'draft' ? lastReturn(d, b.id, b.updatedAt) : Promise.resolve(null),
  ]);
  const names = await staffNames(d, [b.createdBy, b.updatedBy, b.approvedBy, b.cancelledBy, returned?.staffId ?? null]);
  const who = (id: string | null) => (id === null ? '—' : (names.get(id) ?? id));
  const q = c.req.query();
  const csrf = c.var.session.csrf;
  return c.html(
    <Layout c={c} title={b.title}>
      <Outcome done={q.done} failed={q.failed} />
      {returned ? (
        <div class="card returned" role="note" aria-labelledby="returned">
          <h2 id="returned">差し戻されました</h2>
          <p>
            {who(returned.staffId)}（{when(returned.at)}）:
          </p>
          <p class="reason">{returned.reason}</p>
        </div>
      ) : null}
      <dl class="facts card">
        <dt>状態</dt>
        <dd>
          <StatusBadge status={b.status} />
          {b.waitingForHours ? <span class="muted"> 配信時間外のため、時間になるのを待っています。</span> : null}
        </dd>
        <dt>配信対象</dt>
        <dd>{audienceJa(b.audience, places)}</dd>
        {b.urgent ? (
          <>
            <dt>緊急</dt>
            <dd>はい（配信時間外でも配信）</dd>
          </>
        ) : null}
        {b.requestAck ? (
          <>
            <dt>確認ボタン</dt>
            <dd>「確認しました」ボタン付き</dd>
          </>
        ) : null}
        <dt>配信日時の指定</dt>
        <dd>{b.scheduledAt === null ? 'なし（承認後すぐ、配信時間内に）' : when(b.scheduledAt)}</dd>
        {b.nextReleaseAt !== null ? (
          <>
            <dt>配信予定</dt>
            <dd>{when(b.nextReleaseAt)} ごろ</dd>
          </>
        ) : null}
        <dt>作成</dt>
        <dd>
          {who(b.createdBy)}（{when(b.createdAt)}）
        </dd>
        <dt>最終更新</dt>
        <dd>
          {who(b.updatedBy)}（{when(b.updatedAt)}）
        </dd>
        {b.approvedAt !== null ? (
          <>
            <dt>承認</dt>
            <dd>
              {who(b.approvedBy)}（{when(b.approvedAt)}）
            </dd>
          </>
        ) : null}
        {b.releasedAt !== null ? (
          <>
            <dt>配信開始</dt>
            <dd>{when(b.releasedAt)}</dd>
          </>
        ) : null}
        {b.finishedAt !== null ? (
          <>
            <dt>配信終了</dt>
            <dd>{when(b.finishedAt)}</dd>
          </>
        ) : null}
        {b.cancelledAt !== null ? (
          <>
            <dt>取り消し</dt>
            <dd>
              {who(b.cancelledBy)}（{when(b.cancelledAt)}）
            </dd>
          </>
        ) : null}
        {b.failureReason ? (
          <>
            <dt>失敗の理由</dt>
            <dd>{b.failureReason}</dd>
          </>
        ) : null}
      </dl>
      <h2>配信内容</h2>
      <Bubbles messages={b.messages} speaker={speakerIn(places, b.audience)} requestAck={b.requestAck} />
      <Progress b={b} />
      <div class="actions bc-actions">
        {can.edit ? (
          <a class="button secondary" href={`/admin/broadcasts/${b.id}/edit`}>
            編集する
          </a>
        ) : null}
        {can.submit ? (
          <form method="post" action={`/admin/broadcasts/${b.id}/submit`} class="inline">
            <CsrfField token={csrf} />
            <button type="submit">承認依頼</button>
          </form>
        ) : null}
        {can.test ? (
          <form method="post" action={`/admin/broadcasts/${b.id}/test`} class="inline">
            <CsrfField token={csrf} />
            <button type="submit" class="secondary">
              テスト送信
            </button>
          </form>
        ) : null}
        {can.cancel ? (
          <form method="post" action={`/admin/broadcasts/${b.id}/cancel`} class="inline">
            <CsrfField token={csrf} />
            <button type="submit" class="danger">
              配信を取り消す
            </button>
          </form>
        ) : null}
      </div>
      {can.approve ? <ApprovalForms c={c} id={b.id} back="detail" /> : null}
      <p>
        <a href="/admin/broadcasts">配信の一覧へ</a>
      </p>
    </Layout>,
  );
});
