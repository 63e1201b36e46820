/**
 * The processes a CLI command starts: finding them, and killing them all at once as a dying machine
 * would. The CLI starts each plugin in a process group of its own, so neither killing the CLI alone
 * nor killing its process group reaches them.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { waitUntil } from "../wait-until";

/** A process of the tree a command started. */
export interface CliProcess {
  pid: number;
  command: string;
}

/** True while pid is a process that has not ended (a zombie nobody reaped yet has ended). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" }).trim();
    return state !== "" && !state.startsWith("Z");
  } catch {
    return false; // ps found no such process
  }
}

/** Every process below pid, from `ps`. */
export function descendantsOf(root: number): CliProcess[] {
  const table = execFileSync("ps", ["-A", "-o", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), command: args }));
  const found: CliProcess[] = [];
  const parents = [root];
  while (parents.length > 0) {
    const parent = parents.shift()!;
    for (const { pid, ppid, command } of table) {
      if (ppid === parent) {
        found.push({ pid, command });
        parents.push(pid);
      }
    }
  }
  return found;
}

/**
 * Sends signal to root and every process below it, all at once; resolves, with the processes it
 * signalled, once rootEnded has settled and none of them is running any more. Then removes what the
 * language host removes when it ends normally: the directory of its pipes to the program.
 */
export async function killTree(root: CliProcess, rootEnded: Promise<unknown>, signal: NodeJS.Signals): Promise<CliProcess[]> {
  const tree = [root, ...descendantsOf(root.pid)];
  for (const { pid } of tree) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
  await rootEnded;
  await waitUntil(() => tree.every(({ pid }) => !isRunning(pid)), `the processes of \`${root.command}\` to end after ${signal}`);
  for (const { command } of tree) {
    const pipes = /--sync (\S*pulumi-node-pipes\S*)/.exec(command)?.[1];
    if (pipes) rmSync(pipes, { recursive: true, force: true });
  }
  return tree;
}
