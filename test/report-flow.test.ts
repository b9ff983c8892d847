import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ContentUnavailableError, fetchMessageContent } from '../src/reports/content';
import { submitReport } from '../src/reports/service';
import { jpegWithGps, pngWithText, contains } from './helpers/images';
import { conversation, drain, envelope, events, fake, newUserId, postWebhook, say, texts } from './helpers/line';
import {
  flowState,
  north,
  press,
  quickLabels,
  quickTypes,
  reportsOf,
  reportUpTo,
  resident,
  spot,
  turn,
  type StepName,
} from './helpers/reports';

const REPORT_NUMBER = /R-\d{4}-\d{6}/;

async function photoRows(reportId: string) {
  return (
    await env.DB.prepare('SELECT * FROM report_photos WHERE report_id = ? ORDER BY sort_order')
      .bind(reportId)
      .all<Record<string, any>>()
  ).results;
}

describe('a whole report, from the rich menu to the receipt', () => {
  it('walks every step, stores the report with a readable number, a clean photo and its history, and mails the department', async () => {
    const u = await resident();
    const at = spot();

    let msgs = await turn(u, events.postback(u, 'action=start&service=report'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.text).toContain('危険・緊急の場合は');
    expect(quickLabels(msgs[0])).toEqual(['LINEで通報する', '危険・緊急の場合は電話で', '中止']);

    msgs = await turn(u, press(u, 'safety', 'line'));
    expect(quickLabels(msgs[0])).toEqual(['道路', '公園', 'その他', '中止']);

    msgs = await turn(u, press(u, 'category', 'road'));
    expect(quickLabels(msgs[0])).toEqual([
      '穴・陥没',
      '段差',
      'ガードレール・標識',
      '道路照明',
      '側溝・ふた',
      'その他',
      '中止',
    ]);

    msgs = await turn(u, press(u, 'subtype', 'road-pothole'));
    expect(quickTypes(msgs[0])).toEqual(['location', 'postback']);

    msgs = await turn(u, events.location(u, at.lat, at.lng, '岡山県岡山市北区大供1丁目'));
    expect(quickTypes(msgs[0])).toEqual(['camera', 'cameraRoll', 'postback', 'postback']);
    expect(quickLabels(msgs[0])).toContain('写真なしで進む');

    await fake.content(`${u}-p1`, jpegWithGps(6), 'image/jpeg');
    msgs = await turn(u, events.image(u, `${u}-p1`));
    expect(msgs[0]!.text).toContain('1/3');
    expect(quickLabels(msgs[0])).toContain('次へ');

    msgs = await turn(u, press(u, 'photos', 'next'));
    expect(msgs[0]!.text).toContain('1,000文字');

    msgs = await turn(u, events.text(u, '歩道に直径30cmほどの穴があり、つまずきそうです'));
    expect(msgs[0]!.text).toContain('道路／穴・陥没');
    expect(msgs[0]!.text).toContain('岡山県岡山市北区大供1丁目');
    expect(msgs[0]!.text).toContain('写真：1枚');
    expect(quickLabels(msgs[0])).toEqual(['送信', '修正', '中止']);

    msgs = await turn(u, press(u, 'confirm', 'send'));
    expect(msgs).toHaveLength(1);
    const number = msgs[0]!.text.match(REPORT_NUMBER)?.[0];
    expect(number).toBeDefined();
    expect(msgs[0]!.text).toContain('平日');
    expect(msgs[0]!.text).toContain('個別の返信は行っておりません');

    const [report] = await reportsOf(u);
    expect(report).toMatchObject({
      number,
      status: 'received',
      category_code: 'road',
      subtype_code: 'road-pothole',
      department_id: 'road',
      description: '歩道に直径30cmほどの穴があり、つまずきそうです',
      address: '岡山県岡山市北区大供1丁目',
      mail_status: 'sent',
      mail_attempts: 1,
    });
    expect(report!.lat).toBeCloseTo(at.lat, 6);
    expect(report!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(report!.mail_message_id).toMatch(/^<.+@city\.okayama\.jp>$/);

    const photos = await photoRows(report!.id);
    expect(photos).toHaveLength(1);
    expect(photos[0]!.r2_key).toBe(`report-photos/${photos[0]!.id}`);
    const obj = await env.PHOTOS.get(photos[0]!.r2_key);
    const bytes = new Uint8Array(await obj!.arrayBuffer());
    expect(obj!.httpMetadata?.contentType).toBe('image/jpeg');
    expect(contains(bytes, 'SecretPhone')).toBe(false);
    expect(contains(bytes, [0x88, 0x25])).toBe(false);
    expect(contains(bytes, 'GPSLatitude')).toBe(false);
    expect(photos[0]!.bytes).toBe(bytes.length);

    const history = (
      await env.DB.prepare('SELECT actor, from_status, to_status FROM report_status_history WHERE report_id = ?')
        .bind(report!.id)
        .all()
    ).results;
    expect(history).toEqual([{ actor: 'resident', from_status: null, to_status: 'received' }]);

    expect((await flowState(u)).flow).toBeUndefined();
    // Every answer passed the fake LINE's validation (≤5 messages, ≤13 quick replies, labels ≤20).
    expect((await drain(u)).every((r) => r.status === 'done')).toBe(true);
  });

  it('starts when the resident types 通報, too', async () => {
    const u = await resident();
    const msgs = await turn(u, events.text(u, '通報'));
    expect(quickLabels(msgs[0])).toContain('LINEで通報する');
    expect((await flowState(u)).flow?.step).toBe('safety');
  });

  it('gives consecutive numbers to consecutive reports', async () => {
    const u = await resident();
    for (let i = 0; i < 2; i++) {
      await reportUpTo(u, 'confirm');
      await say(u, press(u, 'confirm', 'send'));
    }
    const [a, b] = await reportsOf(u);
    const seq = (n: string) => Number(n.split('-')[2]);
    expect(seq(b!.number)).toBeGreaterThan(seq(a!.number));
    const counter = await env.DB.prepare('SELECT last FROM report_counters WHERE year = ?')
      .bind(Number(a!.number.split('-')[1]))
      .first<{ last: number }>();
    expect(counter!.last).toBeGreaterThanOrEqual(seq(b!.number));
  });

  it('a retried 送信 (the same event worked twice) stores one report', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    const draft = (await flowState(u)).flow!.data;
    await say(u, press(u, 'confirm', 'send'));
    // Run the submission again with the same draft, as a crash before the state was saved would.
    const again = await submitReport(
      env,
      {
        id: draft.reportId,
        categoryCode: 'road',
        subtypeCode: 'road-pothole',
        departmentId: 'road',
        lat: 34.65,
        lng: 133.92,
        address: null,
        description: 'x',
        reporterLineUserId: u,
        photoIds: [],
      },
      Date.now(),
    );
    const rows = await reportsOf(u);
    expect(rows).toHaveLength(1);
    expect(again.number).toBe(rows[0]!.number);
  });

  it('speaks English to a resident whose LINE is in English', async () => {
    const u = await resident('en');
    const msgs = await turn(u, events.postback(u, 'action=start&service=report'));
    expect(msgs[0]!.text).toContain('Report damage');
    expect(quickLabels(msgs[0])).toEqual(['Report via LINE', 'Urgent: phone number', 'Cancel']);
    const cats = await turn(u, press(u, 'safety', 'line'));
    expect(quickLabels(cats[0])).toEqual(['Road', 'Park', 'Other', 'Cancel']);
  });
});

describe('the safety branch', () => {
  it('shows the phone number of the chosen category and ends the flow', async () => {
    const u = await resident();
    await reportUpTo(u, 'safety');
    let msgs = await turn(u, press(u, 'safety', 'phone'));
    expect(quickLabels(msgs[0])).toEqual(['道路', '公園', 'その他', '中止']);
    await env.DB.prepare(`UPDATE report_categories SET emergency_phone = '086-000-1111' WHERE code = 'park'`).run();
    msgs = await turn(u, press(u, 'emergency', 'park'));
    expect(msgs[0]!.text).toContain('086-000-1111');
    expect(msgs[0]!.text).toContain('公園緑地課');
    expect((await flowState(u)).flow).toBeUndefined();
    expect(await reportsOf(u)).toHaveLength(0);
  });
});

describe('wrong input at each step gets a hint and the same question', () => {
  const wrong = {
    sticker: (u: string) => events.sticker(u),
    text: (u: string) => events.text(u, 'えーと'),
    location: (u: string) => events.location(u, 34.66, 133.92),
    image: (u: string) => events.image(u, `${u}-wrong`),
    'stale button': (u: string) => press(u, 'confirm', 'send'),
  };
  const cases: [StepName, keyof typeof wrong, RegExp][] = [
    ['safety', 'sticker', /ボタンから選んで/],
    ['safety', 'location', /ボタンから選んで/],
    ['category', 'text', /ボタンから選んで/],
    ['category', 'stale button', /ボタンから選んで/],
    ['subtype', 'image', /ボタンから選んで/],
    ['location', 'text', /位置情報を送って/],
    ['location', 'sticker', /位置情報を送って/],
    ['location', 'image', /位置情報を送って/],
    ['photos', 'text', /写真を送るか/],
    ['photos', 'location', /写真を送るか/],
    ['description', 'sticker', /文字で送って/],
    ['description', 'image', /文字で送って/],
    ['description', 'location', /文字で送って/],
    ['confirm', 'sticker', /ボタンから選んで/],
  ];
  it.each(cases)('at %s, a %s', async (step, kind, hint) => {
    const u = await resident();
    await reportUpTo(u, step);
    const asked = (await fake.messagesTo(u)).at(-1)!;
    const before = (await flowState(u)).flow!;
    const msgs = await turn(u, wrong[kind](u));
    expect(msgs).toHaveLength(2);
    expect(msgs[0]!.text).toMatch(hint);
    // The same question again: same text, same buttons.
    expect(msgs[1]!.text).toBe(asked.text);
    expect(quickLabels(msgs[1])).toEqual(quickLabels(asked));
    const after = (await flowState(u)).flow!;
    expect(after.step).toBe(before.step);
  });

  it('refuses a place outside the city and asks again', async () => {
    const u = await resident();
    await reportUpTo(u, 'location');
    for (const [lat, lng] of [
      [35.6812, 139.7671], // Tokyo
      [34.6014, 133.7664], // Kurashiki station
    ]) {
      const msgs = await turn(u, events.location(u, lat!, lng!));
      expect(msgs[0]!.text).toContain('岡山市の区域外');
      expect(quickTypes(msgs[1])).toContain('location');
      expect((await flowState(u)).flow!.step).toBe('location');
    }
    const at = spot();
    await say(u, events.location(u, at.lat, at.lng));
    expect((await flowState(u)).flow!.step).toBe('photos');
  });

  it('refuses a description over 1,000 characters and keeps one of exactly 1,000', async () => {
    const u = await resident();
    await reportUpTo(u, 'description');
    let msgs = await turn(u, events.text(u, 'あ'.repeat(1001)));
    expect(msgs[0]!.text).toContain('1001文字');
    expect((await flowState(u)).flow!.step).toBe('description');
    msgs = await turn(u, events.text(u, 'あ'.repeat(1000)));
    expect((await flowState(u)).flow!.step).toBe('confirm');
    expect((await flowState(u)).flow!.data.description).toHaveLength(1000);
  });

  it('warns gently about a phone number or e-mail address, and lets the resident keep or rewrite it', async () => {
    const u = await resident();
    await reportUpTo(u, 'description');
    let msgs = await turn(u, events.text(u, '隣の山田さん(090-1234-5678)の家の前'));
    expect(msgs[0]!.text).toContain('電話番号');
    expect(msgs[0]!.text).toContain('利用規約1(6)');
    expect((await flowState(u)).flow!.step).toBe('description_check');
    msgs = await turn(u, events.text(u, '家の前の側溝のふたが割れています'));
    expect((await flowState(u)).flow!.step).toBe('confirm');
    expect((await flowState(u)).flow!.data.description).toBe('家の前の側溝のふたが割れています');

    const v = await resident();
    await reportUpTo(v, 'description');
    msgs = await turn(v, events.text(v, '詳しくは taro@example.com まで'));
    expect(msgs[0]!.text).toContain('メールアドレス');
    await say(v, press(v, 'description_check', 'keep'));
    expect((await flowState(v)).flow!.step).toBe('confirm');
  });

  it('lets the resident go on without a description', async () => {
    const u = await resident();
    await reportUpTo(u, 'description');
    const msgs = await turn(u, press(u, 'description', 'skip'));
    expect(msgs[0]!.text).toContain('説明：（なし）');
  });
});

describe('中止 and the 30-minute expiry', () => {
  it.each<StepName>(['safety', 'category', 'subtype', 'location', 'photos', 'description', 'confirm'])(
    '中止 at %s ends the draft',
    async (step) => {
      const u = await resident();
      await reportUpTo(u, step);
      const msgs = await turn(u, events.text(u, '中止'));
      expect(msgs[0]!.text).toContain('通報を中止しました');
      expect((await flowState(u)).flow).toBeUndefined();
      expect(await reportsOf(u)).toHaveLength(0);
    },
  );

  it('the 中止 button throws away photos already stored', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    await fake.content(`${u}-c1`, jpegWithGps(), 'image/jpeg');
    await say(u, events.image(u, `${u}-c1`));
    const [photoId] = (await flowState(u)).flow!.data.photoIds as string[];
    expect(await env.PHOTOS.head(`report-photos/${photoId}`)).not.toBeNull();
    await say(u, press(u, 'any', 'cancel'));
    expect(await env.PHOTOS.head(`report-photos/${photoId}`)).toBeNull();
    expect(await env.DB.prepare('SELECT id FROM report_photos WHERE id = ?').bind(photoId).first()).toBeNull();
  });

  it('after 30 minutes of silence the next message says the draft expired', async () => {
    const u = await resident();
    await reportUpTo(u, 'description');
    await runInDurableObject(conversation(u), async (_o: unknown, state) => {
      const row = state.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).one();
      const s = JSON.parse(row.value);
      s.flow.updatedAt -= 31 * 60 * 1000;
      state.storage.sql.exec(`UPDATE kv SET value = ? WHERE key = 'state'`, JSON.stringify(s));
    });
    const msgs = await turn(u, events.text(u, '歩道の穴です'));
    expect(msgs[0]!.text).toContain('30分間操作がなかった');
    expect((await flowState(u)).flow).toBeUndefined();
    expect(await reportsOf(u)).toHaveLength(0);
  });

  it('29 minutes of silence is not an expiry', async () => {
    const u = await resident();
    await reportUpTo(u, 'description');
    await runInDurableObject(conversation(u), async (_o: unknown, state) => {
      const row = state.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).one();
      const s = JSON.parse(row.value);
      s.flow.updatedAt -= 29 * 60 * 1000;
      state.storage.sql.exec(`UPDATE kv SET value = ? WHERE key = 'state'`, JSON.stringify(s));
    });
    await say(u, events.text(u, '歩道の穴です'));
    expect((await flowState(u)).flow!.step).toBe('confirm');
  });
});

