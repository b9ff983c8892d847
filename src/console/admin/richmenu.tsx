import { audit, listAudit } from '../../admin/audit';
import { classifyLineError, MissingSecretError } from '../../line/client';
import { LAYOUT, RICH_MENU, TILES } from '../../richmenu/menu';
import { publishRichMenu, richMenuImage, RichMenuInvalidError } from '../../richmenu/publish';
import { consoleRouter, CsrfField, guard, Layout, when, type ConsoleContext } from '../kit';
import { Messages } from './forms';

/**
 * The residents' rich menu: what src/richmenu/menu.ts holds, when it was last made every
 * friend's default (the audit log is the record), and the API's publish. Admins only.
 */
export const richMenuPages = consoleRouter();
richMenuPages.use('/richmenu', guard('admin'));
richMenuPages.use('/richmenu/*', guard('admin'));

/** How many past publications the page lists: the newest is what residents see. */
const HISTORY = 10;

async function richMenuPage(c: ConsoleContext, state: { status?: 200 | 422 | 502 | 503; error?: string } = {}) {
  const history = await listAudit(c.var.db, { action: 'richmenu.publish', limit: HISTORY });
  const done = c.req.query('done') === 'published';
  const [latest] = history.items;
  return c.html(
    <Layout c={c} title="リッチメニュー">
      <Messages
        notice={done ? 'リッチメニューを公開しました。すべての友だちの既定のメニューになりました。' : null}
        error={state.error}
      />
      <section class="card" aria-labelledby="published-title">
        <h2 id="published-title">公開の状況</h2>
        {latest ? (
          <p>
            最後の公開: {when(latest.at)}（{latest.staffName ?? latest.staffId}、メニューID{' '}
            <code>{latest.targetId}</code>）
          </p>
        ) : (
          <p>このシステムからはまだ公開していません。</p>
        )}
        <form method="post" action="/admin/richmenu/publish">
          <CsrfField token={c.var.session.csrf} />
          <p>
            下のメニューをLINEに登録し、すべての友だちの既定のメニューにします。前のメニューは新しいメニューの登録が終わるまで使われます。
          </p>
          <button type="submit">リッチメニューを公開する</button>
        </form>
      </section>
      <section class="card" aria-labelledby="menu-title">
        <h2 id="menu-title">メニューの内容</h2>
        <dl class="facts">
          <dt>名前</dt>
          <dd>{RICH_MENU.name}</dd>
          <dt>トーク画面の表示</dt>
          <dd>{RICH_MENU.chatBarText}</dd>
        </dl>
        <p>
          <img
            class="richmenu"
            src="/admin/richmenu/image.png"
            width={LAYOUT.width}
            height={LAYOUT.height}
            alt={`リッチメニューの画像: ${TILES.map((t) => t.label).join('、')}`}
          />
        </p>
        <ul class="tiles">
          {TILES.map((t) => (
            <li>
              <strong>{t.label}</strong>
              <span class="muted scope-line">{t.caption}</span>
              <span class="scope-line">
                {t.action.type === 'uri' && 'uri' in t.action
                  ? `リンク: ${t.action.uri}`
                  : `チャットで「${t.label}」を始める`}
              </span>
            </li>
          ))}
        </ul>
      </section>
      {history.items.length > 1 ? (
        <section class="table-wrap list" aria-label="公開の履歴" tabindex={0}>
          <table>
            <caption class="muted">公開の履歴（新しい順、{HISTORY}件まで）</caption>
            <thead>
              <tr>
                <th scope="col">日時</th>
                <th scope="col">職員</th>
                <th scope="col">メニューID</th>
              </tr>
            </thead>
            <tbody>
              {history.items.map((e) => (
                <tr>
                  <td class="nowrap">{when(e.at)}</td>
                  <td>{e.staffName ?? e.staffId}</td>
                  <td>
                    <code>{e.targetId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </Layout>,
    state.status ?? 200,
  );
}

richMenuPages.get('/richmenu', (c) => richMenuPage(c));

richMenuPages.get('/richmenu/image.png', (c) =>
  c.body(richMenuImage().buffer as ArrayBuffer, 200, {
    'content-type': 'image/png',
    'cache-control': 'private, max-age=300',
  }),
);

/** The API's publish (src/richmenu/routes.ts): the same call to LINE, the same audit row, the refusals in words. */
richMenuPages.post('/richmenu/publish', async (c) => {
  try {
    const { richMenuId } = await publishRichMenu(c.env);
    await audit(c.var.db, c.var.staff, 'richmenu.publish', 'richmenu', richMenuId, { via: 'console' });
  } catch (err) {
    if (err instanceof RichMenuInvalidError)
      return richMenuPage(c, {
        status: 422,
        error: `メニューがLINEの決まりに合わないため、送っていません: ${err.problems.join('; ')}`,
      });
    if (err instanceof MissingSecretError)
      return richMenuPage(c, { status: 503, error: `${err.secret} が設定されていないため公開できません。` });
    return richMenuPage(c, {
      status: 502,
      error: `LINEがリッチメニューを受け付けませんでした（途中まで作ったメニューは削除しました）: ${classifyLineError(err).message}`,
    });
  }
  return c.redirect('/admin/richmenu?done=published', 303);
});
