/** examples/basic as a throwaway CLI project: what basic-lifecycle.ts, interrupted.test.ts and `npm run demo` run. */
import { join } from "node:path";
import { PulumiCliProject, type CliProjectOptions } from "./cli";
import { REPO_ROOT } from "./repo";

/** examples/basic's Pulumi project name: the namespace of its own config keys. */
export const BASIC_PROJECT = "greenapi-basic";

/**
 * examples/basic as a throwaway CLI project on an emulator: the emulator's URLs and partner token,
 * and the example's secret webhookUrlToken.
 */
export function basicProject(
  options: Pick<CliProjectOptions, "cli" | "stack" | "echo" | "color" | "env" | "nodeModules" | "preload"> & {
    emulator: { url: string; partnerToken: string };
    webhookUrlToken: string;
    config?: Record<string, string>;
  },
): Promise<PulumiCliProject> {
  const { emulator, webhookUrlToken, config, ...rest } = options;
  return PulumiCliProject.create({
    ...rest,
    program: join(REPO_ROOT, "examples", "basic", "index.ts"),
    project: BASIC_PROJECT,
    config: {
      "greenapi:partnerToken": emulator.partnerToken,
      "greenapi:partnerApiUrl": emulator.url,
      "greenapi:apiUrl": emulator.url,
      [`${BASIC_PROJECT}:webhookUrlToken`]: webhookUrlToken,
      ...config,
    },
    secretKeys: ["greenapi:partnerToken", `${BASIC_PROJECT}:webhookUrlToken`],
  });
}