describe('photos from the LINE content API', () => {
  it('takes up to three and then moves on to the description', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    for (let i = 1; i <= 3; i++)
      await fake.content(`${u}-m${i}`, i === 2 ? pngWithText() : jpegWithGps(), i === 2 ? 'image/png' : 'image/jpeg');
    await say(u, events.image(u, `${u}-m1`));
    await say(u, events.image(u, `${u}-m2`));
    const msgs = await turn(u, events.image(u, `${u}-m3`));
    expect(msgs[0]!.text).toContain('3枚受け付けました');
    expect(msgs[1]!.text).toContain('1,000文字');
    const s = (await flowState(u)).flow!;
    expect(s.step).toBe('description');
    expect(s.data.photoIds).toHaveLength(3);
    const png = await env.PHOTOS.get(`report-photos/${s.data.photoIds[1]}`);
    const bytes = new Uint8Array(await png!.arrayBuffer());
    expect(png!.httpMetadata?.contentType).toBe('image/png');
    expect(contains(bytes, 'tEXt')).toBe(false);
  });

  it('404 (content gone): asks the resident to send it again', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    const msgs = await turn(u, events.image(u, `${u}-never-registered`));
    expect(msgs[0]!.text).toContain('もう一度送ってください');
    expect((await flowState(u)).flow!.data.photoIds).toHaveLength(0);
  });

  it('500: the event is retried by the inbox and the photo is then stored once', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    await fake.content(`${u}-r1`, jpegWithGps(), 'image/jpeg');
    await fake.inject({ path: `/v2/bot/message/${u}-r1/content`, status: 500, times: 1 });
    await postWebhook(envelope([events.image(u, `${u}-r1`)]));
    const rows = await drain(u);
    expect(rows.at(-1)).toMatchObject({ status: 'done', attempts: 1 });
    expect((await flowState(u)).flow!.data.photoIds).toHaveLength(1);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM report_photos WHERE uploader_line_user_id = ?')
      .bind(u)
      .first<{ n: number }>();
    expect(n!.n).toBe(1);
  });

  it('a content API that never answers is given up on (the inbox retries the event) instead of holding the inbox', async () => {
    const u = newUserId();
    await fake.content(`${u}-slow`, jpegWithGps(), 'image/jpeg');
    await fake.inject({
      path: `/v2/bot/message/${u}-slow/content`,
      status: 200,
      delayMs: 5_000,
      acceptFirst: true,
      times: 1,
    });
    const started = Date.now();
    await expect(fetchMessageContent(env, `${u}-slow`, undefined, 300)).rejects.toThrow(ContentUnavailableError);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('over 10 MB: refused with a clear message', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(jpegWithGps());
    await fake.content(`${u}-big`, big, 'image/jpeg');
    const msgs = await turn(u, events.image(u, `${u}-big`));
    expect(msgs[0]!.text).toContain('10MB');
    expect((await flowState(u)).flow!.data.photoIds).toHaveLength(0);
  });

  it('exactly 10 MB is accepted', async () => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    const src = jpegWithGps(1);
    // JPEG bytes after EOI are ignored by decoders and dropped by the stripper.
    const edge = new Uint8Array(10 * 1024 * 1024);
    edge.set(src);
    await fake.content(`${u}-edge`, edge, 'image/jpeg');
    await say(u, events.image(u, `${u}-edge`));
    expect((await flowState(u)).flow!.data.photoIds).toHaveLength(1);
  });

  it.each([
    ['a GIF', Uint8Array.from([...'GIF89a'].map((c) => c.charCodeAt(0))), 'image/gif'],
    ['text labelled as JPEG', new TextEncoder().encode('not really a jpeg'), 'image/jpeg'],
  ])('not JPEG/PNG (%s): refused with a clear message', async (_n, bytes, type) => {
    const u = await resident();
    await reportUpTo(u, 'photos');
    await fake.content(`${u}-x`, bytes, type);
    const msgs = await turn(u, events.image(u, `${u}-x`));
    expect(msgs[0]!.text).toContain('JPEGまたはPNG');
    expect((await flowState(u)).flow!.data.photoIds).toHaveLength(0);
  });
});

