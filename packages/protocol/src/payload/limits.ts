/** Payload limits shared by the parser and the QR helpers. */

/** Largest byte-mode capacity of a QR symbol (version 40, level L): the longest payload accepted. */
export const MAX_PAYLOAD_BYTES = 2953;
/** Fewest lines of a payload (five data lines, nonce, key type + signature). */
export const MIN_PAYLOAD_LINES = 7;
/** Decoded length limits of an ECDSA signature behind key types 0 and 1 (the mobile tokens' rule). */
export const MIN_DER_SIGNATURE_BYTES = 64;
export const MAX_DER_SIGNATURE_BYTES = 255;
/** Length of the key type 2 KMAC tag. */
export const MAC_TAG_BYTES = 32;
/** Decoded length of the nonce. */
export const NONCE_BYTES = 16;
