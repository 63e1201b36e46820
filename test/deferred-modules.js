/* global jest */
// In Jest's module registry of each test file, the modules @pulumi/pulumi loads at start but most
// tests never use load on first use (harness/deferred-modules.js says which and why).
const { DEFERRED_MODULES, deferred } = require("../harness/deferred-modules");

for (const name of DEFERRED_MODULES) jest.mock(name, () => deferred(() => jest.requireActual(name)));
