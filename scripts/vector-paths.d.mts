// Types of scripts/vector-paths.mjs (plain ESM so that the generator runs under `node` without a build).
export declare const SHARED_VECTORS_ENV: 'OFFCODE_SHARED_VECTORS';
export declare const PUBLISHED_FILES: Readonly<Record<PublishedFile, string>>;
export type PublishedFile =
  | 'v3/compute-master-secret-key.json'
  | 'v3/compute-derived-keys.json'
  | 'v3/signatures-offline.json'
  | 'v4/ECDHE_P384_Test_Vectors.json'
  | 'v4/Hash_Based_Counter_Test_Vectors.json'
  | 'v4/data.csv';
export declare function findRepoRoot(from?: string): string;
export declare const REPO_ROOT: string;
export declare const REPO_VECTORS_DIR: string;
export declare function sharedVectorsDir(env?: Record<string, string | undefined>): string;
export declare function isDirectory(dir: string): boolean;
export declare function missingPublishedNotice(dir: string): string;
export interface PublishedVectors {
  readonly dir: string;
  readonly available: boolean;
  /** Prints the one-line notice (once) when the folder is missing; returns `available`. */
  report(): boolean;
  text(path: PublishedFile): string;
  json<T = unknown>(path: PublishedFile): T;
}
export declare function publishedVectors(env?: Record<string, string | undefined>): PublishedVectors;
export declare function readRepoVector(path: string): string;
export declare function readRegressionVector<T = unknown>(publishedPath: PublishedFile): T;
export interface TotpRow {
  time: number;
  utcTime: string;
  t: string;
  totp: string;
  algorithm: 'HmacSHA1' | 'HmacSHA256' | 'HmacSHA512' | string;
  seed: string;
}
export declare function parseTotpCsv(text: string): TotpRow[];
export declare function loadPublished<T = unknown>(published: PublishedVectors, path: PublishedFile): T;
export interface VectorSource<T> {
  readonly source: 'published' | 'regression';
  /** The file replayed: the published path, or the twin's path relative to test-vectors/. */
  readonly file: string;
  readonly available: boolean;
  load(): T;
}
/** Published file first (skip it when `available` is false), regression twin second (always available). */
export declare function vectorSources<T = unknown>(path: PublishedFile): [VectorSource<T>, VectorSource<T>];
