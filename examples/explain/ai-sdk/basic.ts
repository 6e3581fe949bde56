/**
 * Explain with any Vercel AI SDK model through the `aiSdk` bridge. In your code:
 *   import { openai } from "@ai-sdk/openai";            // npm install @ai-sdk/openai
 *   const model = aiSdk(openai("gpt-4.1-mini"));
 * This example has no provider package installed, so with no key it shows the bridge on the AI SDK's
 * own mock model (`ai/test`), which answers with a fixed explanation: no network, no cost.
 * Run: npx tsx examples/explain/ai-sdk/basic.ts
 */
import { MockLanguageModelV3 } from "ai/test";
import { aiSdk } from "../../../src/llm/ai-sdk/index.js";
import { run } from "../../run.js";
import { explainTopCases } from "../explain-top-cases.js";

await run(async (context) => {
  const answer = {
    headline: "{{resource.name}} breaks the rule {{rule.name}}",
    risk: "The resource is reachable or readable by more people than intended.",
    whyItMatters: "It weakens the controls the policy {{rule.name}} requires.",
    likelyIntent: "Probably a temporary change that was never reverted.",
    remediationSteps: ["Apply the remediation from the knowledge base to {{resource.name}}."],
  };
  const mock = new MockLanguageModelV3({
    provider: "mock",
    modelId: "scripted-explainer",
    doGenerate: async () => ({
      content: [{ type: "text", text: JSON.stringify(answer) }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: {
        inputTokens: { total: 400, noCache: 400, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 80, text: 80, reasoning: 0 },
      },
      warnings: [],
    }),
  });
  console.log(
    "Using the AI SDK's MockLanguageModelV3 through aiSdk() (swap in a real @ai-sdk provider model).",
  );
  await explainTopCases(context, aiSdk(mock));
});