describe('修正 from the summary', () => {
  it('changes the description and comes back to the summary', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    let msgs = await turn(u, press(u, 'confirm', 'edit'));
    expect(quickLabels(msgs[0])).toEqual(['種類', '場所', '写真（撮り直し）', '説明', '確認に戻る', '中止']);
    await say(u, press(u, 'edit', 'description'));
    msgs = await turn(u, events.text(u, 'ガードレールが曲がっています'));
    expect(msgs[0]!.text).toContain('説明：ガードレールが曲がっています');
    expect((await flowState(u)).flow!.step).toBe('confirm');
  });

  it('takes a typed label as the tap, as every other step does', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    await say(u, events.text(u, '修正'));
    expect((await flowState(u)).flow!.step).toBe('edit');
    await say(u, events.text(u, '説明'));
    expect((await flowState(u)).flow!.step).toBe('description');
  });

  it('changes the category and subtype', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    await say(u, press(u, 'confirm', 'edit'), press(u, 'edit', 'category'), press(u, 'category', 'park'));
    const msgs = await turn(u, press(u, 'subtype', 'park-tree'));
    expect(msgs.at(-1)!.text).toContain('公園／樹木');
  });
});

describe('the daily limit', () => {
  async function fill(u: string, n: number) {
    for (let i = 0; i < n; i++) {
      const p = spot();
      await submitReport(
        env,
        {
          id: crypto.randomUUID(),
          categoryCode: 'road',
          subtypeCode: 'road-step',
          departmentId: 'road',
          lat: p.lat,
          lng: p.lng,
          address: null,
          description: '',
          reporterLineUserId: u,
          photoIds: [],
        },
        Date.now(),
      );
    }
  }

  it('ten reports today: the eleventh is refused at the start', async () => {
    const u = await resident();
    await fill(u, 10);
    const msgs = await turn(u, events.postback(u, 'action=start&service=report'));
    expect(msgs[0]!.text).toContain('1日10件まで');
    expect((await flowState(u)).flow).toBeUndefined();
  });

  it('nine reports: the tenth goes through; one sent meanwhile makes 送信 refuse', async () => {
    const u = await resident();
    await fill(u, 9);
    await reportUpTo(u, 'confirm');
    await fill(u, 1);
    const msgs = await turn(u, press(u, 'confirm', 'send'));
    expect(msgs[0]!.text).toContain('1日10件まで');
    expect(await reportsOf(u)).toHaveLength(10);

    const v = await resident();
    await fill(v, 9);
    await reportUpTo(v, 'confirm');
    const ok = await turn(v, press(v, 'confirm', 'send'));
    expect(ok[0]!.text).toMatch(REPORT_NUMBER);
  });

  it('yesterday’s reports do not count', async () => {
    const u = await resident();
    await fill(u, 10);
    await env.DB.prepare('UPDATE reports SET created_at = created_at - 86400000 WHERE reporter_line_user_id = ?')
      .bind(u)
      .run();
    const msgs = await turn(u, events.postback(u, 'action=start&service=report'));
    expect(quickLabels(msgs[0])).toContain('LINEで通報する');
  });
});

