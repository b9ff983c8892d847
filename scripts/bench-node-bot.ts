/**
 * The comparison bot for `npm run bench`: how a LINE bot is usually written on Node. Express
 * with @line/bot-sdk's middleware() (signature check and JSON parse), each event stored in
 * on-disk SQLite (WAL, synchronous FULL: a commit is on disk when it returns), 200, then a
 * reply through the (fake) Messaging API. Not part of the worker; started by scripts/lib/bench-runtime.ts.
 */
import Database from 'better-sqlite3';
import express from 'express';
import { messagingApi, middleware, type webhook } from '@line/bot-sdk';

type WebhookEvent = webhook.Event;

const db = new Database(process.env.BOT_DB ?? 'bench-node-bot.sqlite');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  webhook_event_id TEXT PRIMARY KEY, user_id TEXT, type TEXT, body TEXT NOT NULL, received_at INTEGER NOT NULL)`);
const insert = db.prepare(
  'INSERT INTO events (webhook_event_id, user_id, type, body, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
);
const store = db.transaction((events: WebhookEvent[]) => {
  const now = Date.now();
  return events.filter(
    (e) => insert.run(e.webhookEventId, e.source?.userId ?? null, e.type, JSON.stringify(e), now).changes > 0,
  );
});

const client = new messagingApi.MessagingApiClient({
  channelAccessToken: process.env.LINE_CHANNEL_ACCESS_TOKEN!,
  baseURL: process.env.LINE_API_BASE_URL,
});

const app = express();
app.post('/webhook', middleware({ channelSecret: process.env.LINE_CHANNEL_SECRET! }), (req, res) => {
  const fresh = store((req.body as { events: WebhookEvent[] }).events);
  res.json({ ok: true });
  for (const e of fresh) {
    if (e.type !== 'message' || !e.replyToken) continue;
    client
      .replyMessage({
        replyToken: e.replyToken,
        messages: [{ type: 'text', text: 'お問い合わせは電子メールでお願いします。' }],
      })
      .catch(() => {});
  }
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
