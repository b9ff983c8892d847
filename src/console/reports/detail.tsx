import { inArray } from 'drizzle-orm';
import { audit } from '../../admin/audit';
import { staff } from '../../db/schema';
import { catalogNames, listDepartments } from '../../reports/catalog';
import { canTransition } from '../../reports/rules';
import { reportDetail } from '../../reports/staff';
import { handleOf } from '../../residents/handles';
import { CsrfField, Layout, when, type ConsoleContext } from '../kit';
import { StatusBadge } from './list';
import { DONE, MAIL_LABEL, STATUS_LABEL, STATUSES } from './texts';

/**
 * The detail at /admin/reports/:id: what the API's GET /reports/{id} gives (read with the same
 * service function and audited the same way), and the forms for what its PATCH and hide
 * routes do. The reporter is a handle or 「住民」, never a LINE user ID.
 */

/** What a refused form sent, so the page shown again keeps it. */
export interface Retry {
  status: 400 | 409;
  error: string;
  /** Which form failed (its fields are filled back in). */
  form: 'status' | 'department' | 'hide' | `photo-${string}`;
  values: Record<string, string>;
}

/** Names of the staff behind history rows; `resident` is the reporter's own submission. */
async function actorNames(c: ConsoleContext, ids: string[]) {
  const staffIds = [...new Set(ids.filter((x) => x !== 'resident'))];
  if (staffIds.length === 0) return new Map<string, string>();
  const rows = await c.var.db
    .select({ id: staff.id, name: staff.name })
    .from(staff)
    .where(inArray(staff.id, staffIds))
    .all();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export const mapLink = (lat: number, lng: number) =>
  `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}`;

export async function detailPage(c: ConsoleContext, id: string, retry?: Retry) {
  const d = c.var.db;
  const detail = await reportDetail(d, id);
  if (!detail) return null;
  const { report: r, photos, history, supporters, duplicates, nearby } = detail;
  const reporter = r.reporterLineUserId;
  // An anonymised report (reporter '') names no one.
  const handle = reporter ? await handleOf(d, reporter) : null;
  await audit(d, c.var.staff, 'report.read', 'report', id, { ...(handle ? { resident: handle } : {}), via: 'console' });
  const [names, departments, actors] = await Promise.all([
    catalogNames(d),
    listDepartments(d),
    actorNames(
      c,
      history.map((h) => h.actor),
    ),
  ]);
  const done = c.req.query('done');
  const notified = Number(c.req.query('notified') ?? 'NaN');
  const notice = done && DONE[done] ? DONE[done] : null;
  const csrf = c.var.session.csrf;
  const v = (form: Retry['form'], name: string) => (retry?.form === form ? (retry.values[name] ?? '') : '');
  const alertFor = (form: Retry['form']) =>
    retry?.form === form ? (
      <p role="alert" id={`err-${form}`}>
        {retry.error}
      </p>
    ) : null;
  const nextStatuses = STATUSES.filter((s) => s === r.status || canTransition(r.status, s));
  const chosen = v('status', 'status') || r.status;
  const dept = (x: string | null) => (x && names.department.get(x)) || x || '—';
  const base = `/admin/reports/${r.id}`;
  return c.html(
    <Layout c={c} title={`通報 ${r.number}`}>
      <div class="report-page">
        <p>
          <a href="/admin/reports">← 通報の一覧</a>
        </p>
        {notice ? (
          <p class="notice" role="status">
            {notice}
            {done === 'status' && Number.isInteger(notified)
              ? notified > 0
                ? ` 住民${notified}人にお知らせを送りました。`
                : ' 住民へのお知らせはありません。'
              : ''}
          </p>
        ) : null}
        <div class="report-cols">
          <div>
            <section class="card" aria-labelledby="facts-title">
              <h2 id="facts-title">概要</h2>
              <dl class="facts">
                <dt>状態</dt>
                <dd>
                  <StatusBadge status={r.status} />
                  {r.hiddenAt !== null ? (
                    <>
                      {' '}
                      <span class="badge hidden-badge">非公開</span> 理由: {r.hiddenReason}
                    </>
                  ) : null}
                </dd>
                <dt>種類</dt>
                <dd>
                  {names.category.get(r.categoryCode) ?? r.categoryCode} /{' '}
                  {names.category.get(r.subtypeCode) ?? r.subtypeCode}
                </dd>
                <dt>担当課</dt>
                <dd>{dept(r.departmentId)}</dd>
                <dt>受付日時</dt>
                <dd>{when(r.createdAt)}</dd>
                <dt>更新日時</dt>
                <dd>{when(r.updatedAt)}</dd>
                {r.closedAt !== null ? (
                  <>
                    <dt>完了日時</dt>
                    <dd>{when(r.closedAt)}</dd>
                  </>
                ) : null}
                <dt>通報者</dt>
                <dd>{handle ? <code>{handle}</code> : '住民'}</dd>
                <dt>賛同者</dt>
                <dd>{supporters.length}人</dd>
                <dt>担当課へのメール</dt>
                <dd>
                  {MAIL_LABEL[r.mailStatus]}
                  {r.mailSentAt !== null ? `（${when(r.mailSentAt)}）` : ''}
                  <form method="post" action={`${base}/mail`} class="inline">
                    <CsrfField token={csrf} />{' '}
                    <button type="submit" class="link">
                      メールを再送
                    </button>
                  </form>
                </dd>
                {r.duplicateOf ? (
                  <>
                    <dt>重複元</dt>
                    <dd>
                      <a href={`/admin/reports/${r.duplicateOf}`}>元の通報を開く</a>
                    </dd>
                  </>
                ) : null}
                {duplicates.length > 0 ? (
                  <>
                    <dt>この通報の重複</dt>
                    <dd>
                      {duplicates.map((x) => (
                        <a class="pill" href={`/admin/reports/${x.id}`}>
                          {x.number}
                        </a>
                      ))}
                    </dd>
                  </>
                ) : null}
                {nearby.length > 0 ? (
                  <>
                    <dt>近くの同じ種類の通報</dt>
                    <dd>
                      {nearby.map((x) => (
                        <span class="pill">
                          <a href={`/admin/reports/${x.id}`}>{x.number}</a> <StatusBadge status={x.status} /> 約
                          {x.distanceM}m
                        </span>
                      ))}
                    </dd>
                  </>
                ) : null}
              </dl>
            </section>

            <section class="card" aria-labelledby="desc-title">
              <h2 id="desc-title">内容</h2>
              <p class="prewrap">{r.description || '（本文なし）'}</p>
            </section>

            <section class="card" aria-labelledby="place-title">
              <h2 id="place-title">場所</h2>
              <dl class="facts">
                <dt>住所</dt>
                <dd>{r.address ?? '—'}</dd>
                <dt>緯度・経度</dt>
                <dd>
                  {r.lat.toFixed(6)}, {r.lng.toFixed(6)}
                </dd>
              </dl>
              <p>
                <a href={mapLink(r.lat, r.lng)} rel="noreferrer" target="_blank">
                  地図で見る（OpenStreetMap、新しいタブ）
                </a>
              </p>
            </section>

            <section class="card" aria-labelledby="photos-title">
              <h2 id="photos-title">写真</h2>
              {photos.length === 0 ? <p class="muted">写真はありません。</p> : null}
              <ul class="photos">
                {photos.map((p, i) => {
                  const key = `photo-${p.id}` as const;
                  const hidden = p.hiddenAt !== null;
                  return (
                    <li>
                      <img class="photo" src={`${base}/photos/${p.id}`} alt={`写真${i + 1}`} loading="lazy" />
                      {hidden ? (
                        <p>
                          <span class="badge hidden-badge">非公開</span> 理由: {p.hiddenReason}
                        </p>
                      ) : null}
                      <form method="post" action={`${base}/photos/${p.id}/${hidden ? 'unhide' : 'hide'}`}>
                        <CsrfField token={csrf} />
                        {alertFor(key)}
                        <label for={`reason-${p.id}`}>
                          写真{i + 1}の{hidden ? '非公開を解除する' : '非公開にする'}理由
                        </label>
                        <input
                          type="text"
                          id={`reason-${p.id}`}
                          name="reason"
                          maxlength={500}
                          required
                          value={v(key, 'reason')}
                        />
                        <div class="actions">
                          <button type="submit" class="secondary">
                            {hidden ? `写真${i + 1}を再公開` : `写真${i + 1}を非公開にする`}
                          </button>
                        </div>
                      </form>
                    </li>
                  );
                })}
              </ul>
            </section>
          </div>
          <div>
            <section class="card" aria-labelledby="change-title">
              <h2 id="change-title">対応状況の更新</h2>
              <form method="post" action={`${base}/status`}>
                <CsrfField token={csrf} />
                {alertFor('status')}
                <label for="status">状態</label>
                <select id="status" name="status">
                  {nextStatuses.map((s) => (
                    <option value={s} selected={s === chosen}>
                      {STATUS_LABEL[s]}
                    </option>
                  ))}
                </select>
                {nextStatuses.includes('duplicate') || r.status === 'duplicate' ? (
                  <>
                    <label for="duplicateOf">重複元の受付番号（「重複」にするとき）</label>
                    <input
                      type="text"
                      id="duplicateOf"
                      name="duplicateOf"
                      placeholder="R-2026-000123"
                      value={v('status', 'duplicateOf')}
                    />
                  </>
                ) : null}
                <label for="publicNote">住民へのお知らせ（公開）</label>
                <textarea id="publicNote" name="publicNote" maxlength={1000} aria-describedby="publicNote-hint">
                  {v('status', 'publicNote')}
                </textarea>
                <p class="muted" id="publicNote-hint">
                  書いた内容は通報者と賛同者にLINEで届きます。完了・対応不可などにしたときは、書かなくても状態が届きます。
                </p>
                <label for="internalNote">内部メモ</label>
                <textarea id="internalNote" name="internalNote" maxlength={2000} aria-describedby="internalNote-hint">
                  {v('status', 'internalNote')}
                </textarea>
                <p class="muted" id="internalNote-hint">
                  職員だけが読みます。住民には届きません。
                </p>
                <div class="actions">
                  <button type="submit">更新</button>
                </div>
              </form>
            </section>

            <section class="card" aria-labelledby="dept-title">
              <h2 id="dept-title">担当課の変更</h2>
              <form method="post" action={`${base}/department`}>
                <CsrfField token={csrf} />
                {alertFor('department')}
                <label for="department">担当課</label>
                <select id="department" name="department">
                  {departments.map((x) => (
                    <option value={x.id} selected={x.id === (v('department', 'department') || r.departmentId)}>
                      {x.name}
                    </option>
                  ))}
                </select>
                <p class="muted">変更すると、新しい担当課にメールで知らせます。</p>
                <div class="actions">
                  <button type="submit" class="secondary">
                    担当課を変更
                  </button>
                </div>
              </form>
            </section>

            <section class="card" aria-labelledby="hide-title">
              <h2 id="hide-title">{r.hiddenAt !== null ? '非公開の解除' : '非公開にする'}</h2>
              <p class="muted">
                非公開にすると、公開の一覧（Open311）などに出なくなります。通報の記録はそのまま残ります。
              </p>
              <form method="post" action={`${base}/${r.hiddenAt !== null ? 'unhide' : 'hide'}`}>
                <CsrfField token={csrf} />
                {alertFor('hide')}
                <label for="hide-reason">理由</label>
                <input
                  type="text"
                  id="hide-reason"
                  name="reason"
                  maxlength={500}
                  required
                  value={v('hide', 'reason')}
                />
                <div class="actions">
                  <button type="submit" class={r.hiddenAt !== null ? 'secondary' : 'danger'}>
                    {r.hiddenAt !== null ? '非公開を解除' : '通報を非公開にする'}
                  </button>
                </div>
              </form>
            </section>
          </div>
        </div>
        <section aria-labelledby="history-title">
          <h2 id="history-title">履歴</h2>
          <section class="table-wrap" aria-label="対応の履歴" tabindex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">日時</th>
                  <th scope="col">担当</th>
                  <th scope="col">状態</th>
                  <th scope="col">住民へのお知らせ</th>
                  <th scope="col">内部メモ</th>
                  <th scope="col">担当課</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr>
                    <td class="nowrap">{when(h.at)}</td>
                    <td>{h.actor === 'resident' ? '住民' : (actors.get(h.actor) ?? h.actor)}</td>
                    <td class="nowrap">
                      {h.fromStatus && h.fromStatus !== h.toStatus ? (
                        <>{STATUS_LABEL[h.fromStatus as keyof typeof STATUS_LABEL] ?? h.fromStatus} → </>
                      ) : null}
                      <StatusBadge status={h.toStatus as (typeof STATUSES)[number]} />
                    </td>
                    <td class="prewrap">{h.publicNote ?? ''}</td>
                    <td class="prewrap">{h.internalNote ?? ''}</td>
                    <td>{dept(h.departmentId)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </section>
      </div>
    </Layout>,
    retry?.status ?? 200,
  );
}
