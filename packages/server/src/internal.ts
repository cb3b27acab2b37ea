/**
 * @offcode/server/internal: for first-party Offcode packages only (apps/api, the HTTP adapter, test and bench
 * tools). Unstable: names here may change or go away in any release without a major version.
 */
export * from './settings.js';
