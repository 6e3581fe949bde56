import { parseArgs } from "node:util";
import { serveNode } from "../../server/node.js";
import { createWebhookHandler } from "../../server/webhook-handler.js";
import { openContext } from "../context.js";
import { runGovernance } from "../engine.js";
import { type CliIo, createOutput, exitCodes } from "../io.js";
import { untilAborted } from "../wait.js";

/** Help text of `cloudsteward serve`. */
export const serveHelp = `cloudsteward serve [options]

Runs the webhook receiver: POST /webhooks/wiz (Wiz Automation Rules, bearer token from
WIZ_WEBHOOK_SECRET), POST /slack/interactions (Approve/Reject buttons, SLACK_SIGNING_SECRET),
GET /healthz. Each accepted batch runs through the configured pipeline in the background.

Options:
  --config <file>  the config file (default ./cloudsteward.yaml)
  --port <n>       port (default 8787)
  --host <host>    interface (default 127.0.0.1; use 0.0.0.0 behind a proxy)`;

/** `cloudsteward serve`: the webhook receiver on a port, until interrupted. */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string" },
      port: { type: "string", default: "8787" },
      host: { type: "string", default: "127.0.0.1" },
    },
    strict: true,
  });
  const out = createOutput(io);
  const context = await openContext(io, values.config);
  try {
    const handler = createWebhookHandler({
      sources: {
        wiz: {
          ...context.config.webhooks.wiz,
          ...(io.env.WIZ_WEBHOOK_SECRET ? { secret: io.env.WIZ_WEBHOOK_SECRET } : {}),
        },
      },
      store: context.store,
      approvals: context.approvals,
      ...(io.env.SLACK_SIGNING_SECRET ? { slackSigningSecret: io.env.SLACK_SIGNING_SECRET } : {}),
      onFindings: async (batch) => {
        const result = await runGovernance({
          sources: [toAsync(batch.findings)],
          policy: context.policy,
          principal: context.config.principal,
          mode: context.config.mode,
          sinks: context.sinks,
          store: context.store,
          audit: context.audit,
          ...(context.model.model ? { model: context.model.model } : {}),
        });
        out.line(
          `${batch.source}: ${batch.findings.length} finding(s) → ${result.cases.length} case(s) → ${result.delivered.length} action(s) delivered`,
        );
      },
      onError: (error, batch) =>
        out.line(out.red(`${batch.source}: a batch failed: ${(error as Error).message}`)),
    });
    const server = await serveNode(handler, { port: Number(values.port), host: values.host });
    out.line(`Listening on ${server.url} (POST /webhooks/wiz, POST /slack/interactions, GET /healthz)`);
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
