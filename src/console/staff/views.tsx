import type { Child } from 'hono/jsx';
import { STAFF_ROLES, type StaffRole } from '../../db/schema';
import type { StaffRecord } from '../../admin/staff';
import { CsrfField, when } from '../kit';
import { ROLE_HINTS, ROLE_LABELS, staffStatus } from './labels';

/** A school or an association the form offers as a scope, by name. */
export interface Choice {
  id: string;
  name: string;
}

export interface ScopeChoices {
  schools: Choice[];
  communities: Choice[];
}

/** What the form shows filled in: what was sent (after a refusal) or what is stored. */
export interface StaffFormValues {
  name: string;
  roles: string[];
  schools: string[];
  communities: string[];
}

export const EMPTY_FORM: StaffFormValues = { name: '', roles: [], schools: [], communities: [] };

/** Names of `ids` from `choices`; an id no longer known is shown as it is, so nothing is hidden. */
export function namesOf(ids: readonly string[] | undefined, choices: readonly Choice[]): string[] {
  const byId = new Map(choices.map((ch) => [ch.id, ch.name]));
  return (ids ?? []).map((id) => byId.get(id) ?? id);
}

export const roleWords = (roles: readonly StaffRole[]) => roles.map((r) => ROLE_LABELS[r] ?? r).join('、');

const ScopeBox = ({
  legend,
  name,
  prefix,
  choices,
  checked,
  none,
}: {
  legend: string;
  name: string;
  prefix: string;
  choices: Choice[];
  checked: string[];
  none: string;
}) => (
  <fieldset class="scope">
    <legend>{legend}</legend>
    {choices.length === 0 ? (
      <p class="muted">{none}</p>
    ) : (
      <div class="choices">
        {choices.map((ch, i) => (
          <div class="check">
            <input
              type="checkbox"
              id={`${prefix}-${name}-${i}`}
              name={name}
              value={ch.id}
              checked={checked.includes(ch.id)}
            />
            <label for={`${prefix}-${name}-${i}`}>{ch.name}</label>
          </div>
        ))}
      </div>
    )}
  </fieldset>
);

/** The account form (add and edit): 名前, the roles as checkboxes in Japanese, the scopes picked by name. */
export function StaffForm({
  csrf,
  action,
  prefix,
  values,
  choices,
  submit,
  once,
}: {
  csrf: string;
  action: string;
  prefix: string;
  values: StaffFormValues;
  choices: ScopeChoices;
  submit: string;
  /** A form that issues a token carries a one-time mark, so a resubmission is caught (see ./once.ts). */
  once?: string;
}): Child {
  return (
    <form method="post" action={action}>
      <CsrfField token={csrf} />
      {once ? <input type="hidden" name="_once" value={once} /> : null}
      <label for={`${prefix}-name`}>名前</label>
      <input type="text" id={`${prefix}-name`} name="name" value={values.name} maxlength={100} required />
      <fieldset class="roles">
        <legend>役割</legend>
        {STAFF_ROLES.map((role) => (
          <div class="check">
            <input
              type="checkbox"
              id={`${prefix}-role-${role}`}
              name="roles"
              value={role}
              checked={values.roles.includes(role)}
              aria-describedby={`${prefix}-hint-${role}`}
            />
            <label for={`${prefix}-role-${role}`}>{ROLE_LABELS[role]}</label>
            <span class="hint muted" id={`${prefix}-hint-${role}`}>
              {ROLE_HINTS[role]}
            </span>
          </div>
        ))}
      </fieldset>
      <ScopeBox
        legend="担当校（学校職員のとき）"
        name="schools"
        prefix={prefix}
        choices={choices.schools}
        checked={values.schools}
        none="学校はまだ登録されていません。"
      />
      <ScopeBox
        legend="担当町内会（町内会役員のとき）"
        name="communities"
        prefix={prefix}
        choices={choices.communities}
        checked={values.communities}
        none="町内会はまだ登録されていません。"
      />
      <div class="actions">
        <button type="submit">{submit}</button>
      </div>
    </form>
  );
}

/** The list of accounts: name (a link to the account), roles and scopes in words, status in words. */
export function StaffTable({ items, choices }: { items: StaffRecord[]; choices: ScopeChoices }): Child {
  return (
    <section class="table-wrap list" aria-label="職員の一覧" tabindex={0}>
      <table>
        <caption class="muted">新しい順</caption>
        <thead>
          <tr>
            <th scope="col">名前</th>
            <th scope="col">役割</th>
            <th scope="col">担当</th>
            <th scope="col">状態</th>
            <th scope="col">作成日時</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => {
            const status = staffStatus(r);
            return (
              <tr>
                <td>
                  <a href={`/admin/staff/${r.id}`}>{r.name}</a>
                </td>
                <td>{roleWords(r.roles)}</td>
                <td>
                  <ScopeWords record={r} choices={choices} />
                </td>
                <td>
                  <span class={`badge st-${status.key}`}>{status.label}</span>
                </td>
                <td class="nowrap">{when(r.createdAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** An account's scopes by school and association name; 「—」 when it has none. */
export function ScopeWords({ record, choices }: { record: StaffRecord; choices: ScopeChoices }): Child {
  const schools = namesOf(record.scopes.schools, choices.schools);
  const communities = namesOf(record.scopes.communities, choices.communities);
  if (schools.length === 0 && communities.length === 0) return <>—</>;
  return (
    <>
      {schools.length > 0 ? <span class="scope-line">学校: {schools.join('、')}</span> : null}
      {communities.length > 0 ? <span class="scope-line">町内会: {communities.join('、')}</span> : null}
    </>
  );
}

/**
 * A new token, in the answer to the POST that made it and nowhere else: not in a URL, not after
 * a redirect, not on a reload. D1 keeps only its hash.
 */
export function TokenShown({ name, token, rotated }: { name: string; token: string; rotated: boolean }): Child {
  return (
    <section class="card token" aria-labelledby="token-title">
      <h2 id="token-title">{rotated ? `${name} さんの新しいトークン` : `${name} さんのトークン`}</h2>
      <p class="warn">
        <strong>このトークンは今だけ表示されます。</strong>
        ページを離れると二度と表示できません（保存されているのは照合用の値だけです）。控えて、本人に安全な方法で渡してください。
        {rotated ? '以前のトークンはもう使えません。' : null}
      </p>
      <p>
        <code class="secret">{token}</code>
      </p>
      <p class="muted">本人はログイン画面の「トークン」にこれを入力してログインします。</p>
    </section>
  );
}
