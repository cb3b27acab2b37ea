/**
 * JSON-over-HTTP for the token's server calls, with the PowerAuth envelope `{status, responseObject}`
 * (the ECIES-encrypted PowerAuth activation/create answers a bare object instead). Uses only `fetch`, `AbortController` and `URL` (browsers, Node 20, RN).
 */
import { encodeBase64, utf8Encode } from '@offcode/protocol';
import { OffcodeClientError } from './errors.js';

export type FetchLike = (
  input: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
  },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface EnvelopeResult {
  httpStatus: number;
  ok: boolean;
  /** `responseObject` of an OK envelope. */
  response: Record<string, unknown>;
  /** Error code of an ERROR envelope (`ERR0009`, `OFF-0001`, …). */
  errorCode?: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** Validates and normalises a server base URL (http or https, no query or fragment, no trailing slash). */
export function normalizeServerUrl(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) {
    throw new OffcodeClientError('INVALID_INPUT', 'server URL must be a non-empty string');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OffcodeClientError('INVALID_INPUT', 'server URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OffcodeClientError('INVALID_INPUT', 'server URL must use http or https');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new OffcodeClientError(
      'INVALID_INPUT',
      'server URL must not contain credentials, a query or a fragment',
    );
  }
  return url.href.replace(/\/+$/, '');
}

export function basicAuthorization(user: string, password: string): string {
  return `Basic ${encodeBase64(utf8Encode(`${user}:${password}`))}`;
}

export interface PostOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** POSTs a JSON text and returns the HTTP status and the parsed JSON; transport problems are NETWORK_ERROR. */
export async function postJson(
  fetchImpl: FetchLike,
  url: string,
  body: string,
  options: PostOptions = {},
): Promise<{ httpStatus: number; json: unknown }> {
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let status: number;
  let text: string;
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body,
      signal: controller.signal,
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    const timedOut = controller.signal.aborted;
    throw new OffcodeClientError(
      'NETWORK_ERROR',
      timedOut ? `the server did not answer within ${timeoutMs} ms` : 'the server cannot be reached',
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
  try {
    return { httpStatus: status, json: JSON.parse(text) };
  } catch (e) {
    throw new OffcodeClientError('NETWORK_ERROR', `the server answered HTTP ${status} without JSON`, {
      cause: e,
    });
  }
}

/** Reads a PowerAuth envelope `{status, responseObject}`; anything else is NETWORK_ERROR. */
export function readEnvelope(httpStatus: number, body: unknown): EnvelopeResult {
  const env = body as { status?: unknown; responseObject?: unknown } | null;
  const obj = env?.responseObject;
  if (
    typeof env !== 'object' ||
    env === null ||
    typeof obj !== 'object' ||
    obj === null ||
    Array.isArray(obj)
  ) {
    throw new OffcodeClientError(
      'NETWORK_ERROR',
      `the server answered HTTP ${httpStatus} without a response envelope`,
    );
  }
  const response = obj as Record<string, unknown>;
  if (env.status === 'OK' && httpStatus >= 200 && httpStatus < 300) return { httpStatus, ok: true, response };
  const code = typeof response.code === 'string' ? response.code.slice(0, 32) : 'UNKNOWN';
  return { httpStatus, ok: false, response, errorCode: code };
}

/**
 * POSTs `{requestObject}` and returns the parsed envelope. `stringify` writes the body (default
 * `JSON.stringify`; PowerAuth calls use Gson's escaping so they equal the Android SDK's bytes).
 */
export async function postEnvelope(
  fetchImpl: FetchLike,
  url: string,
  requestObject: Record<string, unknown>,
  options: PostOptions & { stringify?: (value: unknown) => string } = {},
): Promise<EnvelopeResult> {
  const stringify = options.stringify ?? JSON.stringify;
  const { httpStatus, json } = await postJson(fetchImpl, url, stringify({ requestObject }), options);
  return readEnvelope(httpStatus, json);
}
