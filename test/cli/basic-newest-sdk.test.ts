/**
 * examples/basic's life through the real CLI (basic-lifecycle.ts) on what most users run today: Node
 * 22 and the newest @pulumi/pulumi (`npm run newest-sdk`, run here on first use), the console-drift
 * steps left to basic.test.ts to keep the suite short.
 */
import { describeBasicLifecycle } from "./basic-lifecycle";
import { newestSdk } from "./newest-sdk";

describeBasicLifecycle({ file: "test/cli/basic-newest-sdk.test.ts", runtime: newestSdk, drift: false });
