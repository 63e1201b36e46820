#!/usr/bin/env node
/**
 * pulumi-resource-greenapi: the `greenapi` provider plugin's executable. The CLI starts it with the
 * engine's address as argument (lines about resources go to its Log service) and reads the port it
 * prints.
 */
import { serveProvider } from "./server";

serveProvider(process.argv[2]).catch((error: unknown) => {
  console.error(`pulumi-resource-greenapi: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
