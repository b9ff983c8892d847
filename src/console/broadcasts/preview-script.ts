import { LINE_LIMITS, unitOf } from '../../line/limits';
import { ACK_TEXTS } from './view';

/**
 * The composer's one script (progressive enhancement: the page works without it): character
 * counts and the chat-bubble preview as you type, and 本文を追加 without a round trip. The
 * counting rule and limit are not written twice: they are served from src/line/limits.ts
 * (the unit LINE counts a text message in, and its limit), as are the 「確認しました」 words.
 */
export const SCRIPT_PATH = '/admin/broadcasts/composer.js';

/** What the script is told by the server: LINE's rule for a text message, and the framing words. */
export function scriptRule() {
  return {
    limit: LINE_LIMITS.textChars,
    unit: unitOf('text'),
    max: LINE_LIMITS.messagesPerRequest,
    ackPrompt: ACK_TEXTS.prompt,
    ackLabel: ACK_TEXTS.label,
    stale: '配信対象・日時・緊急を変えたときの配信予定は「プレビューを更新」で計算します。',
  };
}

const BODY = `
var form = document.getElementById('composer');
if (!form) return;
var seg = RULE.unit === 'graphemes' && typeof Intl.Segmenter === 'function'
  ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
// UTF-16 code units (a JavaScript string's length) for a text message, grapheme clusters where LINE says so.
function count(s) {
  if (!seg) return s.length;
  var n = 0;
  for (var it = seg.segment(s)[Symbol.iterator](), r = it.next(); !r.done; r = it.next()) n++;
  return n;
}
function fmt(n) { return n.toLocaleString('ja-JP'); }
var list = form.querySelector('[data-texts]');
var preview = document.querySelector('[data-preview]');
var audience = form.querySelector('#audience');
var ack = form.querySelector('#requestAck');
var add = form.querySelector('[data-add-text]');
function texts() { return Array.prototype.slice.call(list.querySelectorAll('textarea')); }
function bubble(text) {
  var d = document.createElement('div');
  d.className = 'bubble';
  d.textContent = text;
  return d;
}
function draw() {
  texts().forEach(function (t) {
    var out = document.getElementById(t.id + '-count');
    var n = count(t.value);
    if (!out) return;
    out.textContent = fmt(n) + ' / ' + fmt(RULE.limit) + ' 文字';
    out.classList.toggle('over', n > RULE.limit);
  });
  if (!preview) return;
  var opt = audience && audience.selectedOptions[0];
  var speaker = opt && opt.getAttribute('data-speaker') ? '【' + opt.getAttribute('data-speaker') + '】' : '';
  var values = texts().map(function (t) { return t.value; }).filter(function (v) { return v !== ''; });
  if (speaker) {
    if (values.length === 0) values.push(speaker);
    else values[0] = speaker + '\\n' + values[0];
  }
  var nodes = values.map(bubble);
  if (ack && ack.checked) {
    var b = bubble(RULE.ackPrompt);
    var row = document.createElement('span');
    row.className = 'bubble-buttons';
    var btn = document.createElement('span');
    btn.className = 'bubble-button';
    btn.textContent = RULE.ackLabel;
    row.appendChild(btn);
    b.appendChild(row);
    nodes.push(b);
  }
  preview.replaceChildren.apply(preview, nodes);
}
if (add) {
  add.addEventListener('click', function (e) {
    e.preventDefault();
    var i = texts().length;
    if (i >= RULE.max) return;
    var block = list.lastElementChild.cloneNode(true);
    var label = block.querySelector('label');
    var area = block.querySelector('textarea');
    var out = block.querySelector('.count');
    label.setAttribute('for', 'text_' + i);
    label.textContent = '本文（' + (i + 1) + '通目）';
    area.id = 'text_' + i;
    area.name = 'text_' + i;
    area.value = '';
    area.textContent = '';
    area.setAttribute('aria-describedby', 'text_' + i + '-count');
    out.id = 'text_' + i + '-count';
    list.appendChild(block);
    // Removed, not hidden: the stylesheet's button display would win over the hidden attribute.
    if (i + 1 >= RULE.max) add.remove();
    draw();
    area.focus();
  });
}
// When the release is reckoned from changes the server has not seen, say so instead of showing a stale time.
var next = document.getElementById('next-release');
function stale(e) {
  if (!next || !e.target || !/^(audience|scheduledAt|urgent)$/.test(e.target.id)) return;
  next.textContent = RULE.stale;
}
form.addEventListener('input', draw);
form.addEventListener('change', function (e) { draw(); stale(e); });
draw();
`;

export function composerScript(): string {
  return `(function () {\n'use strict';\nvar RULE = ${JSON.stringify(scriptRule())};\n${BODY}})();\n`;
}
