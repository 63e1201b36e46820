export * from "./find";
export * from "./gate";
export * from "./scaffold";
export * from "./project";
export * from "./run";
export * from "./processes";
