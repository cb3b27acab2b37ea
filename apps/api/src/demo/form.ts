/** `application/x-www-form-urlencoded` bodies of the demo forms (the app keeps raw bytes for every type). */
import { OffcodeError } from '@offcode/server';

export function parseForm(body: unknown, contentType: string | undefined): URLSearchParams {
  if (body === undefined || body === null) return new URLSearchParams();
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw OffcodeError.invalidField('body', 'Content-Type must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(Buffer.isBuffer(body) ? body.toString('utf8') : String(body));
}

export const field = (form: URLSearchParams, name: string): string => form.get(name) ?? '';
export const checkbox = (form: URLSearchParams, name: string): boolean => {
  const v = form.get(name);
  return v === 'true' || v === 'on' || v === '1';
};
