import { audit } from '../../admin/audit';
import { isJstDate, jstParts } from '../../calendar/jst';
import {
  absenceJson,
  absencesCsv,
  confirmAbsence,
  countsOf,
  listAbsences,
  type AbsenceRow,
} from '../../schools/absences-staff';
import { schoolFor } from '../../schools/registry';
import { ConfirmBody } from '../../schools/schemas';
import { consoleRouter, CsrfField, field, guard, Layout, when, type ConsoleContext } from '../kit';
import { classJa, dayJa, NOTICE_STATUS_JA, TYPE_JA } from './labels';
import { SchoolNav } from './nav';

/**
 * A school's day: the notices on one day (today in JST unless another is picked), by grade
 * and class with counts, each with 確認 and a comment for the guardian; and the day's CSV.
 * The same service functions as `/api/v1/schools/{id}/absences…`, audited the same way.
 */
export const dayPages = consoleRouter();

/** The day asked for (`YYYY-MM-DD`, read in JST), else today. */
const dayOf = (q: string | undefined) => (q && isJstDate(q) ? q : jstParts(Date.now()).date);

/** A refused 確認: which notice, why, and the comment as typed (so it is not lost). */
interface Refusal {
  absenceId: string;
  message: string;
  comment: string;
}

/** The day's notices grouped by grade, then class, in the list's own order. */
function byClass(rows: AbsenceRow[]) {
  const groups: { grade: number; cls: string; rows: AbsenceRow[] }[] = [];
  for (const r of rows) {
    const last = groups.at(-1);
    if (last && last.grade === r.pupilGrade && last.cls === r.pupilClass) last.rows.push(r);
    else groups.push({ grade: r.pupilGrade, cls: r.pupilClass, rows: [r] });
  }
  return groups;
}

const typeCounts = (rows: AbsenceRow[]) => {
  const n = countsOf(rows);
  return `欠席${n.absence}・遅刻${n.late}・早退${n.early_leave}`;
};

async function renderDay(c: ConsoleContext, id: string, date: string, error?: Refusal) {
  const school = await schoolFor(c.var.db, c.var.staff, id);
  const rows = await listAbsences(c.var.db, school.id, { date });
  await audit(c.var.db, c.var.staff, 'school.absences.read', 'school', school.id, {
    date,
    count: rows.length,
    via: 'console',
  });
  const counts = countsOf(rows);
  const done = c.req.query('done') === 'confirmed';
  return (
    <Layout c={c} title={school.name}>
      <SchoolNav school={school} current="day" />
      {done ? (
        <p class="notice" role="status">
          確認しました。保護者にお知らせしました。
        </p>
      ) : null}
      {error ? <p role="alert">{error.message}</p> : null}
      <form method="get" action={`/admin/schools/${school.id}`} class="card filters">
        <div>
          <label for="date">日付</label>
          <input type="date" id="date" name="date" value={date} />
        </div>
        <div>
          <button type="submit">表示</button>
        </div>
      </form>
      <h2>{dayJa(date)}の連絡</h2>
      <dl class="facts day-counts">
        <dt>欠席</dt>
        <dd>{counts.absence}件</dd>
        <dt>遅刻</dt>
        <dd>{counts.late}件</dd>
        <dt>早退</dt>
        <dd>{counts.early_leave}件</dd>
        <dt>未確認</dt>
        <dd>{counts.unconfirmed}件</dd>
        <dt>取消</dt>
        <dd>{counts.withdrawn}件</dd>
      </dl>
      <p>
        <a href={`/admin/schools/${school.id}/absences.csv?date=${date}`}>この日の一覧をCSVでダウンロード</a>
      </p>
      {rows.length === 0 ? <p>この日の連絡はありません。</p> : null}
      {byClass(rows).map((g) => (
        <section class="class-group" aria-labelledby={`cls-${g.grade}-${g.cls}`}>
          <h3 id={`cls-${g.grade}-${g.cls}`}>
            {classJa(g.grade, g.cls)}（{typeCounts(g.rows)}）
          </h3>
          {g.rows.map((r) => (
            <Notice
              row={r}
              schoolId={school.id}
              date={date}
              csrf={c.var.session.csrf}
              typed={error?.absenceId === r.notice.id ? error.comment : ''}
            />
          ))}
        </section>
      ))}
    </Layout>
  );
}

