/** examples/basic's whole life through the real CLI (basic-lifecycle.ts), on this repo's Node and @pulumi/pulumi. */
import { describeBasicLifecycle } from "./basic-lifecycle";

describeBasicLifecycle({ file: "test/cli/basic.test.ts" });
