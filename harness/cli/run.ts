/** One CLI command on its way: its output as it arrives, how it ended, and a way to kill it with all it started. */
import type { ChildProcess } from "node:child_process";
import { descendantsOf, killTree, type CliProcess } from "./processes";

/** Longest a command may run before it is stopped (SIGTERM): generous, for a loaded machine. */
export const COMMAND_TIMEOUT_MS = 300_000;

export interface CliResult {
  /** The command line, secret values replaced by [secret]. */
  command: string;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
  stdout: string;
}

/** How a command ended: its exit code, or null with the signal that ended it. */
export interface CliOutcome extends CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Not echoed (config set, stack output, …). */
  quiet?: boolean;
  /**
   * The command prints secrets in clear text on purpose (`--show-secrets`): its output stays out of
   * `transcript`, which a test scans for credentials.
   */
  showsSecrets?: boolean;
}

export class CliError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`\`${command}\` exited with ${exitCode}:\n${output}`);
    this.name = "CliError";
  }
}

/** A command on its way: its output so far, its end, and a way to kill it with everything it started. */
export class RunningCommand {
  /** Settles when the command has ended and its output is complete; never rejects on a failure. */
  readonly finished: Promise<CliOutcome>;
  /** True once the command has ended. */
  ended = false;
  private stdout = "";
  private combined = "";

  constructor(
    readonly command: string,
    private readonly child: ChildProcess,
    echo?: (text: string) => void,
  ) {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      this.combined += chunk;
      echo?.(chunk);
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.combined += chunk;
      echo?.(chunk);
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), COMMAND_TIMEOUT_MS);
    this.finished = new Promise<CliOutcome>((done, fail) => {
      child.once("error", fail);
      child.once("close", (exitCode, signal) => done({ command, exitCode, signal, output: this.combined, stdout: this.stdout }));
    }).finally(() => {
      clearTimeout(timer);
      this.ended = true;
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** stdout and stderr so far. */
  get output(): string {
    return this.combined;
  }

  /** The processes the command started, and theirs: the language host, the program, provider plugins. */
  descendants(): CliProcess[] {
    return descendantsOf(this.pid);
  }

  /**
   * Kills the command and every process it started, all with the same signal, as when the machine
   * or container running them dies (processes.ts: why the CLI's own process group is not enough;
   * a language host and a provider whose CLI was killed keep running, the provider even finishes
   * the requests it has in flight). Resolves, with the processes it killed, once the command has
   * ended and none of them is running any more.
   */
  async killTree(signal: NodeJS.Signals = "SIGKILL"): Promise<{ outcome: CliOutcome; killed: CliProcess[] }> {
    const killed = await killTree({ pid: this.pid, command: this.command }, this.finished, signal);
    return { outcome: await this.finished, killed };
  }
}
