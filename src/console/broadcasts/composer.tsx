import { HTTPException } from 'hono/http-exception';
import { EVERY_DAY, type WindowSpec } from '../../calendar/hours';
import { rulesLoader } from '../../broadcasts/closures';
import { releaseTime } from '../../broadcasts/rules';
import { may as mayForAudience } from '../../broadcasts/senders';
import { createBroadcast, getBroadcast, submitBroadcast, updateBroadcast } from '../../broadcasts/service';
import type { BroadcastMessageInput } from '../../broadcasts/messages';
import { consoleRouter, CsrfField, field, guard, Layout, may, when, type ConsoleContext } from '../kit';
import { SENDERS, testAndRedirect } from './actions';
import {
  audienceOptions,
  emptyForm,
  formOf,
  MAX_TEXTS,
  optionValueOf,
  readForm,
  scheduledMs,
  toInput,
  type AudienceOption,
  type ComposerForm,
} from './form';
import { SCRIPT_PATH } from './preview-script';
import { Bubbles, countText, Outcome } from './view';

/** The composer (/admin/broadcasts/new) and a draft's editor (/admin/broadcasts/:id/edit): one form. */
export const composerPages = consoleRouter();

const pad = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** A window of the hours rule in words: 平日 08:30〜18:00（祝日・年末年始・休庁日を除く）. */
function windowJa(w: WindowSpec): string {
  const days = w.days.length === EVERY_DAY.length ? '毎日' : '平日';
  const except = [w.closedOnHolidays ? '祝日' : null, w.closedAtYearEnd ? '年末年始（12/29〜1/3）' : null]
    .filter((x) => x !== null)
    .join('・');
  return `${days} ${pad(w.open)}〜${pad(w.close)}${except ? `（${except}・休庁日を除く）` : ''}`;
}

/** When the cron would release this if it were approved now, by the API's own rule (rules.ts). */
async function nextRelease(c: ConsoleContext, form: ComposerForm, option: AudienceOption | undefined) {
  if (!option) return null;
  let at: number | null = null;
  try {
    at = scheduledMs(form.scheduledAt);
  } catch {
    at = null;
  }
  const rules = await rulesLoader(c.env, c.var.db)(option.audience);
  return {
    at: releaseTime({ scheduledAt: at, urgent: form.urgent }, Date.now(), rules),
    window: windowJa(rules.window),
  };
}

const GROUPS = ['全体', '地区', '関心', '学校', '町内会'] as const;
const textLabel = (i: number) => (i === 0 ? '本文' : `本文（${i + 1}通目）`);

interface ComposerProps {
  c: ConsoleContext;
  title: string;
  action: string;
  form: ComposerForm;
  options: AudienceOption[];
  error?: string;
}

