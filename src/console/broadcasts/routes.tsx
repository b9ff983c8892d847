import type { Child } from 'hono/jsx';
import { countBroadcasts } from '../../broadcasts/queue';
import { consoleRouter, may, type ConsoleContext } from '../kit';
import { actionPages, APPROVERS, SENDERS } from './actions';
import { approvalPages } from './approvals';
import { composerPages } from './composer';
import { detailPages } from './detail';
import { listPages } from './list';
import { composerScript, SCRIPT_PATH } from './preview-script';

/** The console's 配信と承認 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g. /broadcasts). */
export const broadcastsPages = consoleRouter();

broadcastsPages.get(SCRIPT_PATH.replace('/admin', ''), (c) =>
  c.body(composerScript(), 200, {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': 'private, max-age=300',
  }),
);
broadcastsPages.route('/', listPages);
broadcastsPages.route('/', composerPages);
broadcastsPages.route('/', detailPages);
broadcastsPages.route('/', actionPages);
broadcastsPages.route('/', approvalPages);

/**
 * What needs doing here, for the dashboard: broadcasts waiting for approval (for those who
 * approve) and the staff member's own drafts; null when neither applies.
 */
export async function broadcastsCard(c: ConsoleContext): Promise<Child> {
  const approves = may(c, APPROVERS);
  const sends = may(c, SENDERS);
  if (!approves && !sends) return null;
  const [waiting, drafts] = await Promise.all([
    approves ? countBroadcasts(c.var.db, c.var.staff, { status: 'pending_approval' }) : Promise.resolve(0),
    sends ? countBroadcasts(c.var.db, c.var.staff, { status: 'draft', createdBy: c.var.staff.id }) : Promise.resolve(0),
  ]);
  return (
    <section class="card" aria-labelledby="card-broadcasts">
      <h2 id="card-broadcasts">配信</h2>
      <ul class="plain">
        {approves ? (
          <li>
            <a href="/admin/approvals">承認待ち {waiting.toLocaleString('ja-JP')} 件</a>
          </li>
        ) : null}
        {sends ? (
          <li>
            <a href="/admin/broadcasts?status=draft">自分の下書き {drafts.toLocaleString('ja-JP')} 件</a>
          </li>
        ) : null}
        {sends ? (
          <li>
            <a href="/admin/broadcasts/new">新しい配信を作成</a>
          </li>
        ) : null}
      </ul>
    </section>
  );
}
