/**
 * HTTP to Green API: deadlines, retries, per-instance pacing, errors inside HTTP 200 bodies, and
 * redaction. Request semantics (which method, which schema) live in the clients; this file knows
 * only how to get a JSON answer safely or a GreenApiError that is safe to print.
 */
import type { Dispatcher } from "undici";
import { DEFAULT_DEADLINES, settleWindowMs, type Deadlines } from "./deadlines";
import { codeForRejection, GreenApiError, type GreenApiErrorCode, type GreenApiErrorDetails } from "./errors";
import { Pacer, type PartnerBucket, type Turn } from "./pacer";
import { redact, REDACTED } from "./redact";
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay, type Repeatability, type RetryPolicy } from "./retry";
import { inOperation, operationDeadline, pauseFor, withinDeadline, writeMayLandUntil } from "./waiting";

export interface TransportOptions {
  deadlines?: Partial<Deadlines>;
  retry?: RetryPolicy;
}

export interface Call {
  /** Green API method name, used in messages and errors. */
  method: string;
  verb: "GET" | "POST";
  /** Full URL, credentials included. */
  url: string;
  body?: unknown;
  /** Every credential this call carries (URL path tokens, webhookUrlToken in the body). */
  secrets: ReadonlyArray<string | undefined>;
  repeatability: Repeatability;
  /**
   * A write Green API may perform late (createInstance, setSettings). Each attempt is sent only if
   * its settle window (settleWindowMs) still fits in the operation, and an attempt whose outcome is
   * unknown carries `settlesAt`. A repeatable write's late attempts must not land after the
   * operation ended — a later operation's newer values would be overwritten by older ones — so the
   * operation waits for them (withinDeadline); a "once" write's caller reconciles by itself.
   */
  write?: boolean;
  /** Space calls sharing this key intervalMs apart (per-instance rate limits). */
  pace?: { key: string; intervalMs: number };
  /**
   * The account's partner gateway bucket (partner methods): each attempt waits for its turn, and a
   * 429 — which the gateway answers before performing the call — is waited out, not retried blindly.
   */
  bucket?: PartnerBucket;
  /** Told when each attempt goes out (epoch ms), after any wait for its turn. */
  onSend?: (at: number) => void;
}

/** Partner calls Green API's gateway refused with HTTP 429: answered before performing (docs/greenapi.md §1.3). */
const refusedByGateway = new WeakSet<GreenApiError>();

/** undici's request, and the keep-alive Agent it goes through. */
interface Http {
  request: typeof import("undici").request;
  dispatcher: Dispatcher;
}

/** Longest slice of a server's error text we quote back to the user. */
const MAX_QUOTED_TEXT = 200;

export class Transport {
  readonly deadlines: Deadlines;
  private readonly retry: RetryPolicy;
  private readonly pacer = new Pacer();
  /**
   * Loaded at the first call: a provider process that never calls Green API (a preview with
   * nothing to change) does not spend ~0.1 s of CPU loading undici.
   */
  private http?: Promise<Http>;

