/**
 * The text rules of the server are protocol's (one implementation for every package): the C0/DEL check and
 * the name rule of server.md §1.2.
 */
export { hasControlCharacter, isValidName } from '@offcode/protocol';
