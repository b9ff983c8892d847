import { NewClosureDay } from '../../broadcasts/closure-routes';
import { addClosureDay, deleteClosureDay, listClosureDays } from '../../broadcasts/closures';
import { isJstDate, jst, jstLongText, jstParts } from '../../calendar/jst';
import { consoleRouter, CsrfField, errorPage, field, guard, Layout, type ConsoleContext } from '../kit';
import { doneText, Messages, Pager, pageOf, pageParam, parseForm, refusal } from './forms';

/**
 * 臨時閉庁日: the city's own closure days, which the hours rule skips like a holiday (a city
 * broadcast due on one waits for the next office day). Admins only, as in the API.
 */
export const closurePages = consoleRouter();
closurePages.use('/closures', guard('admin'));
closurePages.use('/closures/*', guard('admin'));

const PAGE_SIZE = 50;
const LABELS = { date: '日付', reason: '理由' };
const DONE = { added: '閉庁日を追加しました。', removed: '閉庁日を削除しました。' };

/** A day as staff read it: 2026年12月28日(月). */
export const dayText = (date: string) => jstLongText(jst(`${date}T00:00`)).replace(/ \d\d:\d\d$/, '');

interface State {
  status?: 200 | 400 | 409;
  error?: string | null;
  form?: { date: string; reason: string };
}

async function closuresPage(c: ConsoleContext, state: State = {}) {
  const past = c.req.query('past') === '1';
  const today = jstParts(Date.now()).date;
  const all = await listClosureDays(c.var.db);
  const shown = past ? all : all.filter((d) => d.date >= today);
  const page = pageParam(c.req.query('page'));
  const { items, more } = pageOf(shown, page, PAGE_SIZE);
  const csrf = c.var.session.csrf;
  return c.html(
    <Layout c={c} title="臨時閉庁日">
      <p>市の配信は、土日・祝日・年末年始に加えてこの日も送られず、次の開庁日まで待ちます（緊急の配信を除く）。</p>
      <Messages notice={doneText(c.req.query('done'), DONE)} error={state.error} />
      <p>
        {past ? (
          <a href="/admin/closures">今日以降だけを表示</a>
        ) : (
          <a href="/admin/closures?past=1">過去の閉庁日も表示</a>
        )}
      </p>
      <section class="table-wrap list" aria-label="臨時閉庁日の一覧" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">日付</th>
              <th scope="col">理由</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr>
                <td class="nowrap">{dayText(d.date)}</td>
                <td>{d.reason}</td>
                <td>
                  <form method="post" action={`/admin/closures/${d.date}/delete`} class="row-action">
                    <CsrfField token={csrf} />
                    <button type="submit" class="link" aria-label={`${dayText(d.date)}を削除`}>
                      削除
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {items.length === 0 ? <p>{past ? '臨時閉庁日はありません。' : '今日以降の臨時閉庁日はありません。'}</p> : null}
      <Pager base={past ? '/admin/closures?past=1' : '/admin/closures'} page={page} more={more} />
      <section class="card" aria-labelledby="add-closure">
        <h2 id="add-closure">閉庁日を追加</h2>
        <form method="post" action="/admin/closures">
          <CsrfField token={csrf} />
          <label for="date">日付</label>
          <input type="date" id="date" name="date" value={state.form?.date ?? ''} required />
          <label for="reason">理由</label>
          <input type="text" id="reason" name="reason" value={state.form?.reason ?? ''} maxlength={200} required />
          <div class="actions">
            <button type="submit">閉庁日を追加</button>
          </div>
        </form>
      </section>
    </Layout>,
    state.status ?? 200,
  );
}

closurePages.get('/closures', (c) => closuresPage(c));

closurePages.post('/closures', async (c) => {
  const body = await c.req.parseBody();
  const form = { date: field(body, 'date'), reason: field(body, 'reason') };
  const parsed = parseForm(NewClosureDay, form, LABELS);
  if (!parsed.ok) return closuresPage(c, { status: 400, error: parsed.message, form });
  try {
    await addClosureDay(c.var.db, c.var.staff, parsed.value.date, parsed.value.reason);
  } catch (err) {
    const r = refusal(err);
    if (r?.status !== 409) throw err;
    return closuresPage(c, { status: 409, error: `${dayText(form.date)}はすでに臨時閉庁日です。`, form });
  }
  return c.redirect('/admin/closures?done=added', 303);
});

closurePages.post('/closures/:date/delete', async (c) => {
  const date = c.req.param('date');
  if (!isJstDate(date) || !(await deleteClosureDay(c.var.db, c.var.staff, date)))
    return c.html(errorPage(c, 404, 'この日は臨時閉庁日ではありません。'), 404);
  return c.redirect('/admin/closures?done=removed', 303);
});