  constructor(options: TransportOptions = {}) {
    this.deadlines = { ...DEFAULT_DEADLINES, ...options.deadlines };
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  /** undici and this transport's Agent: loaded by the first call, the same for every later one. */
  private loadHttp(): Promise<Http> {
    const { requestMs } = this.deadlines;
    // One keep-alive Agent per Transport, closed with it.
    this.http ??= import("undici").then(({ Agent, request }) => ({
      request,
      dispatcher: new Agent({
        connect: { timeout: Math.min(requestMs, 10_000) },
        headersTimeout: requestMs,
        bodyTimeout: requestMs,
        keepAliveTimeout: 4_000,
      }),
    }));
    return this.http;
  }

  /** Performs the call with retries; resolves to the parsed JSON body (which may be null). */
  async call(call: Call): Promise<unknown> {
    // A call made on its own is an operation of its own.
    if (!inOperation()) return withinDeadline(Date.now() + this.deadlines.operationMs, () => this.call(call));
    const http = await this.loadHttp();
    const started = Date.now();
    const deadline = Math.min(started + this.deadlines.operationMs, operationDeadline());
    const settleMs = settleWindowMs(this.deadlines.requestMs);
    let failed: GreenApiError | undefined;
    let refusals = 0; // 429s of the partner gateway: nothing was performed, so they are not attempts
    for (let attempt = 1; ; attempt++) {
      const noRoomToWrite = () => {
        // Sending now could leave a late performance behind after the operation ended.
        const why = "no time left to wait out a late performance of another";
        const now = Date.now();
        return failed?.afterAttempts(attempt - 1 + refusals, now - started, why) ?? this.noTimeToWrite(call, deadline - now, settleMs);
      };
      if (call.pace) await this.pacer.wait(call.pace.key, call.pace.intervalMs);
      if (call.write && Date.now() + settleMs > deadline) throw noRoomToWrite();
      // A write's turn must leave room for its settle window too.
      const turn = call.bucket && (await call.bucket.take(call.write ? deadline - settleMs : deadline));
      if (call.bucket && !turn) {
        const why = "the account's partner rate limit left it no turn before the operation's deadline";
        throw failed?.afterAttempts(attempt - 1 + refusals, Date.now() - started, why) ?? this.noTurn(call, call.bucket);
      }
      const sentAt = Date.now();
      if (call.write && sentAt + settleMs > deadline) throw noRoomToWrite();
      try {
        call.onSend?.(sentAt);
        return await this.once(
          http,
          call,
          Math.min(this.deadlines.requestMs, deadline - sentAt),
          call.write ? sentAt + settleMs : undefined,
          turn,
        );
      } catch (error) {
        if (!(error instanceof GreenApiError)) throw error;
        if (call.bucket && refusedByGateway.has(error)) {
          // Not performed: createInstance too may go again, at the bucket's next turn.
          call.bucket.refused(error.retryAfterMs);
          failed = error;
          refusals++;
          attempt--;
          continue;
        }
        if (error.settlesAt !== undefined && call.repeatability === "safe") writeMayLandUntil(error.settlesAt);
        failed = error;
        const wait = retryDelay(error, attempt, call.repeatability, deadline - Date.now(), this.retry);
        if (wait === undefined) throw attempt > 1 ? error.afterAttempts(attempt, Date.now() - started) : error;
        if (call.pace && error.retryAfterMs) this.pacer.delay(call.pace.key, Date.now() + error.retryAfterMs);
        await pauseFor(wait);
      }
    }
  }

  private noTurn(call: Call, bucket: PartnerBucket): GreenApiError {
    const { ratePerSecond, burst } = bucket.current;
    return new GreenApiError(
      { code: "rate_limited", method: call.method, notSent: true },
      `not sent: this account's partner calls (${ratePerSecond} a second, bursts of ${burst}, shared by every create, list and ` +
        "delete of this process) left it no turn within the operation's deadline",
    );
  }

  private noTimeToWrite(call: Call, leftMs: number, settleMs: number): GreenApiError {
    const seconds = (ms: number) => Math.ceil(ms / 1000);
    return new GreenApiError(
      { code: "timeout", method: call.method, notSent: true, adviceId: "no_time_to_write" },
      `not sent: ${seconds(Math.max(0, leftMs))} s are left in the operation's deadline, and a write needs ${seconds(settleMs)} s ` +
        "to wait out a late performance by Green API",
    );
  }

  async close(): Promise<void> {
    if (this.http) await (await this.http).dispatcher.close();
  }

  private async once(
    { request, dispatcher }: Http,
    call: Call,
    budgetMs: number,
    settlesAt: number | undefined,
    turn?: Turn,
  ): Promise<unknown> {
    const fail: Fail = (code, what, extra = {}, cause) =>
      new GreenApiError(
        { code, method: call.method, ...extra, ...(extra.outcomeUnknown && settlesAt !== undefined ? { settlesAt } : {}) },
        redact(`${what} (${call.verb} ${displayUrl(call.url)})`, call.secrets),
        undefined,
        cause === undefined ? undefined : { cause },
      );
    if (budgetMs <= 0) throw fail("timeout", "no time left in the operation's deadline", { notSent: true });

    let statusCode: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    const sentAt = Date.now();
    try {
      const response = await request(call.url, {
        method: call.verb,
        dispatcher,
        headers: call.body === undefined ? {} : { "content-type": "application/json" },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(budgetMs),
        headersTimeout: budgetMs,
        bodyTimeout: budgetMs,
      });
      statusCode = response.statusCode;
      headers = response.headers;
      if (turn) call.bucket?.observe(headers, turn, sentAt);
      text = await response.body.text();
    } catch (cause) {
      // The last attempt may get only what is left of the operation's deadline.
      const limit = budgetMs < this.deadlines.requestMs ? "the operation deadline" : `${budgetMs} ms`;
      const { code, sent, what } = classifyNetworkError(cause, limit);
      throw fail(code, what, { outcomeUnknown: sent && call.verb === "POST", notSent: !sent }, cause);
    }

    // Only a success answer proves a POST was not performed twice; anything unreadable may hide one.
    const isPost = call.verb === "POST";
    if (statusCode === 200) return parseBody(text, fail, isPost);
    const quoted = quote(text);
    const retryAfterMs = parseRetryAfter(headers["retry-after"]);
    if (statusCode === 429) {
      const error = fail("rate_limited", `HTTP 429 ${quoted}`, { status: 429, retryAfterMs });
      if (call.bucket) refusedByGateway.add(error);
      throw error;
    }
    if (statusCode === 401 || statusCode === 403) throw fail("unauthorized", `HTTP ${statusCode} ${quoted}`, { status: statusCode });
    // Green API says "not found" inside HTTP 200 ({"code": 404}); an HTTP 404 is a page that does not
    // exist — a wrong API URL or a proxy. Taking it for "already deleted" would drop a live, billed
    // instance from the stack, so it is an error the user must look at.
    if (statusCode === 404) throw fail("invalid_request", `HTTP 404 ${quoted}`, { status: 404, adviceId: "wrong_url" });
    if (statusCode === 466) throw fail("invalid_request", `HTTP 466 ${quoted}`, { status: 466, adviceId: "plan_quota" });
    if (statusCode >= 500 || looksLikeHtml(text)) {
      // A 5xx may come after the work was done (a proxy timing out in front of a slow backend).
      throw fail("server_error", `HTTP ${statusCode} ${quoted}`, {
        status: statusCode,
        retryAfterMs,
        outcomeUnknown: isPost,
      });
    }
    throw fail(statusCode === 400 ? codeForRejection(text) : "invalid_request", `HTTP ${statusCode} ${quoted}`, { status: statusCode });
  }
}

type Fail = (code: GreenApiErrorCode, what: string, extra?: Partial<GreenApiErrorDetails>, cause?: unknown) => GreenApiError;

/**
 * Green API reports many errors inside HTTP 200: `{"code": 401, "description": "Unauthorized"}`.
 * A body of exactly that shape is an error, whatever the status said.
 */
function parseBody(text: string, fail: Fail, isPost: boolean): unknown {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    const kind = looksLikeHtml(text) ? "an HTML page" : text.trim() === "" ? "an empty body" : "a body that is not JSON (cut off?)";
    // A 200 whose body was cut off is most likely a success we cannot read.
    throw fail("malformed_response", `HTTP 200 with ${kind}`, { outcomeUnknown: isPost }, cause);
  }
  if (isErrorBody(body)) {
    const code: GreenApiErrorCode =
      body.code === 401 || body.code === 403
        ? "unauthorized"
        : body.code === 404
          ? "not_found"
          : body.code === 429
            ? "rate_limited"
            : body.code >= 500
              ? "server_error"
              : "invalid_request";
    const description = body.description ? ` ${quote(body.description)}` : "";
    throw fail(code, `HTTP 200 with error ${body.code}${description}`, { status: body.code, outcomeUnknown: isPost && body.code >= 500 });
  }
  return body;
}

