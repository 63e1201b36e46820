#!/usr/bin/env node
/**
 * pulumi-resource-greenapi: the `greenapi` provider plugin's executable. The CLI starts it with the
 * engine's address as argument (not needed: this provider calls nothing back) and reads the port it
 * prints.
 */
import { serveProvider } from "./server";

serveProvider().catch((error: unknown) => {
  console.error(`pulumi-resource-greenapi: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
