// Preloaded (`node --require`) into the provider hosts the harness starts, dynamic and plugin: they
// start in about half the CPU, running the same code.
require("./compile-cache");
require("./deferred-modules").deferInThisProcess();