describe('nearby duplicates', () => {
  it('tells the resident of an open report of the same category within 30 m; adding themselves makes them a supporter', async () => {
    const a = await resident();
    const at = await reportUpTo(a, 'confirm');
    await say(a, press(a, 'confirm', 'send'));
    const [original] = await reportsOf(a);

    const b = await resident();
    const near = north(at, 20);
    await reportUpTo(b, 'location');
    let msgs = await turn(b, events.location(b, near.lat, near.lng));
    expect(msgs[0]!.text).toContain(original!.number);
    expect(msgs[0]!.text).toContain('約20m');
    expect(quickLabels(msgs[0])).toEqual(['同じ損傷なので賛同する', '別の損傷として通報する', '中止']);
    msgs = await turn(b, press(b, 'duplicate', 'support'));
    expect(msgs[0]!.text).toContain(`${original!.number} に賛同しました`);
    const sup = await env.DB.prepare('SELECT line_user_id FROM report_supporters WHERE report_id = ?')
      .bind(original!.id)
      .all();
    expect(sup.results).toEqual([{ line_user_id: b }]);
    expect(await reportsOf(b)).toHaveLength(0);
    expect((await flowState(b)).flow).toBeUndefined();
  });

  it('the resident may still send their own', async () => {
    const a = await resident();
    const at = await reportUpTo(a, 'confirm');
    await say(a, press(a, 'confirm', 'send'));
    const c = await resident();
    await reportUpTo(c, 'location');
    await say(c, events.location(c, at.lat, at.lng));
    const msgs = await turn(c, press(c, 'duplicate', 'continue'));
    expect(msgs[0]!.text).toContain('写真');
    expect((await flowState(c)).flow!.step).toBe('photos');
  });

  it.each([
    ['40 m away', (at: { lat: number; lng: number }) => north(at, 40), 'road'],
    ['another category', (at: { lat: number; lng: number }) => at, 'park'],
  ])('no duplicate: %s', async (_n, where, category) => {
    const a = await resident();
    const at = await reportUpTo(a, 'confirm');
    await say(a, press(a, 'confirm', 'send'));
    const d = await resident();
    await reportUpTo(d, 'location', { category, subtype: category === 'park' ? 'park-bench-light' : 'road-pothole' });
    const p = where(at);
    await say(d, events.location(d, p.lat, p.lng));
    expect((await flowState(d)).flow!.step).toBe('photos');
  });

  it('one’s own report nearby does not hide someone else’s within 30 m', async () => {
    const a = await resident();
    const b = await resident();
    const at = spot();
    await reportUpTo(a, 'confirm', { at: north(at, 20) });
    await say(a, press(a, 'confirm', 'send'));
    const [others] = await reportsOf(a);
    // b's own report is nearer (0 m) than a's (20 m).
    await submitReport(
      env,
      {
        id: crypto.randomUUID(),
        categoryCode: 'road',
        subtypeCode: 'road-step',
        departmentId: 'road',
        lat: at.lat,
        lng: at.lng,
        address: null,
        description: '',
        reporterLineUserId: b,
        photoIds: [],
      },
      Date.now(),
    );
    await reportUpTo(b, 'location');
    const msgs = await turn(b, events.location(b, at.lat, at.lng));
    expect(msgs[0]!.text).toContain(others!.number);
    expect((await flowState(b)).flow!.step).toBe('duplicate');
  });

  it('a closed report is no duplicate', async () => {
    const a = await resident();
    const at = await reportUpTo(a, 'confirm');
    await say(a, press(a, 'confirm', 'send'));
    await env.DB.prepare(`UPDATE reports SET status = 'resolved' WHERE reporter_line_user_id = ?`).bind(a).run();
    const d = await resident();
    await reportUpTo(d, 'location');
    await say(d, events.location(d, at.lat, at.lng));
    expect((await flowState(d)).flow!.step).toBe('photos');
  });
});

