import type { OpenAPIHono } from '@hono/zod-openapi';
import { html } from 'hono/html';

/** The generated OpenAPI 3.1 document, typed as @hono/zod-openapi returns it. */
type OpenApiDoc = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface Operation {
  method: string;
  path: string;
  summary: string;
  tag: string;
  /** `null`: public; `[]`: any staff member; otherwise any of these (admin always passes). */
  roles: string[] | null;
}

export function operations(doc: OpenApiDoc): Operation[] {
  const base = doc.servers?.[0]?.url ?? '';
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      ops.push({
        method: method.toUpperCase(),
        path: base + path,
        summary: op.summary ?? '',
        tag: op.tags?.[0] ?? 'Other',
        roles: op.security?.length ? (op['x-required-roles'] ?? []) : null,
      });
    }
  }
  return ops;
}

function roleText(roles: string[] | null): string {
  if (roles === null) return '公開 / public';
  if (roles.length === 0) return '全職員 / any staff';
  return roles.includes('admin') ? roles.join(', ') : [...roles, 'admin'].join(', ');
}

/**
 * The docs page, rendered here from the generated document: no script and no CDN (the
 * city's network may block them, and this machine has no internet), so it works anywhere.
 * `html` escapes every interpolated value.
 */
export function renderDocs(doc: OpenApiDoc, specUrl: string) {
  const ops = operations(doc);
  const tags = [...new Set(ops.map((o) => o.tag))];
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.info.title}</title>
<style>
body{font-family:system-ui,-apple-system,"Hiragino Sans","Yu Gothic",sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#1a1a1a;line-height:1.5}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}th,td{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-family:ui-monospace,Menlo,Consolas,monospace}.m{font-weight:bold}
</style>
</head>
<body>
<h1>${doc.info.title}</h1>
<p>Version ${doc.info.version}. ${doc.info.description ?? ''}</p>
<p>機械可読な仕様 / Machine-readable specification: <a href="${specUrl}"><code>${specUrl}</code></a></p>
<h2>認証 / Authentication</h2>
<p>職員トークンを <code>Authorization: Bearer &lt;token&gt;</code> で送ってください。admin はすべての操作を行えます。<br>
Send the staff token as <code>Authorization: Bearer &lt;token&gt;</code>. The admin role may perform every operation.
Errors are <code>application/problem+json</code>.</p>
<h2>操作一覧 / Operations</h2>
${tags.map(
  (tag) => html`<h3>${tag}</h3>
<table>
<thead><tr><th>メソッド / Method</th><th>パス / Path</th><th>概要 / Summary</th><th>必要な権限 / Required role</th></tr></thead>
<tbody>
${ops
  .filter((o) => o.tag === tag)
  .map(
    (
      o,
    ) => html`<tr><td class="m">${o.method}</td><td><code>${o.path}</code></td><td>${o.summary}</td><td>${roleText(o.roles)}</td></tr>
`,
  )}
</tbody>
</table>
`,
)}
</body>
</html>`;
}
