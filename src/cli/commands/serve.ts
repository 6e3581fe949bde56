import { governance } from "../../agents/governance/governance.js";
import { serveNode } from "../../server/node.js";
import { createWebhookHandler, type WebhookSourceOptions } from "../../server/webhook-handler.js";
import type { CliConfig } from "../config.js";
import { openContext } from "../context.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs } from "../usage.js";
import { untilAborted } from "../wait.js";

/** Help text of `cloudsteward serve`. */
export const serveHelp = `cloudsteward serve [options]

Runs the webhook receiver: POST /webhooks/<platform> for each platform under \`webhooks\` in the
config (Wiz when none is: Automation Rules, bearer token from WIZ_WEBHOOK_SECRET; Prisma Cloud
PRISMA_WEBHOOK_SECRET, Orca ORCA_WEBHOOK_SECRET, Lacework LW_WEBHOOK_SECRET), POST /slack/interactions
(Approve/Reject buttons, SLACK_SIGNING_SECRET), GET /healthz. Each accepted batch runs through the
configured pipeline in the background.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --port <n>       port (default 8787)
  --host <host>    interface (default 127.0.0.1; use 0.0.0.0 behind a proxy)

Examples:
  WIZ_WEBHOOK_SECRET=… cloudsteward serve
  cloudsteward serve --config prod/cloudsteward.yaml --port 8080 --host 0.0.0.0
  curl -s http://127.0.0.1:8787/healthz`;

/** The flags of `cloudsteward serve`. */
export const serveArgs = {
  flags: {
    config: { type: "string", path: "file" },
    port: { type: "string", default: "8787" },
    host: { type: "string", default: "127.0.0.1" },
  },
} as const satisfies CommandArgs;

/** `cloudsteward serve`: the webhook receiver on a port, until interrupted. */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, serveArgs);
  const out = createOutput(io);
  const context = await openContext(io, values.config, { showEndpoints: true });
  try {
    const routes = webhookRoutes(context.config.webhooks, io.env);
    // Slack's buttons are served only with a signing secret: without one nothing could verify them.
    const slackSigningSecret = io.env.SLACK_SIGNING_SECRET?.trim() ? io.env.SLACK_SIGNING_SECRET : undefined;
    const handler = createWebhookHandler({
      sources: routes,
      store: context.store,
      ...(slackSigningSecret ? { approvals: context.approvals, slackSigningSecret } : {}),
      onFindings: async (batch) => {
        const result = await governance({
          sources: [toAsync(batch.findings)],
          policy: context.policy,
          principal: context.config.principal,
          mode: context.config.mode,
          sinks: context.sinks,
          store: context.store,
          audit: context.audit,
          approvals: context.approvals,
          ...(context.model.model ? { model: context.model.model } : {}),
        }).start();
        out.line(
          `${batch.source}: ${batch.findings.length} finding(s) → ${result.cases.length} case(s) → ${result.delivered.length} action(s) delivered`,
        );
      },
      onError: (error, batch) =>
        out.line(out.red(`${batch.source}: a batch failed: ${(error as Error).message}`)),
    });
    const server = await serveNode(handler, { port: Number(values.port), host: values.host });
    const paths = Object.keys(routes).map((name) => `POST /webhooks/${name}`);
    if (slackSigningSecret) paths.push("POST /slack/interactions");
    else
      out.note(
        "POST /slack/interactions is off: set SLACK_SIGNING_SECRET to serve Slack's Approve/Reject buttons.",
      );
    out.line(`Listening on ${server.url} (${[...paths, "GET /healthz"].join(", ")})`);
    await untilAborted(io.signal);
    await server.close();
    await handler.drain();
    return exitCodes.ok;
  } finally {
    await context.close();
  }
}

// Internal helpers.

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}

/** The environment variable holding each platform's webhook secret. */
const webhookSecretEnv = {
  wiz: "WIZ_WEBHOOK_SECRET",
  prisma: "PRISMA_WEBHOOK_SECRET",
  orca: "ORCA_WEBHOOK_SECRET",
  lacework: "LW_WEBHOOK_SECRET",
} as const;

/** One route per configured platform (Wiz when none is), each with its secret from the environment. */
function webhookRoutes(
  webhooks: CliConfig["webhooks"],
  env: CliIo["env"],
): Record<string, WebhookSourceOptions> {
  const configured = Object.entries(webhooks).filter(([, options]) => options !== undefined);
  const routes: Record<string, WebhookSourceOptions> = {};
  for (const [name, options] of configured.length > 0 ? configured : [["wiz", {}] as const]) {
    const secret = env[webhookSecretEnv[name as keyof typeof webhookSecretEnv]];
    routes[name] = { ...options, ...(secret ? { secret } : {}) };
  }
  return routes;
}
