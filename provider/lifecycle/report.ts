/** How the lifecycle tells a front door about progress and problems while it works. */

/** How bad a line is, in the words of Pulumi's engine log. */
export type Severity = "debug" | "info" | "warning" | "error";

/**
 * A front door's way to show the user a line about the resource being worked on: the dynamic door
 * prints it (Pulumi shows a dynamic provider's output on the stack's row), the plugin logs it to
 * the engine under the resource's URN.
 */
export type Report = (severity: Severity, message: string) => void;
