/**
 * The PowerAuth wire envelope (server.md §1.1): `{"requestObject": …}` in, `{"status":"OK","responseObject": …}`
 * or `{"status":"ERROR","responseObject":{code,message,localizedMessage}}` out.
 */
import { OffcodeError } from '@offcode/server';

export interface ErrorObject {
  code: string;
  message: string;
  localizedMessage: string;
}

export interface OkEnvelope<T> {
  status: 'OK';
  responseObject: T;
}

export interface ErrorEnvelope {
  status: 'ERROR';
  responseObject: ErrorObject;
}

export const okEnvelope = <T>(responseObject: T): OkEnvelope<T> => ({ status: 'OK', responseObject });

export function errorEnvelope(code: string, message: string): ErrorEnvelope {
  return { status: 'ERROR', responseObject: { code, message, localizedMessage: message } };
}

/**
 * The `requestObject` of a parsed body. `fieldless` methods (list, status, error list) accept an absent body,
 * `{}` and `{"requestObject":{}}`; every other method needs a present, non-null `requestObject` (ERR0024).
 * The object itself is validated by the service's schema, which names the failing fields.
 */
export function unwrapRequestObject(body: unknown, fieldless: boolean): unknown {
  if (body === undefined) {
    if (fieldless) return {};
    throw OffcodeError.invalidField('requestObject', 'is required');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw OffcodeError.invalidField('body', 'must be a JSON object {"requestObject": {…}}');
  }
  const inner = (body as Record<string, unknown>).requestObject;
  if (inner === undefined || inner === null) {
    if (fieldless) return {};
    throw OffcodeError.invalidField('requestObject', 'is required');
  }
  return inner;
}
