import type { Child } from 'hono/jsx';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import ja from 'zod/v4/locales/ja.js';

/**
 * What the admin pages (staff, catalog, closure days) share when they read a form: the API's
 * own zod schemas judge it, with zod's Japanese messages, and a service's refusal (409 a code
 * exists, 400 a bad scope …) comes back as the page again with the reason, not as an error page.
 */

const JA = ja().localeError;

/** Parses `input` with the API's schema; a failure names each field by its label on the page. */
export function parseForm<S extends z.ZodType>(
  schema: S,
  input: unknown,
  labels: Record<string, string>,
): { ok: true; value: z.output<S> } | { ok: false; message: string } {
  const result = schema.safeParse(input, { error: JA });
  if (result.success) return { ok: true, value: result.data };
  const message = result.error.issues
    .map((i) => {
      const path = i.path.map(String);
      const label = labels[path.join('.')] ?? labels[path[0] ?? ''] ?? path.join('.');
      return label ? `「${label}」: ${i.message}` : i.message;
    })
    .join(' ');
  return { ok: false, message };
}

/** A service's refusal a form can explain (400, 404, 409, 422), or null for anything else (rethrow it). */
export function refusal(err: unknown): { status: 400 | 404 | 409 | 422; message: string } | null {
  if (!(err instanceof HTTPException)) return null;
  const status = err.status;
  if (status === 400 || status === 404 || status === 409 || status === 422) return { status, message: err.message };
  return null;
}

/** Every value of a repeated field (checkboxes) from `parseBody({ all: true })`, strings only. */
export function values(body: Record<string, unknown>, name: string): string[] {
  const v = body[name];
  return [v]
    .flat()
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** The text of a `?done=` notice after a post/redirect/get, from the page's own list; null when none. */
export function doneText(done: string | undefined, texts: Record<string, string>): string | null {
  return done && Object.hasOwn(texts, done) ? texts[done]! : null;
}

/** The notice and the alert at the top of a page: what just happened, or what was wrong. */
export function Messages({ notice, error }: { notice?: string | null; error?: string | null }): Child {
  return (
    <>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </>
  );
}

/** A page number from `?page=` (1 and up; anything else is 1). */
export function pageParam(raw: string | undefined): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/** The pager under a list paged by number: previous and next, and where the reader is. */
export function Pager({ base, page, more }: { base: string; page: number; more: boolean }): Child {
  if (page === 1 && !more) return null;
  const href = (n: number) => `${base}${base.includes('?') ? '&' : '?'}page=${n}`;
  return (
    <nav class="pager" aria-label="ページ送り">
      {page > 1 ? <a href={href(page - 1)}>← 前へ</a> : null}
      <span>{page}ページ目</span>
      {more ? <a href={href(page + 1)}>次へ →</a> : null}
    </nav>
  );
}

/** One page of an already bounded list (the catalog, the closure days): the rows and whether more follow. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { items: T[]; more: boolean } {
  const start = (page - 1) * size;
  return { items: rows.slice(start, start + size), more: rows.length > start + size };
}

/** An empty field is no value (`null`), as the API's nullable fields take it. */
export const orNull = (s: string) => (s === '' ? null : s);

/** A labelled text input with an optional hint under the label (read out with the field). */
export const Text = ({
  id,
  label,
  value,
  hint,
  type = 'text',
}: {
  id: string;
  label: string;
  value: string;
  hint?: string;
  type?: string;
}) => (
  <>
    <label for={id}>{label}</label>
    {hint ? (
      <span class="muted field-hint" id={`${id}-hint`}>
        {hint}
      </span>
    ) : null}
    <input type={type} id={id} name={id} value={value} aria-describedby={hint ? `${id}-hint` : undefined} />
  </>
);
