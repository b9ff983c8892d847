/** How `npm run simulate` prints what the bot sent (as the fake LINE platform recorded it). */

export interface RecordedRequest {
  id: string;
  path: string;
  to: string[];
  body: { messages?: Record<string, unknown>[]; replyToken?: string };
}

function describe(msg: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (msg.type === 'text') lines.push(...String(msg.text).split('\n'));
  else if (msg.type === 'template') {
    const t = msg.template as {
      type: string;
      text?: string;
      actions?: { type: string; label?: string; data?: string; uri?: string }[];
    };
    lines.push(...(t.text ?? String(msg.altText)).split('\n'));
    for (const a of t.actions ?? []) {
      const target = a.type === 'postback' ? `postback ${a.data}` : a.type === 'uri' ? a.uri : a.type;
      lines.push(`[${a.label}] → ${target}`);
    }
  } else lines.push(`(${String(msg.type)} message) ${String(msg.altText ?? '')}`.trimEnd());
  const quick = (msg.quickReply as { items?: { action: { label?: string } }[] } | undefined)?.items;
  if (quick?.length) lines.push(`quick reply: ${quick.map((i) => `[${i.action.label}]`).join(' ')}`);
  return lines;
}

export function print(requests: RecordedRequest[], note: string): void {
  if (requests.length === 0) {
    console.log(`   (nothing sent${note ? `: ${note}` : ''})`);
    return;
  }
  for (const r of requests) {
    const via = r.path.replace(/^\/v2\/bot\/message\//, '');
    console.log(`   ── bot → ${via}`);
    (r.body.messages ?? []).forEach((m, i) => {
      if (i > 0) console.log('   │');
      for (const line of describe(m)) console.log(`   │ ${line}`);
    });
  }
}
