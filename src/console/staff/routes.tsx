import type { Child } from 'hono/jsx';
import {
  createStaff,
  getStaff,
  listStaffPage,
  revokeStaff,
  rotateStaffToken,
  scopeIssues,
  updateStaff,
  type StaffRecord,
} from '../../admin/staff';
import { CreateStaffBody, StaffChange } from '../../admin/staff-routes';
import type { StaffRole, StaffScopes } from '../../db/schema';
import { listSchools } from '../../schools/registry';
import { listCommunities } from '../../communities/registry';
import { listLinkedAccounts } from '../../staff-link/service';
import { consoleRouter, CsrfField, errorPage, field, guard, Layout, may, when, type ConsoleContext } from '../kit';
import { sessionCount } from '../session';
import { doneText, Messages, Pager, pageParam, parseForm, refusal, values } from '../admin/forms';
import { staffStatus } from './labels';
import { markDone, newOnce, resubmitted } from './once';
import {
  EMPTY_FORM,
  ScopeWords,
  StaffForm,
  StaffTable,
  TokenShown,
  roleWords,
  type ScopeChoices,
  type StaffFormValues,
} from './views';

/**
 * The console's 職員 pages (admins only, as in the API): the accounts, adding one (its token
 * shown once, in the POST's own answer), changing roles and scopes, suspending, a new token,
 * revoking. Every change goes through the service functions the JSON API calls.
 */
export const staffPages = consoleRouter();
staffPages.use('/staff', guard('admin'));
staffPages.use('/staff/*', guard('admin'));

const PAGE_SIZE = 50;

/** Field names of the API's bodies, as the form labels them, for the messages of a refused form. */
const LABELS = {
  name: '名前',
  roles: '役割',
  scopes: '担当',
  'scopes.schools': '担当校',
  'scopes.communities': '担当町内会',
};

const DONE = {
  updated: '変更しました。',
  suspended: '利用を停止しました。',
  unsuspended: '利用停止を解除しました。',
  revoked: 'トークンを失効させました。この職員のログインはすべて終了しました。',
};

/** What a resubmitted token form (a reload of its answer) shows instead of running again. */
const RESUBMITTED = 'この操作はすでに行いました（ページの再読み込みでは繰り返しません）。トークンは再表示できません。';

/** The schools and associations a scope may name, by name (an admin sees them all). */
async function scopeChoices(c: ConsoleContext): Promise<ScopeChoices> {
  const [schools, communities] = await Promise.all([
    listSchools(c.var.db, c.var.staff),
    listCommunities(c.var.db, c.var.staff),
  ]);
  return {
    schools: schools.map((s) => ({ id: s.id, name: s.name })),
    communities: communities.map((x) => ({ id: x.id, name: x.name })),
  };
}

/** The form as sent; a scope counts only with its role ticked (an unticked role's schools are dropped, not refused). */
function formValues(body: Record<string, unknown>): StaffFormValues {
  const roles = values(body, 'roles');
  return {
    name: field(body, 'name'),
    roles,
    schools: roles.includes('school_staff') ? values(body, 'schools') : [],
    communities: roles.includes('community_leader') ? values(body, 'communities') : [],
  };
}

function scopesOf(v: StaffFormValues): StaffScopes {
  return {
    ...(v.schools.length > 0 ? { schools: v.schools } : {}),
    ...(v.communities.length > 0 ? { communities: v.communities } : {}),
  };
}

/**
 * The service's own scope rule (`scopeIssues`, which the API's body check and `updateStaff`
 * apply), said in the page's words: a scoped role needs its schools or associations.
 */
function scopeAlert(v: StaffFormValues): string | null {
  const issue = scopeIssues(v.roles as StaffRole[], scopesOf(v))[0];
  if (!issue) return null;
  return issue.path[1] === 'schools'
    ? '学校職員には担当校を1つ以上選んでください。'
    : '町内会役員には担当町内会を1つ以上選んでください。';
}

const stored = (r: StaffRecord): StaffFormValues => ({
  name: r.name,
  roles: r.roles,
  schools: r.scopes.schools ?? [],
  communities: r.scopes.communities ?? [],
});

interface ListState {
  status?: 200 | 400 | 409;
  error?: string | null;
  form?: StaffFormValues;
  created?: { name: string; token: string };
}

