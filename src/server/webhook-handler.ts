import type { LaceworkWebhookOptions } from "../adapters/lacework/webhook.js";
import type { OrcaWebhookOptions } from "../adapters/orca/webhook.js";
import type { PrismaWebhookOptions } from "../adapters/prisma/webhook.js";
import { assertWebhookSecret } from "../adapters/shared/webhook.js";
import type { WizWebhookOptions } from "../adapters/wiz/webhook.js";
import type { ApprovalQueue } from "../agents/approvals/queue.js";
import { ConfigurationError, isCloudstewardError } from "../core/errors.js";
import type { Finding } from "../core/finding.js";
import { memoryStore } from "../core/memory-store.js";
import { type PipelineOptions, pipeline } from "../core/pipeline.js";
import type { RunReport } from "../core/report.js";
import type { Secret } from "../core/secret.js";
import type { Store } from "../core/store.js";
import type { ApprovalDecisions, SlackInteractionOptions } from "../sinks/slack/interaction.js";
import type { ExceptionWebhookOptions } from "./exception-webhooks.js";
import type { JiraFeedbackWebhookOptions } from "./feedback-webhooks.js";

/** What every webhook route takes, whatever its platform. */
export interface WebhookRouteOptions {
  /**
   * Verifies the request and returns its findings; throw an `AuthenticationError` to answer 401.
   * @default the platform adapter's `parseWebhook` (loaded on first use, so unused adapters cost nothing)
   */
  parse?: (request: Request) => Promise<Finding[]>;
  /** A request header holding the platform's delivery id; a repeated id is acknowledged and skipped. */
  deliveryIdHeader?: string;
}

/**
 * How one platform's webhooks are verified and parsed: the route options plus the options of that
 * adapter's `parseWebhook` (`WizWebhookOptions`, `PrismaWebhookOptions`, `OrcaWebhookOptions`,
 * `LaceworkWebhookOptions`) for the built-in routes `wiz`, `prisma`, `orca` and `lacework`.
 */
export type WebhookSourceOptions = WebhookRouteOptions &
  (WizWebhookOptions | PrismaWebhookOptions | OrcaWebhookOptions | LaceworkWebhookOptions);

/** What the background worker processes: the findings of one accepted delivery. */
export interface WebhookBatch {
  /** The route's platform, e.g. `wiz`. */
  source: string;
  findings: Finding[];
  deliveryId?: string;
  receivedAt: string;
}

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** The platforms to accept, each served at `/webhooks/<name>`, e.g. `{ wiz: { secret: process.env.WIZ_WEBHOOK_SECRET } }`. */
  sources: Record<string, WebhookSourceOptions>;
  /** Processes each accepted batch in the background; give this, `pipeline` or `enqueue`. */
  onFindings?: (batch: WebhookBatch) => void | Promise<void>;
  /**
   * Hands each accepted batch to a durable queue before answering (e.g.
   * `(batch) => queued.enqueue(batch.findings)` from `cloudsteward/queue`), instead of processing it
   * in this process: the 202 means the batch is on the queue. When it throws, the batch is forgotten
   * and the sender gets 503 with `Retry-After`, so its redelivery is accepted.
   */
  enqueue?: (batch: WebhookBatch) => Promise<unknown>;
  /** Runs each accepted batch through `pipeline({ ...this, source: findings })` in the background. */
  pipeline?: Omit<PipelineOptions, "source" | "sources">;
  /** Serves Slack's Approve/Reject buttons at `/slack/interactions` when given. */
  approvals?: ApprovalQueue;
  /** The Slack app's signing secret for `/slack/interactions`. @default process.env.SLACK_SIGNING_SECRET */
  slackSigningSecret?: Secret;
  /** More options of the Slack interaction handler (user → principal mapping, `onResult`). */
  slack?: Omit<SlackInteractionOptions, "approvals" | "signingSecret">;
  /**
   * Applies exception decisions made elsewhere: `POST /exceptions/jira` and `POST /exceptions/servicenow`
   * (ITSM webhooks, each served when its entry is given) and, with `slack: true`, Slack's
   * Approve/Reject buttons on exception ids (`exc_…`) at `/slack/interactions`.
   */
  exceptions?: ExceptionWebhookOptions;
  /**
   * Serves `POST /feedback/jira` for a Jira admin webhook on `comment_created`: a
   * `/cloudsteward helpful|wrong <why>` comment on a ticket the Jira sink created is stored as
   * analyst feedback on its case (`cloudsteward/feedback`), audited. Off unless given.
   */
  jiraFeedback?: JiraFeedbackWebhookOptions;
  /** Where delivered finding versions and delivery ids are remembered, so a redelivery is skipped. @default memoryStore() */
  store?: Store;
  /** Batches that may wait for the worker; beyond it the handler answers 503 with `Retry-After`. @default 1000 */
  queueSize?: number;
  /** Batches processed at once. @default 1 */
  concurrency?: number;
  /**
   * Called when a batch fails in the background, or `enqueue` throws (its findings are forgotten, so a
   * redelivery is processed).
   */
  onError?: (error: unknown, batch: WebhookBatch) => void;
  /** Called with each pipeline run's report, when `pipeline` is given. */
  onReport?: (report: RunReport, batch: WebhookBatch) => void;
  /**
   * Called when a request fails for a reason the sender must not see (a secret function returning
   * nothing, a parser that threw): the response only says 500, this hook gets the error.
   */
  onRequestError?: (error: unknown, route: string) => void;
}

