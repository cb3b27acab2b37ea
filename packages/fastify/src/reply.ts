/** Writing an error answer: the HTTP status of the code and the PowerAuth error envelope (server.md §1.1, §1.3). */
import type { OffcodeError } from '@offcode/server';
import type { FastifyReply } from 'fastify';
import { errorEnvelope } from './envelope.js';
import { httpStatusOf, type OffcodeHttpError } from './errors.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Answers `error` in the envelope with its HTTP status. */
export function sendOffcodeError(reply: FastifyReply, error: OffcodeError | OffcodeHttpError): FastifyReply {
  return reply.code(httpStatusOf(error)).type(JSON_TYPE).send(errorEnvelope(error.code, error.message));
}
