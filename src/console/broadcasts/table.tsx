import type { Child } from 'hono/jsx';
import type { BroadcastSummary } from '../../broadcasts/summary';
import { when } from '../kit';
import { StatusBadge } from './view';

/**
 * One school's or association's broadcasts as their pages list them: title (a link to the
 * broadcast), status in words, when made and sent, and where its acknowledgements are read.
 */
export function AudienceBroadcasts({
  items,
  label,
  acksHref,
}: {
  items: BroadcastSummary[];
  label: string;
  acksHref: (broadcastId: string) => string;
}): Child {
  return (
    <section class="table-wrap" aria-label={label} tabindex={0}>
      <table>
        <caption class="muted">新しい順</caption>
        <thead>
          <tr>
            <th scope="col">件名</th>
            <th scope="col">状態</th>
            <th scope="col">作成</th>
            <th scope="col">配信</th>
            <th scope="col">確認状況</th>
          </tr>
        </thead>
        <tbody>
          {items.map((b) => (
            <tr>
              <td>
                <a href={`/admin/broadcasts/${b.id}`}>{b.title}</a>
              </td>
              <td>
                <StatusBadge status={b.status} />
              </td>
              <td class="nowrap">{when(b.createdAt)}</td>
              <td class="nowrap">{when(b.releasedAt ?? b.nextReleaseAt)}</td>
              <td>
                {b.requestAck ? (
                  <a href={acksHref(b.id)}>確認状況を見る</a>
                ) : (
                  <span class="muted">確認を求めていません</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
