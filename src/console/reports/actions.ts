import { HTTPException } from 'hono/http-exception';
import { audit } from '../../admin/audit';
import { resendReportMail } from '../../reports/mail';
import { getReport } from '../../reports/service';
import { reportIdByNumber } from '../../reports/queries';
import { HideBody, PatchBody, RECEIPT_NUMBER } from '../../reports/schemas';
import { changeReport, setPhotoHidden, setReportHidden } from '../../reports/staff';
import { field, type ConsoleContext } from '../kit';
import { detailPage, type Retry } from './detail';
import { problemText } from './texts';

/**
 * The detail page's forms: each is read with the API's own body schema and handed to the
 * same service function as the API's route, then answered post/redirect/get. A refusal
 * (bad input, a move not allowed, a change that raced another) shows the page again with
 * the message in role="alert" and what was typed kept.
 */

type Outcome = { done: string; extra?: Record<string, string> };

/** Runs `act`; on a service's 400/409 shows the page again, on success redirects with the notice. */
async function answer(
  c: ConsoleContext,
  id: string,
  form: Retry['form'],
  values: Record<string, string>,
  act: () => Promise<Outcome | { refuse: string }>,
) {
  const again = async (status: 400 | 409, error: string) =>
    (await detailPage(c, id, { status, error, form, values })) ?? c.notFound();
  let outcome: Outcome | { refuse: string };
  try {
    outcome = await act();
  } catch (err) {
    if (err instanceof HTTPException && (err.status === 400 || err.status === 409))
      return again(err.status, problemText(err));
    throw err;
  }
  if ('refuse' in outcome) return again(400, outcome.refuse);
  const qs = new URLSearchParams({ done: outcome.done, ...outcome.extra });
  return c.redirect(`/admin/reports/${id}?${qs}`, 303);
}

const REASON_MISSING = '理由を入力してください（500文字まで）。';

export async function postStatus(c: ConsoleContext, id: string) {
  const body = await c.req.parseBody();
  const values = {
    status: field(body, 'status'),
    publicNote: field(body, 'publicNote'),
    internalNote: field(body, 'internalNote'),
    duplicateOf: field(body, 'duplicateOf'),
  };
  return answer(c, id, 'status', values, async () => {
    // A receipt number is what staff know of the original; the API takes its id.
    let duplicateOf: string | undefined;
    if (values.status === 'duplicate' && values.duplicateOf) {
      const key = values.duplicateOf;
      duplicateOf = RECEIPT_NUMBER.test(key) ? ((await reportIdByNumber(c.var.db, key)) ?? undefined) : key;
      if (!duplicateOf) return { refuse: '重複元の受付番号の通報が見つかりません。' };
    }
    const change = PatchBody.safeParse({
      status: values.status || undefined,
      publicNote: values.publicNote || undefined,
      internalNote: values.internalNote || undefined,
      duplicateOf,
    });
    if (!change.success) return { refuse: `入力を確認してください（${change.error.issues[0]?.message ?? ''}）。` };
    const { notified } = await changeReport(c.env, c.var.db, c.var.staff, id, change.data, Date.now());
    return { done: 'status', extra: { notified: String(notified) } };
  });
}

export async function postDepartment(c: ConsoleContext, id: string) {
  const body = await c.req.parseBody();
  const values = { department: field(body, 'department') };
  return answer(c, id, 'department', values, async () => {
    const change = PatchBody.safeParse({ department: values.department });
    if (!change.success) return { refuse: '担当課を選んでください。' };
    await changeReport(c.env, c.var.db, c.var.staff, id, change.data, Date.now());
    return { done: 'department' };
  });
}

export async function postHidden(c: ConsoleContext, id: string, hidden: boolean) {
  const body = await c.req.parseBody();
  const values = { reason: field(body, 'reason') };
  return answer(c, id, 'hide', values, async () => {
    const parsed = HideBody.safeParse(values);
    if (!parsed.success) return { refuse: REASON_MISSING };
    await setReportHidden(c.var.db, c.var.staff, id, hidden, parsed.data.reason, Date.now());
    return { done: hidden ? 'hide' : 'unhide' };
  });
}

export async function postPhotoHidden(c: ConsoleContext, id: string, photoId: string, hidden: boolean) {
  const body = await c.req.parseBody();
  const values = { reason: field(body, 'reason') };
  return answer(c, id, `photo-${photoId}`, values, async () => {
    const parsed = HideBody.safeParse(values);
    if (!parsed.success) return { refuse: REASON_MISSING };
    await setPhotoHidden(c.var.db, c.var.staff, id, photoId, hidden, parsed.data.reason, Date.now());
    return { done: hidden ? 'photo-hide' : 'photo-unhide' };
  });
}

/** 担当課へのメールを再送: the API's POST /reports/{id}/mail, audited the same way. */
export async function postMail(c: ConsoleContext, id: string) {
  if (!(await getReport(c.var.db, id))) return null;
  await audit(c.var.db, c.var.staff, 'report.mail.resend', 'report', id, { via: 'console' });
  const mailStatus = await resendReportMail(c.env, c.var.db, id, Date.now(), new URL(c.req.url).origin);
  return c.redirect(`/admin/reports/${id}?${new URLSearchParams({ done: `mail-${mailStatus}` })}`, 303);
}
