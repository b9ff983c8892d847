import type { IssuedCode } from '../../schools/roster';
import type { SchoolRow } from '../../schools/registry';
import { when } from '../kit';
import { classJa } from './labels';

/**
 * Registration codes as a sheet of slips to cut and hand to guardians, each saying what to do
 * with it. The codes are in this answer only (they are stored hashed): the page says so.
 */
export function Slips({ school, codes }: { school: SchoolRow; codes: IssuedCode[] }) {
  return (
    <>
      <div class="no-print">
        <p role="status" class="notice">
          {codes.length}人分の登録コードを発行しました。
        </p>
        <p>
          <strong>登録コードはこの画面にしか表示されません。</strong>
          閉じる前に印刷してください（ブラウザの「印刷」、Ctrl+P または ⌘P）。切り取って保護者にお渡しください。
          なくした場合は名簿から再発行できます（前のコードは使えなくなります）。
        </p>
        <p>
          <a href={`/admin/schools/${school.id}/roster`}>名簿へ戻る</a>
        </p>
      </div>
      <section class="slips" aria-label="登録コードの一覧">
        {codes.map((p) => (
          <article class="slip" aria-label={`${p.name}さんの登録コード`}>
            <p class="slip-school">{school.name}</p>
            <p class="slip-name">
              {classJa(p.grade, p.class)} {p.name} さんの保護者の方へ
            </p>
            <p>
              登録コード <span class="secret">{p.registrationCode}</span>
            </p>
            <p class="slip-expiry">有効期限：{when(Date.parse(p.codeExpiresAt))}</p>
            <ol>
              <li>スマートフォンのLINEで「岡山市公式LINE」を友だち追加します。</li>
              <li>メニューの「欠席連絡」をタップするか、「欠席連絡」と送信します。</li>
              <li>この登録コードを入力し、表示された学校・学年・組・名前を確かめて「はい」を押します。</li>
            </ol>
            <p class="slip-note">
              登録すると、欠席・遅刻・早退の連絡と学校からのお知らせがLINEで届きます。
              保護者は1人のお子さまにつき2人まで登録できます。
            </p>
          </article>
        ))}
      </section>
    </>
  );
}
