import {
  createCategory,
  getCategory,
  listCategories,
  listDepartments,
  updateCategory,
  type Category,
  type Department,
} from '../../reports/catalog';
import { CategoryPatch, NewCategory } from '../../reports/catalog-routes';
import { consoleRouter, CsrfField, errorPage, field, guard, Layout, may, type ConsoleContext } from '../kit';
import { doneText, Messages, orNull, Pager, pageOf, pageParam, parseForm, refusal, Text } from './forms';

/**
 * 通報の種類 (担当課 are ./departments.tsx): report managers read them (as in the API), admins
 * add, change and retire them. A retired category stays for the reports that name it; residents no longer see it.
 */
export const catalogPages = consoleRouter();

export const PAGE_SIZE = 50;

const CATEGORY_LABELS = {
  code: 'コード',
  parentCode: '上位の種類',
  nameJa: '名前',
  nameEn: '英語名',
  departmentId: '担当課',
  emergencyPhone: '緊急連絡先',
  sortOrder: '表示順',
};

export const DONE = {
  added: '追加しました。',
  updated: '変更しました。',
  retired: '廃止しました。住民の選択肢には出なくなります。',
  restored: '再開しました。',
};

/** The catalog service's refusals in the page's words: a taken code (409), or a field it checked in D1. */
export function inWords(r: { status: number; message: string }, taken: string): string {
  if (r.status === 409) return taken;
  if (r.message.startsWith('departmentId:')) return '「担当課」: その担当課はありません。';
  if (r.message.startsWith('parentCode:')) return '「上位の種類」: 上位の種類から選んでください。';
  return r.message;
}

/** A number field: empty leaves the API's default; anything else is judged by its schema. */
const orNumber = (s: string) => (s === '' ? undefined : Number(s));

type CategoryForm = Record<keyof typeof CATEGORY_LABELS, string>;

const categoryForm = (body: Record<string, unknown>): CategoryForm => ({
  code: field(body, 'code'),
  parentCode: field(body, 'parentCode'),
  nameJa: field(body, 'nameJa'),
  nameEn: field(body, 'nameEn'),
  departmentId: field(body, 'departmentId'),
  emergencyPhone: field(body, 'emergencyPhone'),
  sortOrder: field(body, 'sortOrder'),
});
const categoryValues = (c: Category): CategoryForm => ({
  code: c.code,
  parentCode: c.parentCode ?? '',
  nameJa: c.nameJa,
  nameEn: c.nameEn,
  departmentId: c.departmentId ?? '',
  emergencyPhone: c.emergencyPhone ?? '',
  sortOrder: String(c.sortOrder),
});
const EMPTY_CATEGORY: CategoryForm = {
  code: '',
  parentCode: '',
  nameJa: '',
  nameEn: '',
  departmentId: '',
  emergencyPhone: '',
  sortOrder: '0',
};

