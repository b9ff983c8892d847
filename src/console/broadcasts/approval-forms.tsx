import { CsrfField, type ConsoleContext } from '../kit';

/**
 * 承認する and 差し戻す for one broadcast, on the queue and on the broadcast's page. `back`
 * says where the browser returns; the reason's textarea has an id of its own per broadcast.
 */
export function ApprovalForms({ c, id, back }: { c: ConsoleContext; id: string; back: 'approvals' | 'detail' }) {
  const csrf = c.var.session.csrf;
  const reason = `reason-${id}`;
  return (
    <div class="approval">
      <form method="post" action={`/admin/broadcasts/${id}/approve`} class="inline">
        <CsrfField token={csrf} />
        <input type="hidden" name="back" value={back} />
        <button type="submit">承認する</button>
      </form>
      <form method="post" action={`/admin/broadcasts/${id}/return`} class="return">
        <CsrfField token={csrf} />
        <input type="hidden" name="back" value={back} />
        <label for={reason}>差し戻しの理由</label>
        <textarea id={reason} name="reason" rows={3} maxlength={1000} required />
        <button type="submit" class="secondary">
          差し戻す
        </button>
      </form>
    </div>
  );
}
