/**
 * Explain the top findings for their owners with an OpenAI model.
 * Env: OPENAI_API_KEY (without it the knowledge base explains); WIZ_* for a real tenant, else the sandbox.
 * Run: npx tsx examples/explain/openai/basic.ts
 */
import { openai } from "../../../src/llm/openai/index.js";
import { run } from "../../run.js";
import { explainTopCases } from "../explain-top-cases.js";

await run(async (context) => {
  const model = context.env.OPENAI_API_KEY
    ? openai({ model: context.env.OPENAI_MODEL ?? "gpt-4.1-mini" })
    : undefined;
  await explainTopCases(context, model);
});