function isErrorBody(body: unknown): body is { code: number; description: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const { code, description } = body as Record<string, unknown>;
  return typeof code === "number" && code >= 400 && (description === undefined || typeof description === "string");
}

function classifyNetworkError(cause: unknown, limit: string): { code: GreenApiErrorCode; sent: boolean; what: string } {
  const err = cause as { name?: string; code?: string; message?: string };
  switch (err?.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "UND_ERR_CONNECT_TIMEOUT":
      // Nothing reached the server: safe to repeat even for createInstance.
      return { code: "connection_failed", sent: false, what: `could not connect (${err.code})` };
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return { code: "timeout", sent: true, what: `no answer within ${limit}` };
  }
  if (err?.name === "TimeoutError" || err?.name === "AbortError") {
    return { code: "timeout", sent: true, what: `no answer within ${limit}` };
  }
  return { code: "connection_failed", sent: true, what: `the connection failed before an answer (${err?.code ?? err?.name ?? "error"})` };
}

function looksLikeHtml(text: string): boolean {
  return /^\s*<(!doctype|html|head|body)/i.test(text);
}

function quote(text: string): string {
  if (looksLikeHtml(text)) return "(an HTML page)";
  const trimmed = text.trim().replace(/\s+/g, " ");
  if (!trimmed) return "";
  return JSON.stringify(trimmed.length > MAX_QUOTED_TEXT ? `${trimmed.slice(0, MAX_QUOTED_TEXT)}…` : trimmed);
}

/**
 * The URL without its credential segment. Green API puts the token last in the path for every
 * method; redaction by value still runs afterwards as the safety net.
 */
function displayUrl(url: string): string {
  const parsed = new URL(url);
  const segments = parsed.pathname.split("/");
  if (segments.length > 2) segments[segments.length - 1] = REDACTED;
  return `${parsed.origin}${segments.join("/")}`;
}
