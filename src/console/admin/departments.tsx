import {
  createDepartment,
  getDepartment,
  listDepartments,
  updateDepartment,
  type Department,
} from '../../reports/catalog';
import { DepartmentPatch, NewDepartment } from '../../reports/catalog-routes';
import { consoleRouter, CsrfField, field, guard, Layout, may, type ConsoleContext } from '../kit';
import { DONE, inWords, notFound, PAGE_SIZE } from './catalog';
import { doneText, Messages, orNull, Pager, pageOf, pageParam, parseForm, refusal, Text } from './forms';

/** 担当課, the departments reports are mailed to: report managers read them, admins add and change them. */
export const departmentPages = consoleRouter();

const DEPARTMENT_LABELS = { id: 'ID', name: '名前', email: 'メールアドレス', phone: '電話番号' };

type DepartmentForm = Record<keyof typeof DEPARTMENT_LABELS, string>;

const departmentForm = (body: Record<string, unknown>): DepartmentForm => ({
  id: field(body, 'id'),
  name: field(body, 'name'),
  email: field(body, 'email'),
  phone: field(body, 'phone'),
});

const departmentValues = (d: Department): DepartmentForm => ({ ...d, phone: d.phone ?? '' });

interface DeptState {
  status?: 200 | 400 | 404 | 409 | 422;
  error?: string | null;
  form?: DepartmentForm;
}

const DepartmentFields = ({ v, isNew }: { v: DepartmentForm; isNew: boolean }) => (
  <>
    {isNew ? (
      <Text
        id="id"
        label="ID"
        value={v.id}
        hint="半角の英小文字・数字・ハイフン（例: road-maintenance）。後から変えられません。"
      />
    ) : null}
    <Text id="name" label="名前" value={v.name} />
    <Text id="email" label="メールアドレス" value={v.email} type="email" hint="通報が届くアドレス" />
    <Text id="phone" label="電話番号" value={v.phone} hint="任意" />
  </>
);

async function departmentsPage(c: ConsoleContext, state: DeptState = {}) {
  const page = pageParam(c.req.query('page'));
  const { items, more } = pageOf(await listDepartments(c.var.db), page, PAGE_SIZE);
  const admin = may(c, ['admin']);
  return c.html(
    <Layout c={c} title="担当課">
      <p>
        <a href="/admin/categories">通報の種類の一覧へ</a>
      </p>
      <Messages notice={doneText(c.req.query('done'), DONE)} error={state.error} />
      <section class="table-wrap list" aria-label="担当課の一覧" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">名前</th>
              <th scope="col">ID</th>
              <th scope="col">メールアドレス</th>
              <th scope="col">電話番号</th>
              {admin ? <th scope="col">操作</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr>
                <td>{d.name}</td>
                <td>
                  <code>{d.id}</code>
                </td>
                <td>{d.email}</td>
                <td>{d.phone ?? '—'}</td>
                {admin ? (
                  <td>
                    <a href={`/admin/departments/${d.id}`} aria-label={`${d.name}を変更`}>
                      変更
                    </a>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Pager base="/admin/departments" page={page} more={more} />
      {admin ? (
        <section class="card" aria-labelledby="add-department">
          <h2 id="add-department">担当課を追加</h2>
          <form method="post" action="/admin/departments">
            <CsrfField token={c.var.session.csrf} />
            <DepartmentFields v={state.form ?? { id: '', name: '', email: '', phone: '' }} isNew />
            <div class="actions">
              <button type="submit">担当課を追加</button>
            </div>
          </form>
        </section>
      ) : null}
    </Layout>,
    state.status ?? 200,
  );
}

departmentPages.get('/departments', guard('report_manager'), (c) => departmentsPage(c));

departmentPages.post('/departments', guard('admin'), async (c) => {
  const form = departmentForm(await c.req.parseBody());
  const parsed = parseForm(NewDepartment, { ...form, phone: orNull(form.phone) }, DEPARTMENT_LABELS);
  if (!parsed.ok) return departmentsPage(c, { status: 400, error: parsed.message, form });
  try {
    await createDepartment(c.var.db, c.var.staff, parsed.value, Date.now());
  } catch (err) {
    const r = refusal(err);
    if (!r) throw err;
    return departmentsPage(c, { status: r.status, error: inWords(r, 'このIDの担当課はすでにあります。'), form });
  }
  return c.redirect('/admin/departments?done=added', 303);
});

async function departmentEditPage(c: ConsoleContext, row: Department, state: DeptState = {}) {
  return c.html(
    <Layout c={c} title={`担当課の変更: ${row.name}`}>
      <p>
        <a href="/admin/departments">← 担当課</a>
      </p>
      <Messages error={state.error} />
      <form method="post" action={`/admin/departments/${row.id}`} class="card">
        <CsrfField token={c.var.session.csrf} />
        <p>
          ID: <code>{row.id}</code>
        </p>
        <DepartmentFields v={state.form ?? departmentValues(row)} isNew={false} />
        <div class="actions">
          <button type="submit">変更を保存</button>
        </div>
      </form>
    </Layout>,
    state.status ?? 200,
  );
}

departmentPages.get('/departments/:id', guard('admin'), async (c) => {
  const row = await getDepartment(c.var.db, c.req.param('id'));
  return row ? departmentEditPage(c, row) : notFound(c, 'この担当課はありません。');
});

departmentPages.post('/departments/:id', guard('admin'), async (c) => {
  const row = await getDepartment(c.var.db, c.req.param('id'));
  if (!row) return notFound(c, 'この担当課はありません。');
  const form = { ...departmentForm(await c.req.parseBody()), id: row.id };
  const parsed = parseForm(
    DepartmentPatch,
    { name: form.name, email: form.email, phone: orNull(form.phone) },
    DEPARTMENT_LABELS,
  );
  if (!parsed.ok) return departmentEditPage(c, row, { status: 400, error: parsed.message, form });
  await updateDepartment(c.var.db, c.var.staff, row.id, parsed.value, Date.now());
  return c.redirect('/admin/departments?done=updated', 303);
});
