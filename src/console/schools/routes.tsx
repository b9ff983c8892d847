import type { Child } from 'hono/jsx';
import { audit } from '../../admin/audit';
import { jstParts } from '../../calendar/jst';
import { unconfirmedBySchool } from '../../schools/absences-staff';
import { listSchools } from '../../schools/registry';
import { consoleRouter, guard, Layout, may, type ConsoleContext } from '../kit';
import { dayPages } from './day';
import { KIND_JA } from './labels';
import { messagePages } from './messages';
import { Pager } from './pager';
import { rosterPages } from './roster';

/** The console's 学校 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /schools). */
export const schoolsPages = consoleRouter();

const PAGE_SIZE = 50;
const today = () => jstParts(Date.now()).date;

/** The schools this staff member may see (admins: all), a page at a time, with today's unconfirmed notices. */
schoolsPages.get('/schools', guard('school_staff'), async (c) => {
  const all = await listSchools(c.var.db, c.var.staff);
  await audit(c.var.db, c.var.staff, 'school.list', 'school', null, { count: all.length, via: 'console' });
  // A teacher of one school has nothing to choose: straight to its page.
  if (all.length === 1 && !c.var.staff.roles.includes('admin')) return c.redirect(`/admin/schools/${all[0]!.id}`, 303);
  const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
  const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const waiting = await unconfirmedBySchool(
    c.var.db,
    shown.map((s) => s.id),
    today(),
  );
  return c.html(
    <Layout c={c} title="学校">
      {all.length === 0 ? <p>担当の学校はありません。管理者に担当校の設定を依頼してください。</p> : null}
      {shown.length > 0 ? (
        <section class="table-wrap" aria-label="学校の一覧" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">学校</th>
                <th scope="col">種別</th>
                <th scope="col">学校コード</th>
                <th scope="col">今日の未確認</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <tr>
                  <td>
                    <a href={`/admin/schools/${s.id}`}>{s.name}</a>
                  </td>
                  <td>{KIND_JA[s.kind]}</td>
                  <td>{s.code}</td>
                  <td>{waiting.get(s.id) ?? 0}件</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <Pager page={page} more={all.length > page * PAGE_SIZE} base="/admin/schools" />
    </Layout>,
  );
});

schoolsPages.route('/', dayPages);
schoolsPages.route('/', rosterPages);
schoolsPages.route('/', messagePages);

/** Today's notices still waiting for 確認, per school (the ten with the most); null for staff without schools. */
export async function schoolsCard(c: ConsoleContext): Promise<Child> {
  if (!may(c, ['school_staff'])) return null;
  const schools = await listSchools(c.var.db, c.var.staff);
  if (schools.length === 0) return null;
  const admin = c.var.staff.roles.includes('admin');
  const waiting = await unconfirmedBySchool(c.var.db, admin ? null : schools.map((s) => s.id), today());
  const rows = schools
    .map((s) => ({ s, n: waiting.get(s.id) ?? 0 }))
    .filter((r) => !admin || r.n > 0)
    .sort((a, b) => b.n - a.n)
    .slice(0, 10);
  const total = [...waiting.values()].reduce((a, b) => a + b, 0);
  return (
    <section class="card" aria-labelledby="card-schools">
      <h2 id="card-schools">今日の欠席・遅刻・早退連絡</h2>
      <p>未確認 {total}件</p>
      {rows.length > 0 ? (
        <ul>
          {rows.map(({ s, n }) => (
            <li>
              <a href={`/admin/schools/${s.id}`}>{s.name}</a>：未確認 {n}件
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/admin/schools">学校の一覧</a>
      </p>
    </section>
  );
}