async function listPage(c: ConsoleContext, state: ListState = {}) {
  const page = pageParam(c.req.query('page'));
  const [list, choices] = await Promise.all([
    listStaffPage(c.var.db, c.var.staff, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }, { via: 'console' }),
    scopeChoices(c),
  ]);
  if (state.created) c.header('cache-control', 'no-store');
  return c.html(
    <Layout c={c} title="職員">
      {state.created ? <TokenShown name={state.created.name} token={state.created.token} rotated={false} /> : null}
      <Messages error={state.error} />
      <StaffTable items={list.items} choices={choices} />
      {list.items.length === 0 ? <p>職員のアカウントはまだありません。</p> : null}
      <Pager base="/admin/staff" page={page} more={list.more} />
      <section class="card" aria-labelledby="add-title">
        <h2 id="add-title">職員を追加</h2>
        <p class="muted">追加するとトークンが一度だけ表示されます。</p>
        <StaffForm
          csrf={c.var.session.csrf}
          action="/admin/staff"
          prefix="new"
          values={state.form ?? EMPTY_FORM}
          choices={choices}
          submit="職員を追加"
          once={newOnce()}
        />
      </section>
    </Layout>,
    state.status ?? 200,
  );
}

staffPages.get('/staff', (c) => listPage(c));

staffPages.post('/staff', async (c) => {
  const body = await c.req.parseBody({ all: true });
  if (resubmitted(c, body)) return listPage(c, { status: 409, error: RESUBMITTED });
  const form = formValues(body);
  const parsed = parseForm(CreateStaffBody, { name: form.name, roles: form.roles, scopes: scopesOf(form) }, LABELS);
  if (!parsed.ok) return listPage(c, { status: 400, error: scopeAlert(form) ?? parsed.message, form });
  const created = await createStaff(c.var.db, c.var.staff, parsed.value);
  markDone(c, body);
  // The token goes out in this answer only: a redirect would need it in a URL or in storage.
  return listPage(c, { created: { name: created.name, token: created.token } });
});

/** The account a path names (the API's id rule: 1–100 characters); thrown 400/404 become pages. */
async function account(c: ConsoleContext): Promise<StaffRecord> {
  return getStaff(c.var.db, c.var.staff, (c.req.param('id') ?? '').slice(0, 100));
}

interface DetailState {
  status?: 200 | 400 | 404 | 409;
  error?: string | null;
  form?: StaffFormValues;
  token?: string;
}

async function detailPage(c: ConsoleContext, record: StaffRecord, state: DetailState = {}) {
  const [choices, linked, sessions] = await Promise.all([
    scopeChoices(c),
    listLinkedAccounts(c.var.db, record.id),
    sessionCount(c.var.db, record.id),
  ]);
  const status = staffStatus(record);
  const base = `/admin/staff/${record.id}`;
  const csrf = c.var.session.csrf;
  const live = record.revokedAt === null;
  if (state.token) c.header('cache-control', 'no-store');
  return c.html(
    <Layout c={c} title={`職員: ${record.name}`}>
      <p>
        <a href="/admin/staff">← 職員の一覧</a>
      </p>
      {state.token ? <TokenShown name={record.name} token={state.token} rotated /> : null}
      <Messages notice={doneText(c.req.query('done'), DONE)} error={state.error} />
      <section class="card" aria-labelledby="facts-title">
        <h2 id="facts-title">アカウント</h2>
        <dl class="facts">
          <dt>状態</dt>
          <dd>
            <span class={`badge st-${status.key}`}>{status.label}</span>
            {record.revokedAt !== null ? ` ${when(record.revokedAt)}` : null}
            {record.suspendedAt !== null && record.revokedAt === null ? ` ${when(record.suspendedAt)}から` : null}
          </dd>
          <dt>役割</dt>
          <dd>{roleWords(record.roles)}</dd>
          <dt>担当</dt>
          <dd>
            <ScopeWords record={record} choices={choices} />
          </dd>
          <dt>作成日時</dt>
          <dd>{when(record.createdAt)}</dd>
          <dt>ログイン中</dt>
          <dd>{sessions}件</dd>
          <dt>連携しているLINE</dt>
          <dd>{linked.length === 0 ? 'なし' : linked.map((a) => a.handle).join('、')}</dd>
        </dl>
      </section>
      {live ? (
        <>
          <section class="card" aria-labelledby="edit-title">
            <h2 id="edit-title">名前・役割・担当を変更</h2>
            <StaffForm
              csrf={csrf}
              action={base}
              prefix="edit"
              values={state.form ?? stored(record)}
              choices={choices}
              submit="変更を保存"
            />
          </section>
          <section class="card" aria-labelledby="manage-title">
            <h2 id="manage-title">利用停止・トークン</h2>
            {record.suspendedAt === null ? (
              <form method="post" action={`${base}/suspend`}>
                <CsrfField token={csrf} />
                <p>
                  利用を停止すると、町内会役員としての操作ができなくなり、この職員が作ってまだ送信されていない配信は取り消されます。
                </p>
                <button type="submit" class="secondary">
                  利用を停止する
                </button>
              </form>
            ) : (
              <form method="post" action={`${base}/unsuspend`}>
                <CsrfField token={csrf} />
                <button type="submit" class="secondary">
                  利用停止を解除する
                </button>
              </form>
            )}
            <form method="post" action={`${base}/token`}>
              <CsrfField token={csrf} />
              <input type="hidden" name="_once" value={newOnce()} />
              <p>新しいトークンを発行すると、今のトークンはすぐに使えなくなります。</p>
              <button type="submit" class="secondary">
                トークンを再発行する
              </button>
            </form>
            <form method="post" action={`${base}/revoke`}>
              <CsrfField token={csrf} />
              <p>失効させるとトークンは二度と使えず、この職員のログインもすべて終了します。元に戻せません。</p>
              <button type="submit" class="danger">
                失効させる
              </button>
            </form>
          </section>
        </>
      ) : (
        <p class="muted">失効したアカウントは変更できません。必要なら新しく追加してください。</p>
      )}
    </Layout>,
    state.status ?? 200,
  );
}

