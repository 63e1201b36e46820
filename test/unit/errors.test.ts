/** Error wording: the client speaks in its own terms, the provider re-words for Pulumi users; causes are kept. */
import { ADVICE, codeForRejection, GreenApiError } from "../../provider/greenapi/errors";
import { PartnerClient } from "../../provider/greenapi/client";
import { forPulumi } from "../../provider/lifecycle/errors";
import { providerProperties } from "../../provider/lifecycle/config";
import { minimumOperationMs } from "../../provider/greenapi/deadlines";
import { readClientSettings } from "../../provider/greenapi/client-settings";

describe("the client's errors", () => {
  it("advise in the client's own terms: options and GREEN_API_* variables, never stack config", () => {
    for (const advice of Object.values(ADVICE)) expect(advice).not.toMatch(/greenapi:/);
    expect(ADVICE.timeout).toMatch(/GREEN_API_REQUEST_TIMEOUT_SECONDS/);
    expect(ADVICE.connection_failed).toMatch(/GREEN_API_PARTNER_API_URL/);
  });

  it("keep the network error as their cause, and say it was not sent when the connection was refused", async () => {
    // Nothing listens on port 9 of loopback: the connection is refused before anything is sent.
    const client = new PartnerClient({
      partnerToken: "t0ken",
      partnerApiUrl: "http://127.0.0.1:9",
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      const error = (await client.getInstances().catch((e: unknown) => e)) as GreenApiError;
      expect(error).toMatchObject({ code: "connection_failed", notSent: true, outcomeUnknown: false });
      expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
      expect(error.message).not.toMatch(/greenapi:/);
    } finally {
      await client.close();
    }
  });

  it("map Green API's known texts to codes in one place", () => {
    expect(codeForRejection("Instance is deleted")).toBe("instance_deleted");
    expect(codeForRejection("Validation failed: webhookUrl")).toBe("invalid_request");
  });
});

describe("the provider's re-wording", () => {
  it("names the stack config, keeps every field, and keeps the client's error as the cause", () => {
    const original = new GreenApiError(
      { code: "timeout", method: "getInstances", outcomeUnknown: false, retryAfterMs: 1000 },
      "no answer within 30000 ms",
    );
    const reworded = forPulumi(original) as GreenApiError;
    expect(reworded.message).toMatch(
      /^Green API getInstances: no answer within 30000 ms\. .*greenapi:requestTimeoutSeconds.*greenapi:operationTimeoutSeconds/,
    );
    expect(reworded).toMatchObject({ code: "timeout", method: "getInstances", retryAfterMs: 1000 });
    expect(reworded.cause).toBe(original);
  });

  it("branches on codes: a deleted instance and a rejected partner token get Pulumi's next steps", () => {
    const deleted = forPulumi(
      new GreenApiError({ code: "instance_deleted", method: "setSettings", status: 400 }, 'HTTP 400 "Instance is deleted"'),
    ) as Error;
    expect(deleted.message).toMatch(/the instance has been deleted outside Pulumi.*pulumi refresh/);
    const token = forPulumi(new GreenApiError({ code: "unauthorized", method: "createInstance" }, "HTTP 200 with error 401")) as Error;
    expect(token.message).toMatch(/pulumi config set --secret greenapi:partnerToken/);
  });

  it("leaves advice the lifecycle already wrote for Pulumi alone", () => {
    const own = new GreenApiError(
      { code: "timeout", method: "createInstance", outcomeUnknown: true },
      "the outcome is unknown",
      "The next `pulumi up` looks first.",
    );
    expect(forPulumi(own)).toBe(own);
  });

  it("re-words by the advice's id, never its text: the id survives retries, and own words drop it", () => {
    const wrongUrl = new GreenApiError({ code: "invalid_request", method: "getInstances", status: 404, adviceId: "wrong_url" }, "HTTP 404");
    expect(wrongUrl.advice).toBe(ADVICE.wrong_url);
    const retried = wrongUrl.afterAttempts(2, 1500);
    expect(retried.adviceId).toBe("wrong_url");
    const acctB = providerProperties("acctB");
    expect((forPulumi(retried, acctB) as Error).message).toMatch(/gave up after 2 attempts.*check `partnerApiUrl` of provider `acctB`/);
    // The same words as the standard advice, but the caller's own: nothing to re-word.
    const ownWords = new GreenApiError({ code: "timeout", method: "getInstances" }, "no answer", ADVICE.timeout);
    expect(ownWords.adviceId).toBeUndefined();
    expect(forPulumi(ownWords)).toBe(ownWords);
    expect(wrongUrl.withAdvice("Look elsewhere.").adviceId).toBeUndefined();
  });

  it("gives one minimum operation deadline, from the config check to every advice", () => {
    const noTime = new GreenApiError(
      { code: "timeout", method: "createInstance", notSent: true, adviceId: "no_time_to_write" },
      "not sent",
    );
    expect(noTime.advice).toMatch(/at least 3 × the request deadline \+ 2 s/);
    expect((forPulumi(noTime) as Error).message).toMatch(
      /raise greenapi:operationTimeoutSeconds to at least 3 × greenapi:requestTimeoutSeconds \+ 2/,
    );
    expect(minimumOperationMs(30_000)).toBe(92_000);
    expect(() =>
      readClientSettings((setting) => ({ requestTimeoutSeconds: "30", operationTimeoutSeconds: "91" })[setting as string], String),
    ).toThrow(/operationTimeoutSeconds must be at least 3 × requestTimeoutSeconds \+ 2 \(92 s/);
  });
});
