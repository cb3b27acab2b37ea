/**
 * `@offcode/protocol/pa3`: the PowerAuth 3.3 enrollment primitives (activation.md): ECIES 3.3, the keystore
 * JWTs, the activation status blob, the activation fingerprint, the V3.1+ online signature and the mobile SDK configuration string. Every
 * function that hashes, MACs, multiplies or encrypts takes a `CryptoSuite`.
 */
export type { CryptoSuite } from '../suite.js';
export {
  decryptEciesRequest,
  decryptEciesResponse,
  ECIES_SHARED_INFO1,
  ECIES_VERSION,
  type EciesEnvelope,
  type EciesParameters,
  type EciesRequest,
  type EciesResponse,
  type EciesScope,
  type EciesSharedInfo1,
  type EncryptRequestInput,
  eciesRequestToJson,
  eciesResponseToJson,
  eciesScopeOf,
  encryptEciesRequest,
  encryptEciesResponse,
  MAX_ECIES_CIPHERTEXT,
  parseEciesRequest,
  parseEciesResponse,
} from './ecies.js';
export { isActivationId } from './fields.js';
export { activationFingerprint } from './fingerprint.js';
export {
  buildEncryptionHeader,
  ENCRYPTION_HEADER,
  type EncryptionHeader,
  parseEncryptionHeader,
} from './header.js';
export { gsonStringify } from './json.js';
export {
  createKeystoreRequestJwt,
  createKeystoreResponseJwt,
  KEYSTORE_REQUEST_JWT_HEADER,
  type KeystoreRequestClaims,
  type KeystoreResponseClaims,
  keystoreRequestHmacKey,
  type ParsedJwt,
  parseKeystoreRequestJwt,
  parseKeystoreResponseJwt,
  verifyKeystoreRequestJwt,
  verifyKeystoreResponseJwt,
} from './jwt.js';
export {
  AUTHORIZATION_HEADER,
  type AuthorizationHeader,
  buildAuthorizationHeader,
  computeOnlineSignature,
  type FactorKeys,
  ONLINE_SIGNATURE_VERSIONS,
  type OnlineSignatureInput,
  type OnlineSignatureMatch,
  type OnlineSignatureVersion,
  onlineSignatureData,
  parseAuthorizationHeader,
  SIGNATURE_TYPE_FACTORS,
  type SignatureType,
  verifyOnlineSignature,
} from './online-signature.js';
export {
  encodeMobileSdkConfig,
  type MobileSdkConfig,
  parseMobileSdkConfig,
  SDK_CONFIG_KEY_IDS,
} from './sdk-config.js';
export {
  ACTIVATION_STATUS_CODES,
  type ActivationStatusName,
  buildStatusBlob,
  decryptStatusBlob,
  encryptStatusBlob,
  hashCounterDistance,
  parseStatusBlob,
  STATUS_BLOB_BYTES,
  type StatusBlobFields,
  type StatusBlobKeys,
  statusBlobCtrDataHash,
  statusBlobIv,
} from './status-blob.js';
