/**
 * Explain the top findings with a local model on Ollama (or vLLM, LM Studio: any OpenAI-compatible server).
 * Env: OLLAMA_HOST, e.g. http://localhost:11434 (without it the knowledge base explains).
 * Run: ollama pull llama3.1:8b && OLLAMA_HOST=http://localhost:11434 npx tsx examples/explain/ollama/basic.ts
 */
import { openaiCompatible } from "../../../src/llm/openai-compatible/index.js";
import { run } from "../../run.js";
import { explainTopCases } from "../explain-top-cases.js";

await run(async (context) => {
  const host = context.env.OLLAMA_HOST?.replace(/\/+$/, "");
  const model = host
    ? openaiCompatible({
        baseURL: `${host}/v1`,
        model: context.env.OLLAMA_MODEL ?? "llama3.1:8b",
        name: "ollama",
      })
    : undefined;
  await explainTopCases(context, model);
});
