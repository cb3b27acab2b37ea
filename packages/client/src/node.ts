/** `@offcode/client/node`: the Node-only parts (file storage). The core entry never imports Node built-ins. */
export { FileTokenStore, type FileTokenStoreOptions } from './node/file-store.js';