/** A refusal of the service (400 scopes, 409 revoked …) shows the account again with the reason. */
async function orRefusal(c: ConsoleContext, work: () => Promise<Response>, form?: StaffFormValues) {
  try {
    return await work();
  } catch (err) {
    const r = refusal(err);
    if (!r || r.status === 404 || r.status === 422) throw err;
    return detailPage(c, await account(c), { status: r.status, error: r.message, form });
  }
}

staffPages.get('/staff/:id', async (c) => detailPage(c, await account(c)));

staffPages.post('/staff/:id', async (c) => {
  const form = formValues(await c.req.parseBody({ all: true }));
  const parsed = parseForm(StaffChange, { name: form.name, roles: form.roles, scopes: scopesOf(form) }, LABELS);
  const error = parsed.ok ? scopeAlert(form) : parsed.message;
  if (!parsed.ok || error) return detailPage(c, await account(c), { status: 400, error, form });
  const id = c.req.param('id');
  return orRefusal(
    c,
    async () => {
      await updateStaff(c.var.db, c.var.staff, id, {
        name: parsed.value.name,
        roles: parsed.value.roles as StaffRole[] | undefined,
        scopes: parsed.value.scopes,
      });
      return c.redirect(`/admin/staff/${id}?done=updated`, 303);
    },
    form,
  );
});

for (const [path, suspended] of [
  ['suspend', true],
  ['unsuspend', false],
] as const) {
  staffPages.post(`/staff/:id/${path}`, (c) => {
    const id = c.req.param('id');
    return orRefusal(c, async () => {
      await updateStaff(c.var.db, c.var.staff, id, { suspended });
      return c.redirect(`/admin/staff/${id}?done=${suspended ? 'suspended' : 'unsuspended'}`, 303);
    });
  });
}

staffPages.post('/staff/:id/token', async (c) => {
  const body = await c.req.parseBody();
  if (resubmitted(c, body)) return detailPage(c, await account(c), { status: 409, error: RESUBMITTED });
  return orRefusal(c, async () => {
    const token = await rotateStaffToken(c.var.db, c.var.staff, c.req.param('id'));
    markDone(c, body);
    return detailPage(c, await account(c), { token });
  });
});

staffPages.post('/staff/:id/revoke', async (c) => {
  const id = c.req.param('id');
  const result = await revokeStaff(c.var.db, c.var.staff, id);
  if (result === 'not_found') return c.html(errorPage(c, 404, 'この職員のアカウントはありません。'), 404);
  if (result === 'bootstrap')
    return c.html(errorPage(c, 400, '初期設定用のトークンは設定で管理するもので、ここでは失効できません。'), 400);
  return c.redirect(`/admin/staff/${id}?done=revoked`, 303);
});

/** For the dashboard: the way to the staff accounts, for admins. */
export async function staffCard(c: ConsoleContext): Promise<Child> {
  if (!may(c, ['admin'])) return null;
  return (
    <section class="card" aria-labelledby="card-staff">
      <h2 id="card-staff">職員</h2>
      <p>
        <a href="/admin/staff">職員のアカウントと役割を管理する</a>
      </p>
    </section>
  );
}
