// The one function of semver (which ships no types) this tool uses.
declare module 'semver' {
  const semver: { satisfies(version: string, range: string): boolean };
  export default semver;
}
