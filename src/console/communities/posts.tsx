import type { Audience } from '../../broadcasts/audience';
import { listAcks } from '../../broadcasts/acks';
import { loadBroadcast } from '../../broadcasts/service';
import { problem } from '../../admin/errors';
import { listMembers } from '../../communities/members';
import { getCommunity } from '../../communities/registry';
import { consoleRouter, guard, Layout, when } from '../kit';
import { Pager } from '../schools/pager';

/**
 * What a leader may see of people: the display names members chose to show (never a LINE
 * name or ID), on the members page and on a post's acknowledgements. Both reads are audited
 * by the service functions, as in the API.
 */
export const postPages = consoleRouter();

const PAGE_SIZE = 100;
const pageOf = (q: string | undefined) => Math.max(1, Number.parseInt(q ?? '1', 10) || 1);

postPages.get('/communities/:id/members', guard('community_leader'), async (c) => {
  const community = await getCommunity(c.var.db, c.var.staff, c.req.param('id'));
  const { count, items } = await listMembers(c.var.db, c.var.staff, community.id);
  const page = pageOf(c.req.query('page'));
  const shown = items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return c.html(
    <Layout c={c} title={`${community.name}の会員`}>
      <p>
        <a href={`/admin/communities/${community.id}`}>← {community.name}へ戻る</a>
      </p>
      <p>
        会員 {count}
        人。表示名は、会員が参加するときに自分で決めたものだけを表示します（未設定の方は「（表示名なし）」）。
      </p>
      {shown.length > 0 ? (
        <section class="table-wrap" aria-label="会員の一覧" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">表示名</th>
                <th scope="col">参加日時</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((m) => (
                <tr>
                  <td>{m.displayName ?? '（表示名なし）'}</td>
                  <td class="nowrap">{when(m.joinedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <Pager page={page} more={items.length > page * PAGE_SIZE} base={`/admin/communities/${community.id}/members`} />
    </Layout>,
  );
});

postPages.get('/communities/:id/posts/:broadcastId/acks', guard('community_leader'), async (c) => {
  const community = await getCommunity(c.var.db, c.var.staff, c.req.param('id'));
  const row = await loadBroadcast(c.var.db, c.req.param('broadcastId'));
  const audience = row.audience as Audience;
  if (audience.type !== 'community' || audience.communityId !== community.id)
    throw problem(404, 'この町内会のお知らせではありません。');
  const acks = await listAcks(c.var.db, c.var.staff, row.id);
  if (acks.kind !== 'community') throw problem(404, 'この町内会のお知らせではありません。');
  const page = pageOf(c.req.query('page'));
  const shown = acks.items.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return c.html(
    <Layout c={c} title={`確認状況：${row.title}`}>
      <p>
        <a href={`/admin/communities/${community.id}#posts`}>← {community.name}へ戻る</a>
      </p>
      <p>「確認しました」を押した会員：{acks.acknowledged}人</p>
      {shown.length > 0 ? (
        <section class="table-wrap" aria-label="確認した会員の一覧" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">表示名</th>
                <th scope="col">確認日時</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => (
                <tr>
                  <td>{a.displayName ?? '（表示名なし）'}</td>
                  <td class="nowrap">{when(a.acknowledgedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : (
        <p>まだ誰も確認していません。</p>
      )}
      <Pager
        page={page}
        more={acks.items.length > page * PAGE_SIZE}
        base={`/admin/communities/${community.id}/posts/${row.id}/acks`}
      />
    </Layout>,
  );
});
