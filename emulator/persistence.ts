// Saves the account as JSON so a CLI emulator keeps its instances across restarts (--state FILE).

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { StoredState } from "./state";

export function readStateFile(path: string): StoredState | undefined {
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!isStoredState(parsed)) {
    throw new Error(`GreenApiEmulator: ${path} is not an emulator state file (want {"instances": [{"idInstance": n}]})`);
  }
  return parsed;
}

/** Writes a temporary file then renames it, so a crash mid-write never leaves a truncated state file. */
export function writeStateFile(path: string, state: StoredState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, path);
}

function isStoredState(value: unknown): value is StoredState {
  if (typeof value !== "object" || value === null) return false;
  const instances = (value as { instances?: unknown }).instances;
  return (
    Array.isArray(instances) &&
    instances.every(
      (item: unknown) => typeof item === "object" && item !== null && Number.isInteger((item as { idInstance?: unknown }).idInstance),
    )
  );
}