describe('a damaged draft', () => {
  it('starts over with a message instead of failing the event', async () => {
    const u = await resident();
    await reportUpTo(u, 'confirm');
    await runInDurableObject(conversation(u), async (_o: unknown, state) => {
      const row = state.storage.sql.exec<{ value: string }>(`SELECT value FROM kv WHERE key = 'state'`).one();
      const s = JSON.parse(row.value);
      delete s.flow.data.lat;
      state.storage.sql.exec(`UPDATE kv SET value = ? WHERE key = 'state'`, JSON.stringify(s));
    });
    const msgs = await turn(u, press(u, 'confirm', 'send'));
    expect(msgs[0]!.text).toContain('もう一度「通報」から');
    expect((await flowState(u)).flow).toBeUndefined();
    expect(await reportsOf(u)).toHaveLength(0);
    expect((await drain(u)).every((r) => r.status === 'done')).toBe(true);
  });
});

describe('outside a report', () => {
  it('stray report buttons after the flow ended do nothing', async () => {
    const u = await resident();
    const before = (await fake.messagesTo(u)).length;
    await say(u, press(u, 'confirm', 'send'));
    expect(texts(await fake.messagesTo(u))).toHaveLength(before);
    expect(await reportsOf(u)).toHaveLength(0);
  });
});

