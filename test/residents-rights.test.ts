import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { resolveRecipients } from '../src/broadcasts/recipients';
import { db } from '../src/db/client';
import { consentHistory } from '../src/residents/service';
import { api } from './helpers/api';
import { jpegWithGps } from './helpers/images';
import { events, fake, texts } from './helpers/line';
import { flowState, reportsOf, resident, storedReport, turn } from './helpers/reports';

/** 1. Consent and terms, 2. a resident's own data in the chat (設定 → 個人情報). */

const d = db(env.DB);
const OLD_VERSION = '2025-04-01';

async function userRow(u: string) {
  return env.DB.prepare('SELECT * FROM users WHERE line_user_id = ?').bind(u).first<Record<string, any>>();
}

async function count(table: string, where: string, ...binds: unknown[]) {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...binds)
    .first<{ n: number }>();
  return row!.n;
}

/** The quick-reply postback whose label is `label`, as a tap. */
function tap(u: string, msg: Record<string, any> | undefined, label: string) {
  const item = (msg?.quickReply?.items ?? []).find((i: any) => i.action.label === label);
  if (!item) throw new Error(`no button ${label} in ${JSON.stringify(msg)}`);
  return events.postback(u, item.action.data);
}

/** A school, a pupil and the resident linked to it as guardian; an association they joined. */
async function linkChildAndCommunity(u: string) {
  const now = Date.now();
  const schoolId = crypto.randomUUID();
  const pupilId = crypto.randomUUID();
  const communityId = crypto.randomUUID();
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO schools (id, code, name, kind, phone, created_at, updated_at) VALUES (?, ?, '岡山市立大供小学校', 'elementary', '086-000-0000', ?, ?)`,
    ).bind(schoolId, `S${schoolId.slice(0, 8)}`, now, now),
    env.DB.prepare(
      `INSERT INTO pupils (id, school_id, grade, class, name, kana, created_at, updated_at) VALUES (?, ?, 2, '1', '岡山 花子', 'おかやま はなこ', ?, ?)`,
    ).bind(pupilId, schoolId, now, now),
    env.DB.prepare(`INSERT INTO guardian_links (pupil_id, line_user_id, linked_at) VALUES (?, ?, ?)`).bind(
      pupilId,
      u,
      now,
    ),
    env.DB.prepare(
      `INSERT INTO communities (id, name, kind, created_at, updated_at) VALUES (?, '大供一丁目町内会', 'unit', ?, ?)`,
    ).bind(communityId, now, now),
    env.DB.prepare(
      `INSERT INTO community_members (community_id, line_user_id, display_name, joined_at) VALUES (?, ?, '花子の母', ?)`,
    ).bind(communityId, u, now),
    env.DB.prepare(
      `INSERT INTO absence_notices (id, number, school_id, pupil_id, guardian_line_user_id, date, type, reason, status, submitted_at)
       VALUES (?, ?, ?, ?, ?, '2026-12-01', 'absence', '体調不良', 'submitted', ?)`,
    ).bind(crypto.randomUUID(), `A-2026-${pupilId.slice(0, 6)}`, schoolId, pupilId, u, now),
  ]);
  return { schoolId, pupilId, communityId };
}

describe('re-consent when the terms version changes', () => {
  it('a resident who accepted an older version is told the terms were revised, and the service goes on after 同意する', async () => {
    const u = await resident();
    await env.DB.prepare('UPDATE users SET consent_version = ? WHERE line_user_id = ?').bind(OLD_VERSION, u).run();
    const asked = await turn(u, events.text(u, '通報'));
    expect(texts(asked)[0]).toContain('利用規約が改定されました');
    expect(texts(asked)[0]).toContain('https://bot.example.jp/terms');
    expect(asked[1]!.type).toBe('template');
    expect((await flowState(u)).flow).toBeUndefined();
    const agree = asked[1]!.template.actions[0].data as string;
    const after = await turn(u, events.postback(u, agree));
    expect(texts(after)[0]).toBe('利用規約への同意を受け付けました。');
    expect((await flowState(u)).flow?.step).toBe('safety');
    expect((await userRow(u))!.consent_version).toBe(env.TERMS_VERSION);
  });

  it('absence notices and associations ask again too, and each goes on by itself after 同意する', async () => {
    for (const service of ['absence', 'community']) {
      const u = await resident();
      await env.DB.prepare('UPDATE users SET consent_version = ? WHERE line_user_id = ?').bind(OLD_VERSION, u).run();
      const asked = await turn(u, events.postback(u, `action=start&service=${service}`));
      expect(texts(asked)[0], service).toContain('利用規約が改定されました');
      expect((await flowState(u)).flow, service).toBeUndefined();
      await turn(u, events.postback(u, asked[1]!.template.actions[0].data as string));
      expect(((await flowState(u)) as any).flow?.name, service).toBe(service);
    }
  });

  it('in English too', async () => {
    const u = await resident('en');
    await env.DB.prepare('UPDATE users SET consent_version = ? WHERE line_user_id = ?').bind(OLD_VERSION, u).run();
    const asked = await turn(u, events.postback(u, 'action=start&service=report'));
    expect(texts(asked)[0]).toMatch(/^The terms of use have been revised/);
  });

  it('設定 and broadcasts do not need the current version; no audience filters by consent', async () => {
    const u = await resident();
    const never = await resident();
    await env.DB.batch([
      env.DB.prepare(`UPDATE users SET consent_version = ?, ward = '東区' WHERE line_user_id = ?`).bind(OLD_VERSION, u),
      env.DB.prepare(
        `UPDATE users SET consent_version = NULL, consented_at = NULL, ward = '東区' WHERE line_user_id = ?`,
      ).bind(never),
    ]);
    const settings = await turn(u, events.text(u, '設定'));
    expect(texts(settings)[0]).toMatch(/^設定\n/);
    const r = await resolveRecipients(d, { type: 'segment', wards: ['東区'] });
    expect(r.mode).toBe('multicast');
    if (r.mode === 'multicast') expect(r.userIds).toEqual(expect.arrayContaining([u, never]));
  });
});

describe('同意の撤回', () => {
  it('asks first; then services stop until the resident accepts again, and the history keeps every step', async () => {
    const u = await resident();
    const asked = await turn(u, events.text(u, '同意の撤回'));
    expect(texts(asked)[0]).toMatch(/^利用規約への同意を撤回しますか？/);
    const stopped = await turn(u, tap(u, asked[0], 'やめる'));
    expect(texts(stopped)).toEqual(['中止しました。何も変更していません。']);
    expect((await userRow(u))!.consent_version).toBe(env.TERMS_VERSION);

    const again = await turn(u, events.text(u, '同意の撤回'));
    const done = await turn(u, tap(u, again[0], '撤回する'));
    expect(texts(done)[0]).toMatch(/^利用規約への同意を撤回しました。/);
    expect(await userRow(u)).toMatchObject({ consent_version: null, consented_at: null });

    // Not "revised": they withdrew, so they are simply asked.
    const blocked = await turn(u, events.text(u, '通報'));
    expect(texts(blocked)[0]).toBe('このサービスをご利用いただくには、先に利用規約への同意が必要です。');
    expect((await flowState(u)).flow).toBeUndefined();
    await turn(u, events.postback(u, blocked[1]!.template.actions[0].data));
    expect((await flowState(u)).flow?.step).toBe('safety');

    const history = await consentHistory(d, u);
    expect(history.map((h) => [h.kind, h.termsVersion])).toEqual([
      ['accept', env.TERMS_VERSION],
      ['withdraw', env.TERMS_VERSION],
      ['accept', env.TERMS_VERSION],
    ]);
    expect(history[0]!.at).toBeLessThanOrEqual(history[1]!.at);
  });

  it('with nothing accepted there is nothing to withdraw', async () => {
    const u = await resident();
    await env.DB.prepare('UPDATE users SET consent_version = NULL WHERE line_user_id = ?').bind(u).run();
    const answer = await turn(u, events.text(u, '同意の撤回'));
    expect(texts(answer)).toEqual(['現在、同意している利用規約はありません。']);
    expect(await count('consent_withdrawals', 'line_user_id = ?', u)).toBe(0);
  });
});

describe('登録内容の確認', () => {
  it('is a button under 設定 → 個人情報 and shows preferences, consent, reports with their state, children and associations', async () => {
    const u = await resident();
    await env.DB.prepare(`UPDATE users SET ward = '中区', interests = '["防災","観光"]' WHERE line_user_id = ?`)
      .bind(u)
      .run();
    const a = await storedReport(u);
    const b = await storedReport(u);
    await api(`/reports/${b.id}`, { method: 'PATCH', body: { status: 'accepted' } });
    await api(`/reports/${b.id}`, { method: 'PATCH', body: { status: 'in_progress' } });
    await linkChildAndCommunity(u);

    const menu = await turn(u, events.text(u, '設定'));
    const privacy = await turn(u, tap(u, menu[0], '個人情報'));
    expect(texts(privacy)[0]).toMatch(/^個人情報\n/);
    const labels = privacy[0]!.quickReply.items.map((i: any) => i.action.label);
    expect(labels).toEqual(['登録内容の確認', 'データの削除', '同意の撤回', '戻る', 'やめる']);
    const shown = await turn(u, tap(u, privacy[0], '登録内容の確認'));
    expect(shown.length).toBeLessThanOrEqual(2);
    const all = texts(shown).join('\n');
    expect(all).toContain('・お住まいの区：中区');
    expect(all).toContain('・関心のある分野：防災、観光');
    expect(all).toContain(`・${env.TERMS_VERSION}版（`);
    expect(all).toContain(`・${a.number}：受付済み`);
    expect(all).toContain(`・${b.number}：対応中`);
    expect(all).toContain('・岡山 花子（岡山市立大供小学校）');
    expect(all).toContain('・大供一丁目町内会（表示名：花子の母）');
    expect(all).not.toContain(u);
    expect((await flowState(u)).flow).toBeUndefined();
  });

  it('typed, in English, for a resident with nothing on record but the consent', async () => {
    const u = await resident('en');
    const shown = await turn(u, events.text(u, '登録内容の確認'));
    const all = texts(shown).join('\n');
    expect(all).toContain('・Ward: not set');
    expect(all).toContain(`・version ${env.TERMS_VERSION} (accepted `);
    expect(all).toContain('■Reports\n・none');
    expect(all).toContain('■Children (absence notices)\n・none');
  });

  it('戻る on the privacy menu returns to 設定 with the unsaved choices', async () => {
    const u = await resident();
    const menu = await turn(u, events.text(u, '設定'));
    const privacy = await turn(u, tap(u, menu[0], '個人情報'));
    const back = await turn(u, tap(u, privacy[0], '戻る'));
    expect(texts(back)[0]).toMatch(/^設定\n/);
    expect((await flowState(u)).flow?.step).toBe('menu');
  });
});

describe('データの削除', () => {
  it('やめる keeps everything', async () => {
    const u = await resident();
    const asked = await turn(u, events.text(u, 'データの削除'));
    expect(texts(asked)[0]).toMatch(/^削除しますか？/);
    expect(asked[0]!.quickReply.items.map((i: any) => i.action.label)).toEqual(['削除する', 'やめる']);
    await turn(u, events.text(u, 'やめる'));
    expect(await count('consents', 'line_user_id = ?', u)).toBe(1);
    expect((await userRow(u))!.consent_version).toBe(env.TERMS_VERSION);
  });

  it('deletes at once what is theirs (D1 and R2), anonymises their reports, audits counts, and they start as new', async () => {
    const u = await resident();
    await env.DB.prepare(`UPDATE users SET ward = '北区', interests = '["防災"]' WHERE line_user_id = ?`).bind(u).run();
    const report = await storedReport(u, { photos: [jpegWithGps()] });
    const other = await storedReport(await resident());
    await env.DB.prepare('INSERT INTO report_supporters (report_id, line_user_id, created_at) VALUES (?, ?, ?)')
      .bind(other.id, u, Date.now())
      .run();
    await env.DB.prepare('INSERT INTO broadcast_acks (broadcast_id, line_user_id, at) VALUES (?, ?, ?)')
      .bind(crypto.randomUUID(), u, Date.now())
      .run();
    const { communityId, pupilId } = await linkChildAndCommunity(u);
    // An unsent draft photo: its bytes are in R2 until the draft is sent or dropped.
    await turn(u, events.text(u, '通報'));
    const { storeDraftPhoto } = await import('../src/reports/service');
    const draftId = await storeDraftPhoto(env, d, u, jpegWithGps(), 0, Date.now());
    const draft = await env.DB.prepare('SELECT r2_key FROM report_photos WHERE id = ?')
      .bind(draftId)
      .first<{ r2_key: string }>();
    const reportPhoto = await env.DB.prepare('SELECT r2_key FROM report_photos WHERE id = ?')
      .bind(report.photoIds[0])
      .first<{ r2_key: string }>();
    const oldHandle = (await userRow(u))!.handle as string;

    const asked = await turn(u, events.text(u, 'データの削除'));
    const done = await turn(u, tap(u, asked[0], '削除する'));
    expect(texts(done)[0]).toMatch(/^削除しました。/);

    // D1: nothing of theirs but the row that keeps them a reachable friend.
    expect(await userRow(u)).toMatchObject({
      status: 'following',
      ward: null,
      interests: '[]',
      language: null,
      consent_version: null,
      consented_at: null,
    });
    expect((await userRow(u))!.handle).not.toBe(oldHandle);
    for (const table of ['consents', 'consent_withdrawals', 'community_members', 'guardian_links', 'broadcast_acks'])
      expect(await count(table, 'line_user_id = ?', u), table).toBe(0);
    expect(await count('report_supporters', 'line_user_id = ?', u)).toBe(0);
    expect(await reportsOf(u)).toEqual([]);
    expect(await count('reports', `id = ? AND reporter_line_user_id = ''`, report.id)).toBe(1);
    expect(await count('report_photos', 'uploader_line_user_id = ?', u)).toBe(0);
    expect(await count('absence_notices', 'pupil_id = ? AND guardian_line_user_id IS NULL', pupilId)).toBe(1);
    expect(await count('communities', 'id = ?', communityId)).toBe(1);
    // R2: the draft's bytes are gone; the report's photo stays with the report.
    expect(await env.PHOTOS.get(draft!.r2_key)).toBeNull();
    expect(await env.PHOTOS.head(reportPhoto!.r2_key)).not.toBeNull();
    // The conversation state went too.
    expect(await flowState(u)).toEqual({});

    // The report detail names no one; the old handle resolves to nothing.
    const detail = (await (await api(`/reports/${report.id}`)).json()) as any;
    expect(detail.reporter).toBeNull();
    expect(detail.description).toBe('歩道に穴があります');
    expect((await api(`/residents/${oldHandle}/line-user-id`)).status).toBe(404);

    // A later status change pushes to nobody.
    const before = (await fake.messagesTo(u)).length;
    const changed = await api(`/reports/${report.id}`, {
      method: 'PATCH',
      body: { status: 'accepted', publicNote: '確認しました' },
    });
    expect(await changed.json()).toEqual({ notified: 0 });
    expect((await fake.messagesTo(u)).length).toBe(before);

    // Audited: the request and the completion, counts only, by handle, never the LINE ID.
    const audit = await env.DB.prepare(
      `SELECT staff_id, action, target_id, detail FROM audit_log WHERE target_id = ? AND action LIKE 'resident.erase%' ORDER BY id`,
    )
      .bind(oldHandle)
      .all<Record<string, any>>();
    expect(audit.results.map((r) => [r.staff_id, r.action])).toEqual([
      ['resident', 'resident.erase.request'],
      ['resident', 'resident.erase'],
    ]);
    const counts = JSON.parse(audit.results[1]!.detail);
    expect(counts).toMatchObject({
      consents: 1,
      community_members: 1,
      guardian_links: 1,
      absence_notices: 1,
      broadcast_acks: 1,
      report_supporters: 1,
      reports: 1,
      report_photos: 1,
      draft_photos: 1,
      users: 1,
    });
    expect(JSON.stringify(audit.results)).not.toContain(u);

    // They start as new: the next service asks for consent (not "revised").
    const next = await turn(u, events.text(u, '通報'));
    expect(texts(next)[0]).toBe('このサービスをご利用いただくには、先に利用規約への同意が必要です。');
  });

  it('keeps the guess limit on staff link codes (deleting cannot reset it) and a restriction in force; a lifted one goes', async () => {
    const u = await resident();
    for (let i = 0; i < 2; i++) await turn(u, events.text(u, '職員 ZZZZ9999'));
    const h = (await userRow(u))!.handle as string;
    const restrict = (scope: string) =>
      api(`/residents/${h}/restrictions`, { method: 'POST', body: { scope, reason: 'テスト' } });
    expect((await restrict('reports')).status).toBe(201);
    const lifted = (await (await restrict('communities')).json()) as { id: string };
    expect((await api(`/residents/${h}/restrictions/${lifted.id}`, { method: 'DELETE' })).status).toBe(204);

    const asked = await turn(u, events.text(u, 'データの削除'));
    await turn(u, tap(u, asked[0], '削除する'));
    const state = (await flowState(u)) as Record<string, unknown>;
    expect(Object.keys(state)).toEqual(['wrongLinkCodesAt']);
    expect((state.wrongLinkCodesAt as number[]).length).toBe(2);
    expect(await count('resident_restrictions', 'line_user_id = ? AND lifted_at IS NULL', u)).toBe(1);
    expect(await count('resident_restrictions', 'line_user_id = ?', u)).toBe(1);
    // Staff see it under the new handle; the old one resolves to nothing.
    const newHandle = (await userRow(u))!.handle as string;
    const listed = (await (await api(`/residents/${newHandle}/restrictions`)).json()) as any;
    expect(listed.items.map((r: any) => r.scope)).toEqual(['reports']);
    expect((await api(`/residents/${h}/restrictions`)).status).toBe(404);
    // Still restricted: the neutral answer, no consent question, nothing stored.
    const next = await turn(u, events.text(u, '通報'));
    expect(texts(next)[0]).toMatch(/^現在、このサービスはご利用いただけません。/);
  });
});