function CategoryFields({
  v,
  tops,
  depts,
  isNew,
}: {
  v: CategoryForm;
  tops: Category[];
  depts: Department[];
  isNew: boolean;
}) {
  return (
    <>
      {isNew ? (
        <>
          <Text
            id="code"
            label="コード"
            value={v.code}
            hint="半角の英小文字・数字・ハイフン（例: road-pothole）。後から変えられません。"
          />
          <label for="parentCode">上位の種類</label>
          <select id="parentCode" name="parentCode">
            <option value="">なし（これが上位の種類）</option>
            {tops.map((t) => (
              <option value={t.code} selected={v.parentCode === t.code}>
                {t.nameJa}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <Text id="nameJa" label="名前" value={v.nameJa} />
      <Text id="nameEn" label="英語名" value={v.nameEn} />
      <label for="departmentId">担当課</label>
      <select id="departmentId" name="departmentId">
        <option value="">なし（上位の種類の担当課）</option>
        {depts.map((d) => (
          <option value={d.id} selected={v.departmentId === d.id}>
            {d.name}
          </option>
        ))}
      </select>
      <Text
        id="emergencyPhone"
        label="緊急連絡先"
        value={v.emergencyPhone}
        hint="危険なときに住民へ案内する電話番号（任意）"
      />
      <Text id="sortOrder" label="表示順" value={v.sortOrder} type="number" hint="小さいほど先に表示（0〜999）" />
    </>
  );
}

interface PageState {
  status?: 200 | 400 | 404 | 409 | 422;
  error?: string | null;
  form?: CategoryForm;
}

async function categoriesPage(c: ConsoleContext, state: PageState = {}) {
  const [all, depts] = await Promise.all([listCategories(c.var.db), listDepartments(c.var.db)]);
  const page = pageParam(c.req.query('page'));
  const { items, more } = pageOf(all, page, PAGE_SIZE);
  const name = new Map(all.map((x) => [x.code, x.nameJa]));
  const dept = new Map(depts.map((d) => [d.id, d.name]));
  const admin = may(c, ['admin']);
  const csrf = c.var.session.csrf;
  return c.html(
    <Layout c={c} title="通報の種類">
      <p>
        <a href="/admin/departments">担当課の一覧へ</a>
      </p>
      <Messages notice={doneText(c.req.query('done'), DONE)} error={state.error} />
      <section class="table-wrap list" aria-label="通報の種類の一覧" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">名前</th>
              <th scope="col">コード</th>
              <th scope="col">上位の種類</th>
              <th scope="col">担当課</th>
              <th scope="col">緊急連絡先</th>
              <th scope="col">表示順</th>
              <th scope="col">状態</th>
              {admin ? <th scope="col">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr>
                <td>
                  {x.nameJa}
                  <span class="muted scope-line">{x.nameEn}</span>
                </td>
                <td>
                  <code>{x.code}</code>
                </td>
                <td>{x.parentCode ? (name.get(x.parentCode) ?? x.parentCode) : '—'}</td>
                <td>
                  {x.departmentId
                    ? (dept.get(x.departmentId) ?? x.departmentId)
                    : x.parentCode
                      ? '上位の種類と同じ'
                      : '—'}
                </td>
                <td>{x.emergencyPhone ?? '—'}</td>
                <td>{x.sortOrder}</td>
                <td>
                  <span class={`badge ${x.active ? 'st-active' : 'st-revoked'}`}>{x.active ? '使用中' : '廃止'}</span>
                </td>
                {admin ? (
                  <td class="nowrap">
                    <a href={`/admin/categories/${x.code}`} aria-label={`${x.nameJa}を変更`}>
                      変更
                    </a>{' '}
                    <form
                      method="post"
                      action={`/admin/categories/${x.code}/${x.active ? 'retire' : 'restore'}`}
                      class="row-action"
                    >
                      <CsrfField token={csrf} />
                      <button
                        type="submit"
                        class="link"
                        aria-label={`${x.nameJa}を${x.active ? '廃止する' : '再開する'}`}
                      >
                        {x.active ? '廃止する' : '再開する'}
                      </button>
                    </form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Pager base="/admin/categories" page={page} more={more} />
      {admin ? (
        <section class="card" aria-labelledby="add-category">
          <h2 id="add-category">種類を追加</h2>
          <form method="post" action="/admin/categories">
            <CsrfField token={csrf} />
            <CategoryFields
              v={state.form ?? EMPTY_CATEGORY}
              tops={all.filter((x) => x.parentCode === null)}
              depts={depts}
              isNew
            />
            <div class="actions">
              <button type="submit">種類を追加</button>
            </div>
          </form>
        </section>
      ) : null}
    </Layout>,
    state.status ?? 200,
  );
}

catalogPages.get('/categories', guard('report_manager'), (c) => categoriesPage(c));

catalogPages.post('/categories', guard('admin'), async (c) => {
  const form = categoryForm(await c.req.parseBody());
  const parsed = parseForm(
    NewCategory,
    {
      ...form,
      parentCode: orNull(form.parentCode),
      departmentId: orNull(form.departmentId),
      emergencyPhone: orNull(form.emergencyPhone),
      sortOrder: orNumber(form.sortOrder),
    },
    CATEGORY_LABELS,
  );
  if (!parsed.ok) return categoriesPage(c, { status: 400, error: parsed.message, form });
  try {
    await createCategory(c.var.db, c.var.staff, parsed.value, Date.now());
  } catch (err) {
    const r = refusal(err);
    if (!r) throw err;
    return categoriesPage(c, { status: r.status, error: inWords(r, 'このコードの種類はすでにあります。'), form });
  }
  return c.redirect('/admin/categories?done=added', 303);
});

async function categoryEditPage(c: ConsoleContext, row: Category, state: PageState = {}) {
  const [all, depts] = await Promise.all([listCategories(c.var.db), listDepartments(c.var.db)]);
  return c.html(
    <Layout c={c} title={`種類の変更: ${row.nameJa}`}>
      <p>
        <a href="/admin/categories">← 通報の種類</a>
      </p>
      <Messages error={state.error} />
      <form method="post" action={`/admin/categories/${row.code}`} class="card">
        <CsrfField token={c.var.session.csrf} />
        <p>
          コード: <code>{row.code}</code>
        </p>
        <CategoryFields
          v={state.form ?? categoryValues(row)}
          tops={all.filter((x) => x.parentCode === null)}
          depts={depts}
          isNew={false}
        />
        <div class="actions">
          <button type="submit">変更を保存</button>
        </div>
      </form>
    </Layout>,
    state.status ?? 200,
  );
}

async function category(c: ConsoleContext): Promise<Category | null> {
  return (await getCategory(c.var.db, c.req.param('code') ?? '')) ?? null;
}
export const notFound = (c: ConsoleContext, what: string) => c.html(errorPage(c, 404, what), 404);

catalogPages.get('/categories/:code', guard('admin'), async (c) => {
  const row = await category(c);
  return row ? categoryEditPage(c, row) : notFound(c, 'この種類はありません。');
});

catalogPages.post('/categories/:code', guard('admin'), async (c) => {
  const row = await category(c);
  if (!row) return notFound(c, 'この種類はありません。');
  const form = { ...categoryForm(await c.req.parseBody()), code: row.code, parentCode: row.parentCode ?? '' };
  const parsed = parseForm(
    CategoryPatch,
    {
      nameJa: form.nameJa,
      nameEn: form.nameEn,
      departmentId: orNull(form.departmentId),
      emergencyPhone: orNull(form.emergencyPhone),
      sortOrder: orNumber(form.sortOrder),
    },
    CATEGORY_LABELS,
  );
  if (!parsed.ok) return categoryEditPage(c, row, { status: 400, error: parsed.message, form });
  try {
    await updateCategory(c.var.db, c.var.staff, row.code, parsed.value, Date.now());
  } catch (err) {
    const r = refusal(err);
    if (!r) throw err;
    return categoryEditPage(c, row, { status: r.status, error: inWords(r, r.message), form });
  }
  return c.redirect('/admin/categories?done=updated', 303);
});

for (const [path, active] of [
  ['retire', false],
  ['restore', true],
] as const) {
  catalogPages.post(`/categories/:code/${path}`, guard('admin'), async (c) => {
    const row = await category(c);
    if (!row) return notFound(c, 'この種類はありません。');
    await updateCategory(c.var.db, c.var.staff, row.code, { active }, Date.now());
    return c.redirect(`/admin/categories?done=${active ? 'restored' : 'retired'}`, 303);
  });
}