async function Composer({ c, title, action, form, options, error }: ComposerProps) {
  const isAdmin = c.var.staff.roles.includes('admin');
  const chosen = options.find((o) => o.value === form.audience);
  const reckonedFor = chosen ?? options[0];
  const next = await nextRelease(c, form, reckonedFor);
  const framable = options.some((o) => o.group === '学校' || o.group === '町内会');
  const texts = form.texts.slice(0, MAX_TEXTS);
  const messages: BroadcastMessageInput[] = texts.filter((t) => t !== '').map((text) => ({ type: 'text', text }));
  const q = c.req.query();
  return (
    <Layout c={c} title={title} scripts={[SCRIPT_PATH]}>
      <Outcome done={q.done} failed={q.failed} />
      {error ? <p role="alert">入力内容を確認してください。{error}</p> : null}
      {options.length === 0 ? (
        <p role="alert">配信できる対象がありません。担当の学校・町内会が設定されているか、管理者に確認してください。</p>
      ) : null}
      <div class="composer">
        <form method="post" action={action} id="composer" class="card">
          <CsrfField token={c.var.session.csrf} />
          <label for="title">タイトル</label>
          <input type="text" id="title" name="title" value={form.title} maxlength={200} required />
          <p class="muted hint">職員用の名前です。住民には届きません。</p>
          <div data-texts="" data-max={String(MAX_TEXTS)}>
            {texts.map((t, i) => (
              <div class="text-block">
                <label for={`text_${i}`}>{textLabel(i)}</label>
                <textarea id={`text_${i}`} name={`text_${i}`} rows={6} aria-describedby={`text_${i}-count`}>
                  {t}
                </textarea>
                <p class="count" id={`text_${i}-count`}>
                  {countText(t)}
                </p>
              </div>
            ))}
          </div>
          {texts.length < MAX_TEXTS ? (
            <button type="submit" name="action" value="add" class="secondary" data-add-text="" formnovalidate>
              本文を追加
            </button>
          ) : null}
          <p class="muted hint">
            1通5,000文字まで（LINEの数え方: 絵文字などは2文字）、最大{MAX_TEXTS}通。
            {framable ? '学校・町内会の配信は先頭に【名前】の行が付き、その分も数えます。' : ''}
          </p>
          <label for="audience">配信対象</label>
          <select id="audience" name="audience" required>
            <option value="">選んでください</option>
            {GROUPS.map((g) => {
              const inGroup = options.filter((o) => o.group === g);
              return inGroup.length === 0 ? null : (
                <optgroup label={g}>
                  {inGroup.map((o) => (
                    <option value={o.value} selected={o.value === form.audience} data-speaker={o.speaker ?? ''}>
                      {o.label}
                    </option>
                  ))}
                </optgroup>
              );
            })}
          </select>
          <label for="scheduledAt">配信日時</label>
          <input
            type="datetime-local"
            id="scheduledAt"
            name="scheduledAt"
            value={form.scheduledAt}
            aria-describedby="scheduledAt-hint"
          />
          <p class="muted hint" id="scheduledAt-hint">
            日本時間。空欄なら承認後すぐ（配信時間内に）配信します。
          </p>
          {framable ? (
            <div class="check">
              <input type="checkbox" id="requestAck" name="requestAck" checked={form.requestAck} />
              <label for="requestAck">「確認しました」ボタンを付ける（学校・町内会の配信のみ）</label>
            </div>
          ) : null}
          {isAdmin ? (
            <div class="check">
              <input type="checkbox" id="urgent" name="urgent" checked={form.urgent} aria-describedby="urgent-hint" />
              <label for="urgent">緊急</label>
              <span class="muted" id="urgent-hint">
                配信時間外でも配信します（管理者のみ）。
              </span>
            </div>
          ) : null}
          {next ? (
            <p class="next-release" id="next-release">
              {next.at === null
                ? '配信時間が1年以上開かないため、この設定では配信されません。'
                : `承認されると ${when(next.at)} ごろ配信されます（${chosen ? '' : `${reckonedFor?.label}の場合。`}配信時間: ${next.window}）。`}
            </p>
          ) : null}
          <div class="actions">
            <button type="submit" name="action" value="submit">
              承認依頼
            </button>
            <button type="submit" name="action" value="draft" class="secondary">
              下書き保存
            </button>
            <button type="submit" name="action" value="test" class="secondary">
              テスト送信
            </button>
            <button type="submit" name="action" value="preview" class="secondary" formnovalidate>
              プレビューを更新
            </button>
          </div>
          <p class="muted hint">テスト送信は下書きとして保存し、ご自身が連携したLINEアカウントにだけ送ります。</p>
        </form>
        <div class="preview">
          <h2>プレビュー</h2>
          <Bubbles messages={messages} speaker={chosen?.speaker ?? null} requestAck={form.requestAck} />
          <p class="muted hint">LINEのトークでの見え方の目安です。</p>
        </div>
      </div>
    </Layout>
  );
}

/** A 400 from the form or a service: the composer again with the message and every field kept. */
async function again(c: ConsoleContext, props: Omit<ComposerProps, 'c' | 'error'>, err: unknown) {
  if (err instanceof HTTPException && err.status === 400)
    return c.html(<Composer c={c} {...props} error={err.message} />, 400);
  throw err;
}

composerPages.get('/broadcasts/new', guard(...SENDERS), async (c) =>
  c.html(
    <Composer
      c={c}
      title="配信の作成"
      action="/admin/broadcasts/new"
      form={emptyForm()}
      options={await audienceOptions(c)}
    />,
  ),
);

/** 本文を追加 and プレビューを更新 show the form again with what was typed; nothing is saved. */
function redraw(act: string, form: ComposerForm): ComposerForm | null {
  if (act === 'add') return { ...form, texts: form.texts.length < MAX_TEXTS ? [...form.texts, ''] : form.texts };
  if (act === 'submit' || act === 'draft' || act === 'test') return null;
  return form;
}

