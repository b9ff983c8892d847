import type { Audience } from '../../broadcasts/audience';
import { listAcks } from '../../broadcasts/acks';
import { loadBroadcast } from '../../broadcasts/service';
import { problem } from '../../admin/errors';
import { listSchoolMessages } from '../../schools/messages';
import { schoolFor } from '../../schools/registry';
import { consoleRouter, guard, Layout, when } from '../kit';
import { AudienceBroadcasts } from '../broadcasts/table';
import { classJa } from './labels';
import { SchoolNav } from './nav';
import { Pager } from './pager';

/**
 * The school's messages to its guardians and, for those that asked for 「確認しました」, who
 * has read them (per pupil: the teacher phones the rest). Writing one is the composer's job
 * (/admin/broadcasts/new), linked here with the school as the audience.
 */
export const messagePages = consoleRouter();

const PAGE_SIZE = 20;
const ACK_PAGE = 100;

messagePages.get('/schools/:id/messages', guard('school_staff'), async (c) => {
  const school = await schoolFor(c.var.db, c.var.staff, c.req.param('id'));
  const page = await listSchoolMessages(c.env, c.var.db, c.var.staff, school.id, Date.now(), {
    limit: PAGE_SIZE,
    cursor: c.req.query('cursor'),
  });
  return c.html(
    <Layout c={c} title={`${school.name}からの配信`}>
      <SchoolNav school={school} current="messages" />
      <p>
        <a class="button" href={`/admin/broadcasts/new?audience=school:${school.id}`}>
          保護者へ配信する
        </a>
      </p>
      {page.items.length === 0 ? (
        <p>この学校からの配信はまだありません。</p>
      ) : (
        <AudienceBroadcasts
          items={page.items}
          label="学校からの配信の一覧"
          acksHref={(id) => `/admin/schools/${school.id}/messages/${id}/acks`}
        />
      )}
      {page.nextCursor ? (
        <nav class="pager" aria-label="ページ送り">
          <a href={`/admin/schools/${school.id}/messages?cursor=${encodeURIComponent(page.nextCursor)}`}>次へ →</a>
        </nav>
      ) : null}
    </Layout>,
  );
});

messagePages.get('/schools/:id/messages/:broadcastId/acks', guard('school_staff'), async (c) => {
  const school = await schoolFor(c.var.db, c.var.staff, c.req.param('id'));
  const row = await loadBroadcast(c.var.db, c.req.param('broadcastId'));
  const audience = row.audience as Audience;
  // Only this school's messages under this school's URL: another school's answers as not there.
  if (audience.type !== 'school' || audience.schoolId !== school.id)
    throw problem(404, 'この学校の配信ではありません。');
  const acks = await listAcks(c.var.db, c.var.staff, row.id);
  if (acks.kind !== 'school') throw problem(404, 'この学校の配信ではありません。');
  const pendingOnly = c.req.query('pending') === '1';
  const list = pendingOnly ? acks.items.filter((i) => i.acknowledgedAt === null) : acks.items;
  const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
  const shown = list.slice((page - 1) * ACK_PAGE, page * ACK_PAGE);
  const base = `/admin/schools/${school.id}/messages/${row.id}/acks${pendingOnly ? '?pending=1' : ''}`;
  return c.html(
    <Layout c={c} title={`確認状況：${row.title}`}>
      <SchoolNav school={school} current="messages" />
      <p>
        確認済 {acks.acknowledged}人・未確認 {acks.pending}人
      </p>
      <p>
        {pendingOnly ? (
          <a href={`/admin/schools/${school.id}/messages/${row.id}/acks`}>全員を表示</a>
        ) : (
          <a href={`${base}?pending=1`}>未確認だけを表示</a>
        )}
      </p>
      <section class="table-wrap" aria-label="児童生徒ごとの確認状況" tabindex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">学年・組</th>
              <th scope="col">氏名</th>
              <th scope="col">確認</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((i) => (
              <tr>
                <td class="nowrap">{classJa(i.pupil.grade, i.pupil.class)}</td>
                <td>{i.pupil.name}</td>
                <td>
                  {i.acknowledgedAt === null ? (
                    <span class="badge a-submitted">未確認</span>
                  ) : (
                    <>
                      <span class="badge a-confirmed">確認済</span> {when(i.acknowledgedAt)}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Pager page={page} more={list.length > page * ACK_PAGE} base={base} />
    </Layout>,
  );
});
