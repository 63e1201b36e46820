/**
 * BASELINE FOR THE BENCHMARK ONLY — not part of the product.
 *
 * A straightforward provider: the product's own dynamic door and lifecycle, unchanged, except that every
 * getInstances sends its own request (one per read), as a provider without a shared list does.
 * Patching the one method, rather than copying read.ts, keeps every other step identical, so the
 * benchmark measures the shared list and nothing else. Loaded only inside the baseline's own
 * provider host process (see providers.ts).
 */
import { SharedAccount } from "../provider/lifecycle/account";

const shared = SharedAccount.prototype.instances;
SharedAccount.prototype.instances = function (this: SharedAccount) {
  return shared.call(this, { fresh: true });
};

export * from "../provider/dynamic";
