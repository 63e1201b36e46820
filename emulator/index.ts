// The Green API emulator: partner API and instance API in one local HTTP server, for tests and demos.
export { GreenApiEmulator } from "./server";
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
  RecordedRequest,
  SeedAccountOptions,
  SeedInstance,
  Settings,
  StartupPhase,
  StateInstance,
} from "./types";
