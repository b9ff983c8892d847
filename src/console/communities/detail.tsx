import { HTTPException } from 'hono/http-exception';
import { formatAccessCode } from '../../access-codes';
import { momentMs } from '../../admin/openapi';
import { isJstDate } from '../../calendar/jst';
import { issueInvite, listInvites, revokeInvite, type IssuedInvite } from '../../communities/invites';
import { memberCounts } from '../../communities/members';
import { listCommunityPosts } from '../../communities/posts';
import { findCommunity, getCommunity, type Community } from '../../communities/registry';
import { consoleRouter, CsrfField, field, guard, Layout, when, type ConsoleContext } from '../kit';
import { AudienceBroadcasts } from '../broadcasts/table';
import { INVITE_STATE_JA, KIND_JA } from './labels';

/**
 * One association: its member count, its invite codes (issue one: shown once; revoke), and its
 * posts with their acknowledgements. The same service functions as `/api/v1/communities/{id}…`.
 */
export const detailPages = consoleRouter();

const POSTS_PAGE = 10;
const NO_STORE = { 'cache-control': 'no-store' };

interface Extra {
  issued?: IssuedInvite;
  error?: string;
  form?: { expires: string; maxUses: string };
}

async function renderDetail(c: ConsoleContext, community: Community, extra: Extra = {}) {
  const d = c.var.db;
  const [counts, invites, posts, parent] = await Promise.all([
    memberCounts(d, [community.id]),
    listInvites(d, c.var.staff, community.id),
    listCommunityPosts(c.env, d, c.var.staff, community.id, Date.now(), {
      limit: POSTS_PAGE,
      cursor: c.req.query('cursor'),
    }),
    community.parentId ? findCommunity(d, community.parentId) : undefined,
  ]);
  const done = c.req.query('done');
  const base = `/admin/communities/${community.id}`;
  return (
    <Layout c={c} title={community.name}>
      {done === 'revoked' ? (
        <p class="notice" role="status">
          招待コードを無効にしました。
        </p>
      ) : null}
      {extra.error ? <p role="alert">{extra.error}</p> : null}
      <dl class="facts card">
        <dt>種別</dt>
        <dd>{KIND_JA[community.kind]}</dd>
        {parent ? (
          <>
            <dt>連合町内会</dt>
            <dd>{parent.name}</dd>
          </>
        ) : null}
        <dt>地区</dt>
        <dd>{community.district ?? '—'}</dd>
        <dt>会員数</dt>
        <dd>
          {counts.get(community.id) ?? 0}人（LINEの友だち登録を続けている方）{' '}
          <a href={`${base}/members`}>表示名を見る</a>
        </dd>
      </dl>

      <h2 id="invites">招待コード</h2>
      {extra.issued ? (
        <div class="card" role="status">
          <p>
            招待コードを発行しました：<span class="secret">{formatAccessCode(extra.issued.code)}</span>
          </p>
          <p>
            <strong>このコードはこの画面にしか表示されません。</strong>
            控えてから閉じてください。住民の方は岡山市公式LINEで「町内会」と送信（またはメニューの「町内会」をタップ）し、
            このコードを入力すると参加できます。
          </p>
        </div>
      ) : null}
      <form method="post" action={`${base}/invites`} class="card filters">
        <CsrfField token={c.var.session.csrf} />
        <div>
          <label for="expires">有効期限（任意・この日の終わりまで）</label>
          <input type="date" id="expires" name="expires" value={extra.form?.expires ?? ''} />
        </div>
        <div>
          <label for="maxUses">利用できる回数（任意）</label>
          <input
            type="number"
            id="maxUses"
            name="maxUses"
            min="1"
            max="100000"
            inputmode="numeric"
            value={extra.form?.maxUses ?? ''}
          />
        </div>
        <div>
          <button type="submit">招待コードを発行</button>
        </div>
      </form>
      {invites.length === 0 ? (
        <p>招待コードはまだありません。</p>
      ) : (
        <section class="table-wrap" aria-label="招待コードの一覧" tabindex={0}>
          <table>
            <caption class="muted">新しい順（コードそのものは保存していないため表示できません）</caption>
            <thead>
              <tr>
                <th scope="col">発行</th>
                <th scope="col">状態</th>
                <th scope="col">利用</th>
                <th scope="col">有効期限</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {invites.slice(0, 50).map((i) => (
                <tr>
                  <td class="nowrap">{when(i.createdAt)}</td>
                  <td>
                    <span class={`badge i-${i.state}`}>{INVITE_STATE_JA[i.state]}</span>
                  </td>
                  <td>
                    {i.uses}回{i.usesLeft === null ? '（上限なし）' : `（残り${i.usesLeft}回）`}
                  </td>
                  <td class="nowrap">{i.expiresAt === null ? 'なし' : when(i.expiresAt)}</td>
                  <td>
                    {i.state === 'revoked' ? null : (
                      <form method="post" action={`${base}/invites/${i.id}/revoke`} class="inline">
                        <CsrfField token={c.var.session.csrf} />
                        <button
                          type="submit"
                          class="secondary"
                          aria-label={`${when(i.createdAt)}発行の招待コードを無効にする`}
                        >
                          無効にする
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <h2 id="posts">お知らせ（回覧板）</h2>
      <p>
        <a class="button" href={`/admin/broadcasts/new?audience=community:${community.id}`}>
          会員へお知らせを送る
        </a>
      </p>
      {posts.items.length === 0 ? (
        <p>この町内会のお知らせはまだありません。</p>
      ) : (
        <AudienceBroadcasts items={posts.items} label="お知らせの一覧" acksHref={(id) => `${base}/posts/${id}/acks`} />
      )}
      {posts.nextCursor ? (
        <nav class="pager" aria-label="お知らせのページ送り">
          <a href={`${base}?cursor=${encodeURIComponent(posts.nextCursor)}#posts`}>次へ →</a>
        </nav>
      ) : null}
    </Layout>
  );
}

detailPages.get('/communities/:id', guard('community_leader'), async (c) => {
  const community = await getCommunity(c.var.db, c.var.staff, c.req.param('id'));
  return c.html(await renderDetail(c, community));
});

detailPages.post('/communities/:id/invites', guard('community_leader'), async (c) => {
  const community = await getCommunity(c.var.db, c.var.staff, c.req.param('id'));
  const body = await c.req.parseBody();
  const form = { expires: field(body, 'expires'), maxUses: field(body, 'maxUses') };
  const bad = (error: string) => renderDetail(c, community, { error, form }).then((page) => c.html(page, 400));
  if (form.expires && !isJstDate(form.expires)) return bad('有効期限は日付で入力してください。');
  const maxUses = form.maxUses ? Number(form.maxUses) : null;
  if (maxUses !== null && !(Number.isInteger(maxUses) && maxUses >= 1 && maxUses <= 100_000))
    return bad('利用できる回数は1〜100000の整数で入力してください。');
  let issued: IssuedInvite;
  try {
    issued = await issueInvite(c.var.db, c.var.staff, community.id, {
      expiresAt: form.expires ? momentMs(form.expires, 'end') : null,
      maxUses,
    });
  } catch (err) {
    if (err instanceof HTTPException && err.status === 400)
      return bad('有効期限には今日以降の日付を入力してください。');
    throw err;
  }
  return c.html(await renderDetail(c, community, { issued }), 201, NO_STORE);
});

detailPages.post('/communities/:id/invites/:inviteId/revoke', guard('community_leader'), async (c) => {
  const community = await getCommunity(c.var.db, c.var.staff, c.req.param('id'));
  await revokeInvite(c.var.db, c.var.staff, community.id, c.req.param('inviteId'));
  return c.redirect(`/admin/communities/${community.id}?done=revoked#invites`, 303);
});
