/** Where results go; commands write stdout only on success (stderr is reserved for the failure line). */
export interface Output {
  stdout(text: string): void;
}