function Notice(props: { row: AbsenceRow; schoolId: string; date: string; csrf: string; typed: string }) {
  const n = absenceJson(props.row);
  const range = n.dateTo ? `${dayJa(n.date)}〜${dayJa(n.dateTo)}` : null;
  return (
    <article class="card absence" id={`n-${n.id}`} aria-labelledby={`t-${n.id}`}>
      <h4 id={`t-${n.id}`}>
        {n.pupil.name} <span class={`badge t-${n.type}`}>{TYPE_JA[n.type]}</span>{' '}
        <span class={`badge a-${n.status}`}>{NOTICE_STATUS_JA[n.status]}</span>
        {n.late ? <span class="badge a-late">締切後</span> : null}
      </h4>
      <dl class="facts">
        <dt>受付番号</dt>
        <dd>{n.number}</dd>
        {range ? (
          <>
            <dt>期間</dt>
            <dd>{range}</dd>
          </>
        ) : null}
        <dt>理由</dt>
        <dd>{n.reason}</dd>
        {n.symptoms.length > 0 ? (
          <>
            <dt>症状</dt>
            <dd>{n.symptoms.join('、')}</dd>
          </>
        ) : null}
        {n.temperature !== null ? (
          <>
            <dt>体温</dt>
            <dd>{n.temperature.toFixed(1)}℃</dd>
          </>
        ) : null}
        {n.time ? (
          <>
            <dt>{n.type === 'late' ? '登校予定' : '下校時刻'}</dt>
            <dd>{n.time}</dd>
          </>
        ) : null}
        {n.note ? (
          <>
            <dt>連絡事項</dt>
            <dd>{n.note}</dd>
          </>
        ) : null}
        <dt>送信</dt>
        <dd>{when(props.row.notice.submittedAt)}</dd>
        {props.row.notice.confirmedAt ? (
          <>
            <dt>確認</dt>
            <dd>{when(props.row.notice.confirmedAt)}</dd>
          </>
        ) : null}
        {props.row.notice.withdrawnAt ? (
          <>
            <dt>取消</dt>
            <dd>{when(props.row.notice.withdrawnAt)}（保護者が取り消しました）</dd>
          </>
        ) : null}
      </dl>
      {n.status === 'submitted' ? (
        <form method="post" action={`/admin/schools/${props.schoolId}/absences/${n.id}/confirm`}>
          <CsrfField token={props.csrf} />
          <input type="hidden" name="date" value={props.date} />
          <label for={`comment-${n.id}`}>コメント</label>
          <textarea id={`comment-${n.id}`} name="comment" maxlength={200} aria-describedby={`hint-${n.id}`}>
            {props.typed}
          </textarea>
          <p class="muted" id={`hint-${n.id}`}>
            任意・200字まで。確認のお知らせと一緒に保護者へ届きます。
          </p>
          <div class="actions">
            <button type="submit">確認</button>
          </div>
        </form>
      ) : null}
    </article>
  );
}

dayPages.get('/schools/:id', guard('school_staff'), async (c) =>
  c.html(await renderDay(c, c.req.param('id'), dayOf(c.req.query('date')))),
);

dayPages.post('/schools/:id/absences/:absenceId/confirm', guard('school_staff'), async (c) => {
  const { id, absenceId } = c.req.param();
  const body = await c.req.parseBody();
  const date = dayOf(field(body, 'date'));
  const raw = field(body, 'comment');
  const parsed = ConfirmBody.safeParse(raw ? { comment: raw } : {});
  const school = await schoolFor(c.var.db, c.var.staff, id);
  if (!parsed.success) {
    const message = 'コメントは200字以内で入力してください。確認はまだしていません。';
    return c.html(await renderDay(c, school.id, date, { absenceId, message, comment: raw }), 400);
  }
  await confirmAbsence(c.env, c.var.db, c.var.staff, school, absenceId, parsed.data.comment ?? null, Date.now());
  return c.redirect(`/admin/schools/${school.id}?date=${date}&done=confirmed#n-${absenceId}`, 303);
});

dayPages.get('/schools/:id/absences.csv', guard('school_staff'), async (c) => {
  const school = await schoolFor(c.var.db, c.var.staff, c.req.param('id'));
  const date = dayOf(c.req.query('date'));
  const rows = await listAbsences(c.var.db, school.id, { date });
  await audit(c.var.db, c.var.staff, 'school.absences.read', 'school', school.id, {
    date,
    format: 'csv',
    count: rows.length,
    via: 'console',
  });
  return c.body(absencesCsv(rows), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="absences-${date}.csv"`,
  });
});
