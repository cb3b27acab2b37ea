/**
 * Maps anything a request can throw to the wire error (server.md §1.3): OffcodeError as it is; framework
 * input errors (body too large, bad content type, malformed URL) to 400 ERR0024 naming `body`; database
 * unavailability to 503 OFF-0201; everything else to 500 ERR0000 with a generic message and the request id
 * (the details go to the log only).
 */
import { OffcodeError, StorageError } from '@offcode/server';

export interface MappedError {
  error: OffcodeError;
  /** True when the fault is ours (500): log it with the stack. */
  internal: boolean;
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
}

export function mapError(error: unknown, requestId: string, bodyLimit: number): MappedError {
  if (error instanceof OffcodeError) {
    if (error.code !== 'ERR0000') return { error, internal: false };
    // The client sees a generic message with the request id; the cause goes to the log only.
    return {
      error: new OffcodeError('ERR0000', `Unknown error occurred (request id ${requestId}).`),
      internal: true,
    };
  }
  if (error instanceof StorageError && (error.reason === 'busy' || error.reason === 'unavailable')) {
    return { error: new OffcodeError('OFF-0201'), internal: false };
  }
  const fe = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  const code = typeof fe.code === 'string' ? fe.code : '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      error: OffcodeError.invalidField('body', `request body exceeds ${bodyLimit} bytes`),
      internal: false,
    };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      error: OffcodeError.invalidField('body', 'Content-Type must be application/json'),
      internal: false,
    };
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (code.startsWith('FST_') && status >= 400 && status < 500) {
    return { error: OffcodeError.invalidField('body', 'the request could not be read'), internal: false };
  }
  return {
    error: new OffcodeError('ERR0000', `Unknown error occurred (request id ${requestId}).`),
    internal: true,
  };
}
