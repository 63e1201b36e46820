// Preloaded (`node --require`) into the Node processes the harness starts — provider hosts, dynamic
// and plugin — and, for the CLI suite, those the CLI starts (programs, hosts, plugins): they start in
// about half the CPU, running the same code (harness/node-options.ts says where it goes in).
require("./compile-cache");
require("./deferred-modules").deferInThisProcess();
