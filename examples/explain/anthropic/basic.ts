/**
 * Explain the top findings for their owners with a Claude model.
 * Env: ANTHROPIC_API_KEY (without it the knowledge base explains); WIZ_* for a real tenant, else the sandbox.
 * Run: npx tsx examples/explain/anthropic/basic.ts
 */
import { anthropic } from "../../../src/llm/anthropic/index.js";
import { run } from "../../run.js";
import { explainTopCases } from "../explain-top-cases.js";

await run(async (context) => {
  const model = context.env.ANTHROPIC_API_KEY
    ? anthropic({ model: context.env.ANTHROPIC_MODEL ?? "claude-haiku-4-5" })
    : undefined;
  await explainTopCases(context, model);
});
