import type { Child } from 'hono/jsx';
import { countReportsByStatus, reportIdByNumber } from '../../reports/queries';
import { IdOrNumberParam, IdParam, PhotoParam, RECEIPT_NUMBER } from '../../reports/schemas';
import { consoleRouter, errorPage, guard, may, type ConsoleContext } from '../kit';
import { postDepartment, postHidden, postMail, postPhotoHidden, postStatus } from './actions';
import { csvAnswer } from './export';
import { detailPage } from './detail';
import { listPage } from './list';
import { photoAnswer } from './photos';
import { STATUS_LABEL } from './texts';

/**
 * The console's 通報 pages, mounted at /admin by ../app.tsx (paths are written in full, e.g.
 * /reports). The roles are the API's (src/reports/routes.ts): report_manager, admin always.
 */
export const reportsPages = consoleRouter();

const ROLES = ['report_manager'] as const;

const notFound = (c: ConsoleContext) => c.html(errorPage(c, 404, 'その通報はありません。'), 404);

/** The report a URL names, by id or receipt number (as the API takes it), or null. */
async function reportIdOf(c: ConsoleContext): Promise<string | null> {
  const key = IdOrNumberParam.safeParse({ id: c.req.param('id') });
  if (!key.success) return null;
  return RECEIPT_NUMBER.test(key.data.id) ? reportIdByNumber(c.var.db, key.data.id) : key.data.id;
}

/** The ids of a URL that names its report by id (forms post to these; photos hang under them). */
function idsOf(c: ConsoleContext): { id: string; photoId?: string } | null {
  const photoId = c.req.param('photoId');
  if (photoId === undefined) {
    const p = IdParam.safeParse({ id: c.req.param('id') });
    return p.success ? p.data : null;
  }
  const p = PhotoParam.safeParse({ id: c.req.param('id'), photoId });
  return p.success ? p.data : null;
}

reportsPages.use('/reports', guard(...ROLES));
reportsPages.use('/reports/*', guard(...ROLES));
reportsPages.use('/reports.csv', guard(...ROLES));

reportsPages.get('/reports', (c) => listPage(c));
reportsPages.get('/reports.csv', (c) => csvAnswer(c));

reportsPages.get('/reports/:id', async (c) => {
  const id = await reportIdOf(c);
  return (id && (await detailPage(c, id))) || notFound(c);
});

reportsPages.get('/reports/:id/photos/:photoId', async (c) => {
  const p = idsOf(c);
  return (
    (p?.photoId && (await photoAnswer(c, p.id, p.photoId))) || c.html(errorPage(c, 404, 'その写真はありません。'), 404)
  );
});

reportsPages.post('/reports/:id/status', (c) => withId(c, (id) => postStatus(c, id)));
reportsPages.post('/reports/:id/mail', (c) => withId(c, async (id) => (await postMail(c, id)) ?? notFound(c)));
reportsPages.post('/reports/:id/department', (c) => withId(c, (id) => postDepartment(c, id)));
reportsPages.post('/reports/:id/hide', (c) => withId(c, (id) => postHidden(c, id, true)));
reportsPages.post('/reports/:id/unhide', (c) => withId(c, (id) => postHidden(c, id, false)));
reportsPages.post('/reports/:id/photos/:photoId/hide', (c) =>
  withId(c, (id, photoId) => postPhotoHidden(c, id, photoId, true)),
);
reportsPages.post('/reports/:id/photos/:photoId/unhide', (c) =>
  withId(c, (id, photoId) => postPhotoHidden(c, id, photoId, false)),
);

function withId(c: ConsoleContext, act: (id: string, photoId: string) => Promise<Response>) {
  const p = idsOf(c);
  return p ? act(p.id, p.photoId ?? '') : notFound(c);
}

/** What needs doing here, for the dashboard: the reports waiting and in hand; null for those who may not see them. */
export async function reportsCard(c: ConsoleContext): Promise<Child> {
  if (!may(c, ROLES)) return null;
  const counts = await countReportsByStatus(c.var.db, {});
  return (
    <section class="card" aria-labelledby="card-reports">
      <h2 id="card-reports">通報</h2>
      <ul class="plain">
        {(['received', 'in_progress'] as const).map((s) => (
          <li>
            <a href={`/admin/reports?status=${s}`}>
              {STATUS_LABEL[s]}: {counts[s] ?? 0}件
            </a>
          </li>
        ))}
      </ul>
      <p>
        <a href="/admin/reports">すべての通報</a>
      </p>
    </section>
  );
}
