/**
 * Tiny HTML helpers: every dynamic value goes through `esc`; pages share one layout and one stylesheet,
 * served as a file (`/demo/assets/demo.css`) because the content security policy allows no inline style.
 */

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
header { background: #101828; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: center; }
header a { color: #cfd8e6; text-decoration: none; } header a:hover { color: #fff; }
header strong { font-size: 18px; margin-right: 12px; }
main { max-width: 880px; margin: 24px auto; padding: 0 16px; }
section { background: #fff; border-radius: 10px; padding: 20px 24px; margin-bottom: 20px; box-shadow: 0 1px 3px rgba(16,24,40,.08); }
h1 { font-size: 24px; margin: 0 0 12px; } h2 { font-size: 19px; margin: 0 0 12px; }
label { display: block; margin: 10px 0 4px; font-weight: 600; }
label.inline { display: inline-flex; gap: 6px; align-items: center; font-weight: 500; margin-right: 16px; }
input[type=text], input[type=password], input[type=number], select, textarea { width: 100%; padding: 8px 10px; border: 1px solid #c5ccd6; border-radius: 6px; font: inherit; }
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; min-height: 140px; }
button, .button { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 9px 18px; font: inherit; cursor: pointer; text-decoration: none; display: inline-block; margin-top: 14px; }
button.secondary { background: #e4e8ee; color: #1b2330; }
button:disabled { opacity: .45; cursor: not-allowed; }
pre { background: #0f172a; color: #e2e8f0; padding: 12px; border-radius: 6px; overflow-x: auto; font-size: 12.5px; white-space: pre-wrap; word-break: break-all; }
.error { color: var(--bad); font-weight: 600; }
.ok { color: var(--ok); font-weight: 700; } .bad { color: var(--bad); font-weight: 700; }
.muted { color: var(--muted); font-size: 14px; }
.code { font: 700 30px ui-monospace, Menlo, monospace; letter-spacing: 2px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; font-weight: 600; }
.qr img { width: 280px; height: 280px; image-rendering: pixelated; border: 1px solid #e4e8ee; }
.row { display: flex; gap: 24px; flex-wrap: wrap; } .row > * { flex: 1 1 260px; }
`;

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
<link rel="stylesheet" href="/demo/assets/demo.css">
${options.script ? `<script type="module" src="${esc(options.script)}"></script>` : ''}
</head>
<body${options.bodyAttributes?.html ?? ''}>
<header><strong>Offcode demo bank</strong><a href="/demo">Home</a><a href="/demo/enrol">Enrol a token</a><a href="/demo/operation/new">New operation</a><a href="/demo/token">Software token</a><a href="/docs">API docs</a></header>
<main>
${body.html}
</main>
</body>
</html>
`;
}
