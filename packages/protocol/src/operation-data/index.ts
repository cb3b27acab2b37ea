/** `@offcode/protocol/operation-data`: the operation-data language (payload line 3). */
export { PayloadFormatError, type PayloadReason, type Result } from '../errors.js';
export {
  buildOperationData,
  MAX_BUILDER_POSITION,
  type PaymentOperationInput,
  paymentOperationData,
} from './build.js';
export { MAX_PARSED_FIELDS, parseOperationData, parseOperationDataOrThrow, templateName } from './parse.js';
export { tokenizeOperationData, unescapeFieldText } from './tokenize.js';
export type * from './types.js';
