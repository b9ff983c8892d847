import type { Child } from 'hono/jsx';
import { memberCounts } from '../../communities/members';
import { listCommunities } from '../../communities/registry';
import { consoleRouter, guard, Layout, may, type ConsoleContext } from '../kit';
import { Pager } from '../schools/pager';
import { detailPages } from './detail';
import { KIND_JA } from './labels';
import { postPages } from './posts';

/** The console's 町内会 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /communities). */
export const communitiesPages = consoleRouter();

const PAGE_SIZE = 50;

/** The associations this leader leads (a federation's leader: its units too; admins: all), a page at a time. */
communitiesPages.get('/communities', guard('community_leader'), async (c) => {
  const all = await listCommunities(c.var.db, c.var.staff);
  const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
  const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const counts = await memberCounts(
    c.var.db,
    shown.map((x) => x.id),
  );
  const names = new Map(all.map((x) => [x.id, x.name]));
  return c.html(
    <Layout c={c} title="町内会">
      {all.length === 0 ? <p>担当の町内会はありません。管理者に担当の設定を依頼してください。</p> : null}
      {shown.length > 0 ? (
        <section class="table-wrap" aria-label="町内会の一覧" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">名称</th>
                <th scope="col">種別</th>
                <th scope="col">所属する連合町内会</th>
                <th scope="col">地区</th>
                <th scope="col">会員数</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((x) => (
                <tr>
                  <td>
                    <a href={`/admin/communities/${x.id}`}>{x.name}</a>
                  </td>
                  <td>{KIND_JA[x.kind]}</td>
                  <td>{x.parentId ? (names.get(x.parentId) ?? '—') : '—'}</td>
                  <td>{x.district ?? '—'}</td>
                  <td>{counts.get(x.id) ?? 0}人</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <Pager page={page} more={all.length > page * PAGE_SIZE} base="/admin/communities" />
    </Layout>,
  );
});

communitiesPages.route('/', detailPages);
communitiesPages.route('/', postPages);

/** Member counts of the associations a leader leads (the ten largest for an admin). */
export async function communitiesCard(c: ConsoleContext): Promise<Child> {
  if (!may(c, ['community_leader'])) return null;
  const all = await listCommunities(c.var.db, c.var.staff);
  if (all.length === 0) return null;
  const admin = c.var.staff.roles.includes('admin');
  const counts = await memberCounts(c.var.db, admin ? null : all.map((x) => x.id));
  const rows = all
    .map((x) => ({ x, n: counts.get(x.id) ?? 0 }))
    .sort((a, b) => b.n - a.n)
    .slice(0, 10);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return (
    <section class="card" aria-labelledby="card-communities">
      <h2 id="card-communities">町内会の会員数</h2>
      <p>
        {all.length}団体・会員 のべ{total}人
      </p>
      <ul>
        {rows.map(({ x, n }) => (
          <li>
            <a href={`/admin/communities/${x.id}`}>{x.name}</a>：{n}人
          </li>
        ))}
      </ul>
      <p>
        <a href="/admin/communities">町内会の一覧</a>
      </p>
    </section>
  );
}
