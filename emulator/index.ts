// The Green API emulator: partner API and instance API in one local HTTP server, for tests and demos.
export { GreenApiEmulator } from "./server";
export { GREEN_API_PARTNER_RATE_LIMIT } from "./rate-limit";
export type {
  EmulatedInstance,
  EmulatorOptions,
  Fault,
  FaultKind,
  FaultTarget,
  InstanceMethod,
  Method,
  OutOfBandChange,
  PartnerMethod,
  PartnerRateLimit,
  RecordedRequest,
  SeedAccountOptions,
  SeedInstance,
  Settings,
  StartupPhase,
  StateInstance,
} from "./types";
