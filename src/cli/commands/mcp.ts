import { randomBytes } from "node:crypto";
import type { Policy } from "../../agents/policy/schema.js";
import type { AccountEnvironments } from "../../agents/query/evaluate.js";
import type { AuditLog } from "../../audit/audit-log.js";
import type { FindingSource } from "../../core/source.js";
import type { Store } from "../../core/store.js";
import type { LanguageModel } from "../../llm/language-model.js";
import { type CliIo, exitCodes } from "../io.js";
import { type CommandArgs, parseCommandArgs, usageError } from "../usage.js";
import { untilAborted } from "../wait.js";

/** Help text of `cloudsteward mcp`. */
export const mcpHelp = `cloudsteward mcp [options]

Runs the MCP server, so Claude Desktop, IDEs and agents can use cloudsteward's governed tools: query
and ask (posture questions), list_cases, get_case, explain_case, compliance_status, evidence_pack,
list_exceptions, request_exception, propose_action, list_approvals, verify_audit_log. Reading is the
default; request_exception and propose_action only propose, as --principal, under the policy. Every
call is recorded on the audit log with its caller. Over stdio by default (stdout carries only the
protocol; notes go to stderr), or over streamable HTTP with --http.

Options:
  --config <file>        the config file (default ./cloudsteward.yaml): its store, policy, sources, model
                         and accountEnvironments
  --principal <id>       the principal calls act as over stdio (default: the config's principal)
  --http [host:]<port>   serve streamable HTTP on POST /mcp instead of stdio, e.g. --http :8788;
                         each request's bearer token picks its principal: CLOUDSTEWARD_MCP_TOKENS holds
                         "principal=token" pairs separated by commas
  --sandbox              the emulated Wiz, Prisma Cloud, Orca and Lacework, their findings governed once
                         (read-only) into a memory store under the demo policy; over HTTP without
                         CLOUDSTEWARD_MCP_TOKENS, a random token for --principal is printed
  --size <n>             sandbox findings per platform (default 50)

Examples:
  cloudsteward mcp --sandbox                     # stdio, for an MCP client's config
  cloudsteward mcp --principal alice             # stdio, on the config's store and policy
  CLOUDSTEWARD_MCP_TOKENS="alice=$ALICE_TOKEN,bob=$BOB_TOKEN" cloudsteward mcp --http :8788`;

/** The flags of `cloudsteward mcp`. */
export const mcpArgs = {
  flags: {
    config: { type: "string", path: "file" },
    principal: { type: "string" },
    http: { type: "string" },
    sandbox: { type: "boolean", default: false },
    size: { type: "string", default: "50" },
  },
} as const satisfies CommandArgs;

/** `cloudsteward mcp`: the MCP server over stdio or streamable HTTP, until interrupted. */
export async function mcpCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, mcpArgs);
  const listen = values.http === undefined ? undefined : hostAndPort(values.http);
  const size = Number(values.size);
  if (!Number.isInteger(size) || size < 1)
    throw usageError(`--size must be a positive whole number; got "${values.size}".`);
  // Checked before anything opens: every HTTP caller must present a token that names its principal.
  const tokens = tokensFrom(io.env.CLOUDSTEWARD_MCP_TOKENS);
  if (listen && Object.keys(tokens).length === 0 && !values.sandbox) {
    throw usageError(
      'mcp --http needs CLOUDSTEWARD_MCP_TOKENS ("principal=token" pairs separated by commas): every HTTP caller must present a bearer token.',
    );
  }
  const target = values.sandbox ? await sandboxTarget(io, size) : await configTarget(io, values.config);
  try {
    const principal = values.principal ?? target.principal;
    const { serveMcpStdio, createMcpHttpHandler, warmMcpStore } = await import("../../mcp/index.js");
    const options = {
      store: target.store,
      policy: target.policy,
      audit: target.audit,
      sources: target.sources,
      ...(target.model ? { model: target.model } : {}),
      ...(target.now ? { now: target.now } : {}),
      ...(target.accountEnvironments ? { accountEnvironments: target.accountEnvironments } : {}),
    };
    if (!listen) {
      const server = await serveMcpStdio({ ...options, principal });
      io.stderr.write(`cloudsteward MCP server on stdio, acting as "${principal}".\n`);
      await Promise.race([server.closed, untilAborted(io.signal)]);
      await server.close();
      return exitCodes.ok;
    }
    if (Object.keys(tokens).length === 0) {
      const token = randomBytes(24).toString("base64url");
      tokens[token] = principal;
      io.stderr.write(`sandbox bearer token for "${principal}": ${token}\n`);
    }
    const { serveNode } = await import("../../server/node.js");
    await warmMcpStore(target.store);
    const server = await serveNode(createMcpHttpHandler({ ...options, tokens }), listen);
    io.stdout.write(`Listening on ${server.url}/mcp (MCP streamable HTTP; bearer token required)\n`);
    await untilAborted(io.signal);
    await server.close();
    return exitCodes.ok;
  } finally {
    await target.close();
  }
}

