import { audit } from '../../admin/audit';
import { photoContent } from '../../reports/staff';
import type { ConsoleContext } from '../kit';

/**
 * A report's photo for the detail page's <img>: same origin (the CSP allows no other), read
 * with the API's service function and audited like GET /api/v1/reports/{id}/photos/{photoId},
 * since a photo may show a person or a number plate. Never cached: it is personal data.
 */
export async function photoAnswer(c: ConsoleContext, id: string, photoId: string) {
  const photo = await photoContent(c.env, c.var.db, id, photoId);
  if (!photo) return null;
  await audit(c.var.db, c.var.staff, 'report.photo.read', 'report_photo', photoId, { reportId: id, via: 'console' });
  return c.body(photo.body, 200, {
    'content-type': photo.contentType,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
}
