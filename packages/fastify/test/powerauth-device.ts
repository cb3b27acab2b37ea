/** The /pa/v3 HTTP suites' PowerAuth 3.3 device is the repository's one simulated SDK device (tools/sim-token/pa3). */
export * from '@offcode/sim-token/pa3';