// Internal helpers.

/** What the server runs on: a store with its audit log, the policy, sources, the model and the default principal. */
interface McpTarget {
  store: Store;
  audit: AuditLog;
  policy: Policy;
  sources: FindingSource[];
  model?: LanguageModel;
  now?: () => Date;
  accountEnvironments?: AccountEnvironments;
  principal: string;
  close(): Promise<void>;
}

/** `[host:]port` (`:8788`, `8788`, `0.0.0.0:8788`); the host defaults to 127.0.0.1. */
function hostAndPort(value: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw usageError(`--http takes [host:]port, e.g. :8788; got "${value}".`);
  return { host: match[1] || "127.0.0.1", port };
}

/** `principal=token,principal=token` → `{ [token]: principal }`. */
function tokensFrom(text: string | undefined): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    if (!pair.trim()) continue;
    const at = pair.indexOf("=");
    const principal = pair.slice(0, at).trim();
    const token = pair.slice(at + 1).trim();
    if (at < 1 || !token) {
      throw usageError('CLOUDSTEWARD_MCP_TOKENS holds "principal=token" pairs separated by commas.');
    }
    tokens[token] = principal;
  }
  return tokens;
}

async function configTarget(io: CliIo, config: string | undefined): Promise<McpTarget> {
  const { openContext } = await import("../context.js");
  const context = await openContext(io, config, { showEndpoints: true });
  return {
    store: context.store,
    audit: context.audit,
    policy: context.policy,
    sources: Object.values(context.sources),
    ...(context.model.model ? { model: context.model.model } : {}),
    ...(context.config.accountEnvironments
      ? { accountEnvironments: context.config.accountEnvironments }
      : {}),
    principal: context.config.principal,
    close: () => context.close(),
  };
}

/** The sandbox's four platforms, their findings governed once (read-only) into a memory store. */
async function sandboxTarget(io: CliIo, size: number): Promise<McpTarget> {
  const [{ memoryStore }, { auditLog }, governed, demo, { sandboxPlatforms }] = await Promise.all([
    import("../../core/memory-store.js"),
    import("../../audit/audit-log.js"),
    import("../../agents/governance/governance.js"),
    import("../demo-policy.js"),
    import("../posture.js"),
  ]);
  const platforms = await sandboxPlatforms({ size });
  const { sandbox, sources } = platforms;
  const store = memoryStore();
  const audit = auditLog(store);
  const policy = demo.demoPolicy();
  const result = await governed
    .governance({
      sources,
      policy,
      principal: demo.demoPrincipal,
      mode: "read-only",
      sinks: {},
      store,
      audit,
    })
    .start(io.signal ? { signal: io.signal } : {});
  io.stderr.write(
    `sandbox at ${sandbox.url}: ${result.cases.length} case(s) from ${size * sources.length} findings, governed read-only under the demo policy.\n`,
  );
  return {
    store,
    audit,
    policy,
    sources,
    // The sandbox estate's own time, so ages in questions read as the estate was generated.
    now: platforms.now,
    accountEnvironments: platforms.accountEnvironments,
    principal: demo.demoPrincipal,
    async close() {
      await store.close();
      await sandbox.close();
    },
  };
}
