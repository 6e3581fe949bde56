import type { AccountEnvironments, Answer, QueryPlan, QueryResult } from "../agents/query/index.js";
import type { FindingSource } from "../core/source.js";
import type { Store } from "../core/store.js";
import type { LanguageModel } from "../llm/language-model.js";
import type { CliIo, CliOutput } from "./io.js";

/** The flags `ask` and `query` share: where the question is answered. */
export const postureTargetFlags = {
  config: { type: "string", path: "file" },
  sandbox: { type: "boolean", default: false },
  seed: { type: "string", default: "1" },
  size: { type: "string", default: "200" },
} as const;

/** Where a posture question is answered: the sources, the Store and (for `ask`) the model. */
export interface PostureTarget {
  sources: FindingSource[];
  store: Store;
  model?: LanguageModel;
  /** The clock queries are measured from (the sandbox estate's own time). */
  now?: () => Date;
  /**
   * The environment of each account (the config's `accountEnvironments`, or the sandbox estate's), so
   * `environment` is sent to the platforms.
   */
  accountEnvironments?: AccountEnvironments;
  close(): Promise<void>;
}

/**
 * The sandbox (`--sandbox`: the four emulated platforms in-process, an empty memory Store) or the
 * configured sources, Store (read-only), model and account environments.
 */
export async function openPostureTarget(
  io: CliIo,
  values: { config?: string; sandbox: boolean; seed: string; size: string },
): Promise<PostureTarget> {
  if (values.sandbox) {
    const { memoryStore } = await import("../core/memory-store.js");
    const platforms = await sandboxPlatforms({ seed: Number(values.seed), size: Number(values.size) });
    const store = memoryStore();
    return {
      sources: platforms.sources,
      store,
      now: platforms.now,
      accountEnvironments: platforms.accountEnvironments,
      async close() {
        await store.close();
        await platforms.sandbox.close();
      },
    };
  }
  const { openContext } = await import("./context.js");
  const context = await openContext(io, values.config, { readOnly: true, showEndpoints: true });
  const { accountEnvironments } = context.config;
  return {
    sources: Object.values(context.sources),
    store: context.store,
    model: context.model.model,
    ...(accountEnvironments ? { accountEnvironments } : {}),
    close: () => context.close(),
  };
}

/**
 * The sandbox's four emulated platforms (Wiz, Prisma Cloud, Orca, Lacework) in-process: their sources,
 * the estate's clock, and its accounts' environments (so `environment` is sent to the platforms).
 */
export async function sandboxPlatforms(options: { seed?: number; size: number }) {
  const [{ startSandbox }, { wiz }, { prisma }, { orca }, { lacework }, { estateAccountEnvironments }] =
    await Promise.all([
      import("../testing/sandbox/server.js"),
      import("../adapters/wiz/index.js"),
      import("../adapters/prisma/index.js"),
      import("../adapters/orca/index.js"),
      import("../adapters/lacework/index.js"),
      import("../testing/estate.js"),
    ]);
  const sandbox = await startSandbox(options);
  return {
    sandbox,
    sources: [
      wiz({ ...sandbox.wiz, rateLimit: false }),
      prisma({ ...sandbox.prisma, rateLimit: false }),
      orca({ ...sandbox.orca, rateLimit: false }),
      lacework({ ...sandbox.lacework, rateLimit: false }),
    ],
    now: () => new Date(sandbox.estate.now),
    accountEnvironments: estateAccountEnvironments(sandbox.estate),
  };
}

/** The options a posture target gives `runQuery`, `plan` and `ask`. */
export function postureOptions(target: PostureTarget) {
  return {
    sources: target.sources,
    store: target.store,
    ...(target.now ? { now: target.now } : {}),
    ...(target.accountEnvironments ? { accountEnvironments: target.accountEnvironments } : {}),
  };
}

/** Prints a cited answer: the summary, the citations, the query and the native calls. */
export function printAnswer(out: CliOutput, answer: Answer): void {
  if (answer.kind === "clarify") {
    out.line(`Which do you mean? ${answer.summary}`);
    if (answer.choices?.length)
      out.line(`  e.g. ${answer.choices.map((choice) => `"${choice}"`).join(", ")}`);
    return;
  }
  if (answer.kind === "unanswerable") {
    out.line(`Cannot answer: ${answer.summary}`);
    return;
  }
  out.line(answer.summary);
  if (answer.citations.length > 0) {
    out.line();
    out.line("Citations:");
    for (const citation of answer.citations)
      out.line(
        `  [${citation.severity}] ${citation.id}  ${citation.title}${citation.resource ? ` — ${citation.resource}` : ""}${citation.consoleUrl ? `\n      ${citation.consoleUrl}` : ""}`,
      );
  }
  for (const gap of answer.gaps ?? []) {
    out.line();
    out.line(`${gap.framework} ${gap.requirement} — ${gap.title}: ${gap.resourceCount} failing resource(s)`);
    for (const explanation of gap.explanations.slice(0, 3))
      out.line(
        `  ${explanation.title} (${explanation.findings}): ${explanation.risk}${explanation.remediation[0] ? ` Fix: ${explanation.remediation[0]}` : ""}`,
      );
  }
  out.line();
  out.line(`Query: ${JSON.stringify(answer.query)}`);
  if (answer.result) printPlan(out, answer.result.plan, answer.result);
}

/** Prints, per platform, what ran server-side, the native request and what ran client-side. */
export function printPlan(out: CliOutput, plan: QueryPlan, result?: QueryResult): void {
  if (plan.storeNamespace) out.line(`Answered from the Store (namespace ${plan.storeNamespace}).`);
  for (const platform of plan.platforms) {
    const read = result?.reads.find((item) => item.platform === platform.platform);
    if (platform.skipped) {
      out.line(`${platform.platform}: not asked (platform filter)`);
      continue;
    }
    out.line(
      `${platform.platform}: server-side ${platform.serverSide.join(", ") || "(nothing)"}; client-side ${platform.clientSide.join(", ") || "(nothing)"}${read ? `; received ${read.received}, matched ${read.matched}${read.error ? `; FAILED: ${read.error}` : ""}` : ""}`,
    );
    for (const request of platform.requests) {
      const { query, ...rest } = request.body as { query?: unknown };
      out.line(`  ${request.method} ${request.path}  (${request.note})`);
      out.line(`    ${JSON.stringify(typeof query === "string" ? rest : request.body)}`);
    }
  }
  for (const warning of result?.warnings.filter((item) => !item.includes("evaluated client-side")) ?? [])
    out.note(`warning: ${warning}`);
}
