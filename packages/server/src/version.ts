/** Package version (kept equal to package.json by a test) and the build time injected by tsup. */
export const SERVER_VERSION = '0.1.0';

declare const __OFFCODE_BUILD_TIME__: string | undefined;

/** ISO time of the build, or null when running from source. */
export const BUILD_TIME: string | null =
  typeof __OFFCODE_BUILD_TIME__ === 'string' ? __OFFCODE_BUILD_TIME__ : null;
