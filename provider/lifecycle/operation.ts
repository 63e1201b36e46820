/**
 * One provider operation (create, read, update, delete, a lookup): the provider's client, one
 * deadline for all its Green API calls, and its failure in the words of the front door's user.
 */
import type { PartnerClient } from "../greenapi/client";
import type { SharedAccount } from "./account";
import { accountOf, type Provider, type ProviderConfig, type SettingNames } from "./config";
import { forPulumi } from "./errors";
import type { Report } from "./report";

/** The client's calls to one instance's API: what an operation may call on the client itself. */
export type InstanceCalls = Pick<PartnerClient, "getSettings" | "setSettings" | "getStateInstance" | "logout">;

/** What an operation works with: the provider's account and client, its configuration, and where its lines go. */
export interface Context {
  /** Partner calls: the list this process shares, creates and deletes that keep it honest. */
  account: SharedAccount;
  /** Instance calls (settings, state, logout); partner calls go through `account`. */
  client: InstanceCalls;
  config: ProviderConfig;
  names: SettingNames;
  report: Report;
}

/**
 * Runs one provider operation (create, read, update, delete, a lookup): with the provider's client,
 * within one deadline for all its Green API calls, and with its failure worded for the user (see
 * forPulumi).
 */
export async function operation<T>(provider: Provider, report: Report, work: (context: Context) => Promise<T>): Promise<T> {
  try {
    const { account, config } = accountOf(provider);
    const { client } = account;
    return await account.operation(() => work({ account, client, config, names: provider.names, report }));
  } catch (error) {
    throw forPulumi(error, provider.names);
  }
}