describe('resident input that would break LINE’s limits', () => {
  it('a 100,000-character address is clipped to 200 and the title to 100 (with …); the resident still gets the summary', async () => {
    const u = await resident();
    await reportUpTo(u, 'location');
    const at = spot();
    const ev = events.location(u, at.lat, at.lng, '岡'.repeat(100_000));
    ev.message.title = '題'.repeat(5_000);
    await say(u, ev);
    const draft = (await flowState(u)).flow!.data;
    expect(draft.address).toBe(`${'岡'.repeat(199)}…`);
    expect(draft.title).toBe(`${'題'.repeat(99)}…`);

    await say(u, press(u, 'photos', 'next'));
    const msgs = await turn(u, events.text(u, '歩道に穴があります'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.text).toContain(`${'岡'.repeat(199)}…`);
    expect(quickLabels(msgs[0])).toEqual(['送信', '修正', '中止']);

    await say(u, press(u, 'confirm', 'send'));
    const [report] = await reportsOf(u);
    expect(report!.address).toBe(`${'岡'.repeat(199)}…`);
  });

  it('a location without an address shows its title in the summary', async () => {
    const u = await resident();
    await reportUpTo(u, 'location');
    const at = spot();
    const ev = events.location(u, at.lat, at.lng, '');
    ev.message.title = '岡山城';
    await say(u, ev, press(u, 'photos', 'next'));
    const msgs = await turn(u, press(u, 'description', 'skip'));
    expect(msgs[0]!.text).toContain('岡山城');
  });
});
