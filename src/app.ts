import { Hono } from 'hono';
import { webhook } from './webhook';
import { pages } from './pages/routes';
import { api } from './api';
import { consoleApp } from './console/app';
import { open311 } from './reports/open311';
import { log } from './http/log';

export const app = new Hono<{ Bindings: Env }>();

app.get('/', (c) => c.text('岡山市役所公式LINE backend. See /policy, /terms and /api/v1/docs.'));
app.route('/webhook', webhook);
app.route('/api/v1', api);
app.route('/admin', consoleApp);
app.route('/open311/v2', open311);
app.route('/', pages);

app.notFound((c) => c.json({ message: 'Not found' }, 404));
app.onError((err, c) => {
  log.error('unhandled error', { path: c.req.path, error: err.message, stack: err.stack });
  return c.json({ message: 'Internal error' }, 500);
});