/** A Fetch-API request handler with a view of its background queue. */
export interface WebhookHandler {
  (request: Request): Promise<Response>;
  /** Batches waiting or being processed. */
  readonly pending: number;
  /** Resolves once every accepted batch has been processed (graceful shutdown, tests). */
  drain(): Promise<void>;
}

/** The Store namespace of finding versions and delivery ids already accepted. */
export const webhookSeenNamespace = "webhooks:seen";

/**
 * A webhook receiver for any Fetch-style server (Node via `cloudsteward serve`, Hono, Next.js, Bun,
 * Deno, Workers). Routes: `POST /webhooks/<source>` verifies the platform's auth, parses the
 * findings, drops the versions it already accepted (same finding id, `lastSeen`, status and
 * severity, or same delivery id) and answers 202 at once, processing in the background through a bounded queue (503 with
 * `Retry-After` when full); `POST /slack/interactions` applies Approve/Reject buttons to
 * `approvals` (and to exceptions with `exceptions.slack`); `POST /exceptions/jira` and
 * `POST /exceptions/servicenow` apply ITSM decisions on exceptions; `POST /feedback/jira` stores
 * analyst feedback from Jira comment commands (with `jiraFeedback`); `GET /healthz` answers 200 with the queue depth.
 * With `enqueue`, each batch goes to a durable queue before the 202 instead (many workers, storms).
 * @throws ConfigurationError at creation when none of `onFindings`, `pipeline` and `enqueue` is given, when a
 * built-in route's secret is missing or empty (option or environment variable), when a route has
 * no parser, when `approvals` or `exceptions.slack` is given without a Slack signing secret, or when
 * an `exceptions.jira`, `exceptions.servicenow` or `jiraFeedback` route has no secret.
 * @example
 * const handler = createWebhookHandler({
 *   sources: { wiz: { secret: process.env.WIZ_WEBHOOK_SECRET } },
 *   pipeline: { stages: [triage(), enrich(), explain(), decide({ policy }), gate({ policy })], sinks, store, mode: "assisted" },
 * });
 * app.all("*", (c) => handler(c.req.raw)); // Hono; Node: cloudsteward serve
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  if (!options.onFindings && !options.pipeline && !options.enqueue) {
    throw new ConfigurationError(
      "createWebhookHandler: nothing would process the findings. Pass `onFindings(batch)`, `pipeline: { stages, sinks }` or `enqueue(batch)`.",
      { option: "onFindings" },
    );
  }
  const routes = checkRoutes(options);
  const store = options.store ?? memoryStore();
  const queueSize = options.queueSize ?? 1000;
  const concurrency = options.concurrency ?? 1;
  const queue: WebhookBatch[] = [];
  const idle: (() => void)[] = [];
  let running = 0;
  // Loaded on the first Slack request, so the root entry does not load the Slack sink's code.
  const { approvals, exceptions } = options;
  let slackHandler: Promise<(request: Request) => Promise<Response>> | undefined;
  const handleSlack = (request: Request): Promise<Response> => {
    if (!approvals && !exceptions?.slack)
      return Promise.resolve(json(404, { error: "No approval queue is configured." }));
    slackHandler ??= Promise.all([
      import("../sinks/slack/interaction.js"),
      exceptions?.slack ? import("../agents/exceptions/routing.js") : undefined,
    ]).then(([{ slackInteractionHandler }, routing]) =>
      slackInteractionHandler({
        ...options.slack,
        approvals:
          routing && exceptions ? bothQueues(approvals, routing.exceptionApprovals(exceptions)) : approvals!,
        ...(options.slackSigningSecret === undefined ? {} : { signingSecret: options.slackSigningSecret }),
      }),
    );
    return slackHandler.then((handle) => handle(request));
  };
  // Loaded on the first ITSM request, like the Slack handler.
  let exceptionModule: Promise<typeof import("./exception-webhooks.js")> | undefined;
  const handleException = async (system: "jira" | "servicenow", request: Request): Promise<Response> => {
    if (!exceptions?.[system]) return json(404, { error: "No such route." });
    exceptionModule ??= import("./exception-webhooks.js");
    try {
      return await (await exceptionModule).handleExceptionWebhook(request, system, exceptions);
    } catch (error) {
      options.onRequestError?.(error, `exceptions/${system}`);
      return json(500, { error: "The webhook could not be processed." });
    }
  };

  let feedbackModule: Promise<typeof import("./feedback-webhooks.js")> | undefined;
  const handleFeedback = async (request: Request): Promise<Response> => {
    if (!options.jiraFeedback) return json(404, { error: "No such route." });
    feedbackModule ??= import("./feedback-webhooks.js");
    try {
      return await (await feedbackModule).handleJiraFeedbackWebhook(request, options.jiraFeedback);
    } catch (error) {
      options.onRequestError?.(error, "feedback/jira");
      return json(500, { error: "The webhook could not be processed." });
    }
  };

  const handleBatch = async (batch: WebhookBatch): Promise<void> => {
    if (options.onFindings) {
      await options.onFindings(batch);
      return;
    }
    const run = pipeline({ ...options.pipeline, source: fromArray(batch.findings) });
    const report = await run.start();
    options.onReport?.(report, batch);
  };

  const pump = (): void => {
    while (running < concurrency && queue.length > 0) {
      const batch = queue.shift() as WebhookBatch;
      running++;
      void handleBatch(batch)
        .catch(async (error: unknown) => {
          await forget(store, batch);
          options.onError?.(error, batch);
        })
        .finally(() => {
          running--;
          pump();
          if (running === 0 && queue.length === 0) for (const resolve of idle.splice(0)) resolve();
        });
    }
  };

  const receive = async (name: string, source: WebhookSourceOptions, request: Request): Promise<Response> => {
    if (request.method !== "POST") return json(405, { error: `POST webhooks to /webhooks/${name}.` });
    if (queue.length >= queueSize) {
      return json(503, { error: "The webhook queue is full; retry later." }, { "retry-after": "5" });
    }
    let findings: Finding[];
    try {
      findings = await (source.parse ?? (await defaultParser(name, source)))(request);
    } catch (error) {
      if (isCloudstewardError(error, "AUTHENTICATION")) return json(401, { error: "Unauthorized." });
      // A configuration error names options and variables: the sender learns nothing of it.
      if (isCloudstewardError(error) && error.code !== "CONFIGURATION") {
        return json(400, { error: error.message });
      }
      options.onRequestError?.(error, name);
      return json(500, { error: "The webhook could not be processed." });
    }
    const deliveryId = source.deliveryIdHeader ? request.headers.get(source.deliveryIdHeader) : null;
    if (
      deliveryId &&
      !(await store.setIfAbsent(webhookSeenNamespace, `${name}:delivery:${deliveryId}`, true))
    ) {
      return json(202, { accepted: 0, duplicates: findings.length, delivery: "duplicate" });
    }
    const fresh: Finding[] = [];
    for (const finding of findings) {
      if (await store.setIfAbsent(webhookSeenNamespace, versionKey(name, finding), true)) fresh.push(finding);
    }
    if (fresh.length > 0) {
      const batch: WebhookBatch = {
        source: name,
        findings: fresh,
        ...(deliveryId ? { deliveryId } : {}),
        receivedAt: new Date().toISOString(),
      };
      if (options.enqueue) {
        try {
          await options.enqueue(batch);
        } catch (error) {
          await forget(store, batch);
          options.onError?.(error, batch);
          return json(
            503,
            { error: "The webhook could not be queued; retry later." },
            { "retry-after": "5" },
          );
        }
      } else {
        queue.push(batch);
        pump();
      }
    }
    return json(202, { accepted: fresh.length, duplicates: findings.length - fresh.length });
  };

  const handler = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
    if (path === "/healthz") return json(200, { ok: true, pending: queue.length + running });
    if (path === "/slack/interactions") {
      return handleSlack(request);
    }
    if (path === "/exceptions/jira" || path === "/exceptions/servicenow") {
      return handleException(path === "/exceptions/jira" ? "jira" : "servicenow", request);
    }
    if (path === "/feedback/jira") return handleFeedback(request);
    const match = /^\/webhooks\/([a-z0-9-]+)$/.exec(path);
    // Own routes only: `/webhooks/constructor` must not find Object.prototype.constructor.
    const source = match ? routes.get(match[1] as string) : undefined;
    if (!match || !source) return json(404, { error: "No such route." });
    return receive(match[1] as string, source, request);
  };

  return Object.defineProperties(handler, {
    pending: { get: () => queue.length + running },
    drain: {
      value: () =>
        running === 0 && queue.length === 0
          ? Promise.resolve()
          : new Promise<void>((resolve) => idle.push(resolve)),
    },
  }) as WebhookHandler;
}

// Internal helpers.

/** Where each built-in route's secret comes from, and when the route needs none. */
const builtInSecrets: Record<
  string,
  { env: string; unauthenticated: (source: WebhookSourceOptions) => boolean }
