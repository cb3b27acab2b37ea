/**
 * The server suites' device is the repository's one simulated device (tools/sim-token): a token built only
 * with @offcode/protocol and @offcode/crypto-wasm (no server code).
 */
export {
  DEVICE_SUITE,
  type DeviceFactor,
  type ExchangeAnswer,
  SimulatedDevice,
} from '@offcode/sim-token';
