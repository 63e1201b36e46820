/**
 * The `greenapi` plugin's names, as schema.json declares them: its package, resource, type and
 * function tokens. Apart from the plugin's code, so that the import-plan CLI, the schema generator
 * and the harness name them without loading it (the dynamic door's are in dynamic/keys.ts).
 */
export const PACKAGE = "greenapi";
export const INSTANCE_TYPE = `${PACKAGE}:index:Instance`;
/** One row of getInstances (an object type in the schema). */
export const INSTANCE_SUMMARY_TYPE = `${PACKAGE}:index:InstanceSummary`;
export const FUNCTIONS = { getInstances: `${PACKAGE}:index:getInstances`, getInstance: `${PACKAGE}:index:getInstance` } as const;