> = {
  wiz: {
    env: "WIZ_WEBHOOK_SECRET",
    unauthenticated: (source) => (source as WizWebhookOptions).auth === "none",
  },
  prisma: {
    env: "PRISMA_WEBHOOK_SECRET",
    unauthenticated: (source) => (source as PrismaWebhookOptions).auth === "none",
  },
  orca: {
    env: "ORCA_WEBHOOK_SECRET",
    unauthenticated: (source) => (source as OrcaWebhookOptions).header === "none",
  },
  lacework: { env: "LW_WEBHOOK_SECRET", unauthenticated: () => false },
};

/**
 * Validates the routes at creation, so a receiver never starts with a route that cannot verify
 * its requests, and returns them in a map (no prototype lookups).
 */
function checkRoutes(options: WebhookHandlerOptions): Map<string, WebhookSourceOptions> {
  const routes = new Map<string, WebhookSourceOptions>();
  for (const [name, source] of Object.entries(options.sources)) {
    if (!/^[a-z0-9-]+$/.test(name)) {
      throw new ConfigurationError(
        `createWebhookHandler: the route name "${name}" cannot be reached; use lower-case letters, digits and dashes.`,
        { option: "sources" },
      );
    }
    if (source.parse === undefined) {
      const secret = Object.hasOwn(builtInSecrets, name) ? builtInSecrets[name] : undefined;
      if (!secret) {
        throw new ConfigurationError(
          `createWebhookHandler: no built-in webhook parser for "${name}". Pass \`sources.${name}.parse(request)\`.`,
          { option: `sources.${name}.parse` },
        );
      }
      if (!secret.unauthenticated(source)) {
        assertWebhookSecret((source as { secret?: Secret }).secret, {
          env: secret.env,
          option: "secret",
          integration: `createWebhookHandler: sources.${name}`,
        });
      }
    }
    routes.set(name, source);
  }
  if (options.approvals || options.exceptions?.slack) {
    assertWebhookSecret(options.slackSigningSecret, {
      env: "SLACK_SIGNING_SECRET",
      option: "slackSigningSecret",
      integration: "createWebhookHandler",
    });
  }
  for (const [system, env] of [
    ["jira", "JIRA_WEBHOOK_SECRET"],
    ["servicenow", "SERVICENOW_WEBHOOK_SECRET"],
  ] as const) {
    const route = options.exceptions?.[system];
    if (route) {
      assertWebhookSecret(route.secret, {
        env,
        option: `exceptions.${system}.secret`,
        integration: "createWebhookHandler",
      });
    }
  }
  if (options.jiraFeedback) {
    assertWebhookSecret(options.jiraFeedback.secret, {
      env: "JIRA_WEBHOOK_SECRET",
      option: "jiraFeedback.secret",
      integration: "createWebhookHandler",
    });
  }
  return routes;
}