composerPages.post('/broadcasts/new', guard(...SENDERS), async (c) => {
  const body = await c.req.parseBody();
  const act = field(body, 'action');
  const options = await audienceOptions(c);
  const props = { title: '配信の作成', action: '/admin/broadcasts/new', options, form: readForm(body) };
  const shown = redraw(act, props.form);
  if (shown) return c.html(<Composer c={c} {...props} form={shown} />);
  let created: Awaited<ReturnType<typeof createBroadcast>>;
  try {
    created = await createBroadcast(c.var.db, c.var.staff, {
      ...toInput(c, props.form, options),
      draft: act !== 'submit',
    });
  } catch (err) {
    return again(c, props, err);
  }
  if (act === 'test') return testAndRedirect(c, created.id, `/admin/broadcasts/${created.id}/edit`);
  const done = act === 'draft' ? 'draft' : created.status === 'scheduled' ? 'scheduled' : 'submit';
  return c.redirect(`/admin/broadcasts/${created.id}?done=${done}`, 303);
});

type Broadcast = Awaited<ReturnType<typeof getBroadcast>>;

/**
 * Why this staff member cannot edit `b` in the composer, or null when they can: 403 unless the
 * API would let them write it, 409 unless it is a draft in the composer's own shapes (text
 * messages, one of its audiences); an urgent one is an admin's (service.ts says the same).
 */
export async function editRefusal(c: ConsoleContext, b: Broadcast): Promise<HTTPException | null> {
  if (!may(c, SENDERS) || !(await mayForAudience(c.var.db, c.var.staff, b.audience, 'write')))
    return new HTTPException(403, { message: 'この配信を編集する権限がありません。' });
  if (b.urgent && !c.var.staff.roles.includes('admin'))
    return new HTTPException(403, { message: '緊急の配信は管理者だけが編集できます。' });
  const simple = b.messages.every((m) => m.type === 'text') && optionValueOf(b.audience) !== null;
  if (b.status !== 'draft' || !simple)
    return new HTTPException(409, {
      message: '下書きのテキストの配信だけをこの画面で編集できます。配信の詳細から取り消すか、APIで編集してください。',
    });
  return null;
}

async function editableDraft(c: ConsoleContext, id: string): Promise<Broadcast> {
  const b = await getBroadcast(c.env, c.var.db, c.var.staff, id, Date.now());
  const refusal = await editRefusal(c, b);
  if (refusal) throw refusal;
  return b;
}

const ID = '/broadcasts/:id{[0-9a-f-]{36}}/edit';

composerPages.get(ID, guard(...SENDERS), async (c) => {
  const b = await editableDraft(c, c.req.param('id'));
  return c.html(
    <Composer
      c={c}
      title="下書きの編集"
      action={`/admin/broadcasts/${b.id}/edit`}
      form={formOf(b)}
      options={await audienceOptions(c)}
    />,
  );
});

composerPages.post(ID, guard(...SENDERS), async (c) => {
  const id = c.req.param('id');
  await editableDraft(c, id);
  const body = await c.req.parseBody();
  const act = field(body, 'action');
  const options = await audienceOptions(c);
  const props = { title: '下書きの編集', action: `/admin/broadcasts/${id}/edit`, options, form: readForm(body) };
  const shown = redraw(act, props.form);
  if (shown) return c.html(<Composer c={c} {...props} form={shown} />);
  const isAdmin = c.var.staff.roles.includes('admin');
  try {
    const { urgent, ...input } = toInput(c, props.form, options);
    // Only an admin decides urgency; anyone else leaves it as it is (and is refused if they post it).
    await updateBroadcast(c.var.db, c.var.staff, id, { ...input, ...(isAdmin || urgent ? { urgent: !!urgent } : {}) });
  } catch (err) {
    return again(c, props, err);
  }
  if (act === 'test') return testAndRedirect(c, id, `/admin/broadcasts/${id}/edit`);
  if (act === 'draft') return c.redirect(`/admin/broadcasts/${id}?done=draft`, 303);
  const submitted = await submitBroadcast(c.var.db, c.var.staff, id);
  return c.redirect(`/admin/broadcasts/${id}?done=${submitted.status === 'scheduled' ? 'scheduled' : 'submit'}`, 303);
});
