/**
 * Small static assets of the demo pages, served as files because the content security policy allows no
 * inline script or style: the script that shows times in the reader's locale and the favicon.
 */

/**
 * `GET /demo/assets/local-time.js`: every `<time datetime="…" data-local>` gets its text in the browser's
 * locale and time zone (the server only knows UTC); same options as `localDateTime` in ./words.ts.
 * `<html data-local-time="done">` tells scripts and tests the page is formatted.
 */
export const LOCAL_TIME_JS = `const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
for (const el of document.querySelectorAll('time[datetime][data-local]')) {
  const date = new Date(el.getAttribute('datetime'));
  if (!Number.isNaN(date.getTime())) el.textContent = format.format(date);
}
document.documentElement.dataset.localTime = 'done';
`;

/** `GET /demo/assets/favicon.svg`: a shield with a check mark in the header's colours. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect width="64" height="64" rx="14" fill="#101828"/>
<path d="M32 9 L51 16 V31 C51 43 43 51 32 55 C21 51 13 43 13 31 V16 Z" fill="#0b5fff"/>
<path d="M23 32 L29.5 38.5 L42 25" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;
