/**
 * What the demo's pages say for the server's and the token's machine values (issue 12 item 6: no enum
 * names on user pages). Shared by the server-rendered pages and the token page bundle; the machine value
 * stays available to scripts and tests in a `data-*` attribute, never in the text.
 */

/** Activation status → words, as the bank and the token show it. */
export const ACTIVATION_STATUS_WORDS: Readonly<Record<string, string>> = {
  CREATED: 'Waiting for the token',
  PENDING_COMMIT: 'Waiting for the bank to confirm',
  ACTIVE: 'Active',
  BLOCKED: 'Blocked',
  REMOVED: 'Removed',
};

export const activationStatusWords = (status: string | null | undefined): string =>
  status ? (ACTIVATION_STATUS_WORDS[status] ?? 'Unknown') : 'Not activated';

/** Why an activation is blocked → words (the server's reasons are free text; the common ones are mapped). */
export function blockedReasonWords(reason: string | null | undefined): string {
  if (!reason) return '';
  if (reason === 'MAX_FAILED_ATTEMPTS') return 'too many wrong codes';
  if (reason === 'NOT_SPECIFIED') return 'blocked by the bank';
  // A reason typed by the bank's staff is shown as they wrote it, unless it looks like a constant.
  return /^[A-Z0-9_]+$/.test(reason) ? 'blocked by the bank' : reason;
}

/** The factors that approved a code → words. */
export const FACTOR_WORDS: Readonly<Record<string, string>> = {
  POSSESSION: 'this device only',
  POSSESSION_KNOWLEDGE: 'PIN',
  POSSESSION_BIOMETRY: 'biometry',
};

export const factorWords = (type: string | null | undefined): string =>
  type ? (FACTOR_WORDS[type] ?? 'another method') : '';

/**
 * A date and time in the reader's locale and time zone (`undefined` locale = the browser's). The server
 * cannot know either, so it renders a UTC fallback and the page script reformats (./local-time.ts).
 */
export function localDateTime(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** The server-side fallback text of a time: `2026-12-07 11:30 UTC` (locale-neutral). */
export const utcDateTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};