/** Each platform's webhook parser, loaded on first use so unused adapters cost nothing. */
const builtInParsers: Record<
  string,
  () => Promise<{ parseWebhook: (request: Request, options: never) => Promise<Finding[]> }>
> = {
  wiz: () => import("../adapters/wiz/webhook.js"),
  prisma: () => import("../adapters/prisma/webhook.js"),
  orca: () => import("../adapters/orca/webhook.js"),
  lacework: () => import("../adapters/lacework/webhook.js"),
};

async function defaultParser(
  name: string,
  source: WebhookSourceOptions,
): Promise<(request: Request) => Promise<Finding[]>> {
  const load = Object.hasOwn(builtInParsers, name) ? builtInParsers[name] : undefined;
  if (!load) {
    throw new ConfigurationError(
      `createWebhookHandler: no built-in webhook parser for "${name}". Pass \`sources.${name}.parse(request)\`.`,
      { option: `sources.${name}.parse` },
    );
  }
  const { parseWebhook } = await load();
  // The route's options are that platform's webhook options (WebhookSourceOptions is their union).
  return (request) => parseWebhook(request, source as never);
}

/**
 * One version of a finding: its id, `lastSeen`, status and severity. Wiz webhooks carry no update
 * time (their `lastSeen` is the creation time), so a status change must make a new version by itself.
 */
