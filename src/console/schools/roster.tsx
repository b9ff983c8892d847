import { HTTPException } from 'hono/http-exception';
import { audit } from '../../admin/audit';
import { config } from '../../config';
import { importPupils, listPupils, reissueCode } from '../../schools/roster';
import { schoolFor, type SchoolRow } from '../../schools/registry';
import { consoleRouter, CsrfField, guard, Layout, when, type ConsoleContext } from '../kit';
import { classJa } from './labels';
import { SchoolNav } from './nav';
import { Pager } from './pager';
import { Slips } from './slips';

/**
 * The roster: a CSV upload (the API's own import, all or nothing, errors named by line), the
 * pupils with their number of linked guardians, and a new code for a pupil. Codes appear only in
 * the answer to the POST that made them (no-store): a reload of the roster never shows them.
 */
export const rosterPages = consoleRouter();

const PAGE_SIZE = 100;
/** A roster of 2,000 rows is well under this; anything larger is not a roster. */
const MAX_UPLOAD_BYTES = 1_000_000;

const NO_STORE = { 'cache-control': 'no-store' };

async function renderRoster(c: ConsoleContext, school: SchoolRow, errors?: string[]) {
  const gradeQ = Number.parseInt(c.req.query('grade') ?? '', 10);
  const grade = gradeQ >= 1 && gradeQ <= 9 ? gradeQ : undefined;
  const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
  const all = await listPupils(c.var.db, school.id, { grade, graduated: 'exclude' });
  await audit(c.var.db, c.var.staff, 'school.pupils.read', 'school', school.id, { count: all.length, via: 'console' });
  const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const base = `/admin/schools/${school.id}/roster${grade ? `?grade=${grade}` : ''}`;
  return (
    <Layout c={c} title={`${school.name}の名簿`}>
      <SchoolNav school={school} current="roster" />
      {errors ? (
        <div role="alert">
          <p>名簿を取り込めませんでした。何も登録していません。次の行を直して、もう一度お試しください。</p>
          <ul class="import-errors">
            {errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <section class="card" aria-labelledby="import-title">
        <h2 id="import-title">名簿の取り込み（CSV）</h2>
        <p>
          1行目に列名を書いたCSV（UTF-8）を選んでください。列：<code>grade</code>（学年 1〜9）、
          <code>class</code>（組）、<code>number</code>（出席番号・任意）、<code>name</code>（氏名）、
          <code>kana</code>（ふりがな）、<code>groups</code>（部活動など・任意、複数は <code>|</code> で区切る）。
          すべての行が正しいときだけ登録し、一人ひとりの登録コードを一度だけ表示します。
        </p>
        <pre class="csv-example">{'grade,class,number,name,kana\n1,1,1,岡山 一郎,おかやま いちろう'}</pre>
        <form method="post" action={`/admin/schools/${school.id}/pupils`} enctype="multipart/form-data">
          <CsrfField token={c.var.session.csrf} />
          <label for="file">名簿CSV</label>
          <input type="file" id="file" name="file" accept=".csv,text/csv" required />
          <div class="actions">
            <button type="submit">取り込む</button>
          </div>
        </form>
      </section>
      <h2>名簿</h2>
      <form method="get" action={`/admin/schools/${school.id}/roster`} class="card filters">
        <div>
          <label for="grade">学年</label>
          <select id="grade" name="grade">
            <option value="">すべて</option>
            {[1, 2, 3, 4, 5, 6, 7, 8, 9].map((g) => (
              <option value={String(g)} selected={g === grade}>
                {g}年
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="submit">絞り込む</button>
        </div>
      </form>
      <p>{all.length}人</p>
      {shown.length > 0 ? (
        <section class="table-wrap" aria-label="名簿" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">学年・組</th>
                <th scope="col">番号</th>
                <th scope="col">氏名</th>
                <th scope="col">登録済みの保護者</th>
                <th scope="col">コードの有効期限</th>
                <th scope="col">登録コード</th>
              </tr>
            </thead>
            <tbody>
              {shown.map(({ pupil: p, guardianCount }) => (
                <tr>
                  <td class="nowrap">{classJa(p.grade, p.class)}</td>
                  <td>{p.number ?? '—'}</td>
                  <td>
                    {p.name}
                    <br />
                    <span class="muted">{p.kana}</span>
                  </td>
                  <td>{guardianCount}人</td>
                  <td class="nowrap">{p.codeHash ? when(p.codeExpiresAt) : '—'}</td>
                  <td>
                    <form method="post" action={`/admin/schools/${school.id}/pupils/${p.id}/code`} class="inline">
                      <CsrfField token={c.var.session.csrf} />
                      <button type="submit" class="secondary" aria-label={`${p.name}さんの登録コードを再発行`}>
                        再発行
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        <p>名簿に登録された児童生徒はいません。</p>
      )}
      <Pager page={page} more={all.length > page * PAGE_SIZE} base={base} />
    </Layout>
  );
}

rosterPages.get('/schools/:id/roster', guard('school_staff'), async (c) => {
  const school = await schoolFor(c.var.db, c.var.staff, c.req.param('id'));
  return c.html(await renderRoster(c, school));
});

/** The import's refusal, one line per row: `Nothing was imported. line 3: grade: …; line 4: …`. */
export function importErrors(detail: string): string[] {
  return detail
    .replace(/^Nothing was imported\.\s*/, '')
    .split(/;\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

rosterPages.post('/schools/:id/pupils', guard('school_staff'), async (c) => {
  const school = await schoolFor(c.var.db, c.var.staff, c.req.param('id'));
  const file = (await c.req.parseBody()).file;
  if (!(file instanceof File) || file.size === 0)
    return c.html(await renderRoster(c, school, ['CSVファイルを選んでください。']), 400);
  if (file.size > MAX_UPLOAD_BYTES)
    return c.html(
      await renderRoster(c, school, ['ファイルが大きすぎます（1MBまで）。分けて取り込んでください。']),
      413,
    );
  let codes: Awaited<ReturnType<typeof importPupils>>;
  try {
    codes = await importPupils(
      c.var.db,
      c.var.staff,
      school,
      'text/csv',
      await file.text(),
      Date.now(),
      config(c.env).registrationCodeDays,
    );
  } catch (err) {
    if (err instanceof HTTPException && err.status === 400)
      return c.html(await renderRoster(c, school, importErrors(err.message)), 400);
    throw err;
  }
  return c.html(
    <Layout c={c} title={`${school.name}の登録コード`}>
      <Slips school={school} codes={codes} />
    </Layout>,
    201,
    NO_STORE,
  );
});

rosterPages.post('/schools/:id/pupils/:pupilId/code', guard('school_staff'), async (c) => {
  const school = await schoolFor(c.var.db, c.var.staff, c.req.param('id'));
  const code = await reissueCode(
    c.var.db,
    c.var.staff,
    school.id,
    c.req.param('pupilId'),
    Date.now(),
    config(c.env).registrationCodeDays,
  );
  return c.html(
    <Layout c={c} title={`${school.name}の登録コード`}>
      <Slips school={school} codes={[code]} />
    </Layout>,
    201,
    NO_STORE,
  );
});
