/**
 * Tiny HTML helpers: every dynamic value goes through `esc`; pages share one layout and one stylesheet,
 * served as a file (`/demo/assets/demo.css`) because the content security policy allows no inline style.
 */

import { utcDateTime } from './words.js';

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Marks already-escaped HTML. */
export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });

/** Tagged template: interpolated values are escaped unless they are `Html` (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return { html: out };
}

function render(v: unknown): string {
  if (Array.isArray(v)) return v.map(render).join('');
  if (v !== null && typeof v === 'object' && 'html' in v && typeof (v as Html).html === 'string')
    return (v as Html).html;
  if (v === false || v === null || v === undefined) return '';
  return esc(v);
}

/** The demo stylesheet (`GET /demo/assets/demo.css`). */
export const DEMO_CSS = `
:root { color-scheme: light; --accent: #0b5fff; --bad: #b00020; --ok: #0a7d32; --muted: #5f6b7a; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f6f9; color: #1b2330; }
header { background: #101828; color: #fff; padding: 12px 24px; display: flex; flex-wrap: wrap; gap: 6px 28px; align-items: center; }
header .brand { display: inline-flex; align-items: center; gap: 10px; font-size: 18px; font-weight: 700; color: #fff; }
header .brand img { width: 28px; height: 28px; }
header nav { display: flex; flex-wrap: wrap; gap: 4px 20px; }
header a { color: #cfd8e6; text-decoration: none; } header a:hover { color: #fff; }
main { max-width: 880px; margin: 24px auto; padding: 0 16px; }
section { background: #fff; border-radius: 10px; padding: 20px 24px; margin-bottom: 20px; box-shadow: 0 1px 3px rgba(16,24,40,.08); }
h1 { font-size: 24px; margin: 0 0 12px; } h2 { font-size: 19px; margin: 0 0 12px; }
label { display: block; margin: 10px 0 4px; font-weight: 600; }
label.inline { display: inline-flex; gap: 6px; align-items: center; font-weight: 500; margin-right: 16px; }
input[type=text], input[type=password], input[type=number], select, textarea { width: 100%; padding: 8px 10px; border: 1px solid #c5ccd6; border-radius: 6px; font: inherit; }
input[type=file] { max-width: 100%; }
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; min-height: 140px; }
button, .button { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 9px 18px; font: inherit; cursor: pointer; text-decoration: none; display: inline-block; margin-top: 14px; }
button.secondary, .button.secondary { background: #e4e8ee; color: #1b2330; }
button.danger { background: var(--bad); }
button:disabled { opacity: .45; cursor: not-allowed; }
pre { background: #0f172a; color: #e2e8f0; padding: 12px; border-radius: 6px; overflow-x: auto; font-size: 12.5px; white-space: pre-wrap; word-break: break-all; }
.error { color: var(--bad); font-weight: 600; }
.ok { color: var(--ok); font-weight: 700; } .bad { color: var(--bad); font-weight: 700; }
.muted { color: var(--muted); font-size: 14px; }
.note { display: block; font-weight: 400; }
.outcome { border-left: 6px solid var(--muted); } .outcome-ok { border-left-color: var(--ok); } .outcome-bad { border-left-color: var(--bad); }
.code { font: 700 clamp(20px, 6.5vw, 30px) ui-monospace, Menlo, monospace; letter-spacing: 1px; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 6px 18px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.qr img { width: 280px; height: 280px; max-width: 100%; image-rendering: pixelated; border: 1px solid #e4e8ee; }
.row { display: flex; gap: 24px; flex-wrap: wrap; } .row > * { flex: 1 1 260px; min-width: 0; }
@media (max-width: 480px) {
  header { padding: 10px 14px; }
  header nav { gap: 2px 14px; font-size: 15px; }
  main { margin: 14px auto; padding: 0 10px; }
  section { padding: 16px 14px; }
  h1 { font-size: 21px; }
  dl { grid-template-columns: minmax(0, 1fr); gap: 0; } dd { margin-bottom: 8px; }
}
`;

/**
 * A time for a page: UTC text for readers without JavaScript, reformatted in the browser's locale and time
 * zone by /demo/assets/local-time.js.
 */
export function timeHtml(iso: string, testId?: string): Html {
  return html`<time datetime="${iso}" data-local${raw(testId ? ` data-testid="${esc(testId)}"` : '')}>${utcDateTime(iso)}</time>`;
}

export function layout(
  title: string,
  body: Html,
  options: { script?: string; bodyAttributes?: Html } = {},
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Offcode demo</title>
<link rel="icon" type="image/svg+xml" href="/demo/assets/favicon.svg">
<link rel="stylesheet" href="/demo/assets/demo.css">
<script type="module" src="/demo/assets/local-time.js"></script>
${options.script ? `<script type="module" src="${esc(options.script)}"></script>` : ''}
</head>
<body${options.bodyAttributes?.html ?? ''}>
<header><a class="brand" href="/demo"><img src="/demo/assets/favicon.svg" alt="">Offcode demo bank</a><nav><a href="/demo/enrol">Enrol a token</a><a href="/demo/operation/new">New payment</a><a href="/demo/token">Software token</a><a href="/docs">API docs</a></nav></header>
<main>
${body.html}
</main>
</body>
</html>
`;
}