function versionKey(source: string, finding: Finding): string {
  return `${source}:finding:${finding.id}:${finding.lastSeen}:${finding.status}:${finding.severity}`;
}

/** Forgets a failed batch, so the platform's redelivery is processed rather than skipped. */
async function forget(store: Store, batch: WebhookBatch): Promise<void> {
  for (const finding of batch.findings)
    await store.delete(webhookSeenNamespace, versionKey(batch.source, finding));
  if (batch.deliveryId)
    await store.delete(webhookSeenNamespace, `${batch.source}:delivery:${batch.deliveryId}`);
}

/** Button presses on exception ids (`exc_…`) go to the exceptions, the others to the approval queue. */
function bothQueues(approvals: ApprovalQueue | undefined, exceptions: ApprovalDecisions): ApprovalDecisions {
  const pick = (id: string): ApprovalDecisions => {
    if (id.startsWith("exc_")) return exceptions;
    if (!approvals) throw new Error(`no approval queue is configured for "${id}"`);
    return approvals;
  };
  return {
    approve: (id, by) => pick(id).approve(id, by),
    reject: (id, by) => pick(id).reject(id, by),
    acknowledge: (id, by) => pick(id).acknowledge(id, by),
  };
}

async function* fromArray(findings: readonly Finding[]): AsyncIterable<Finding> {
  yield* findings;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
