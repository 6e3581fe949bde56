/**
 * LLM layer benchmarks: a second identical run through `cachedModel` makes zero model calls, and
 * the layer's own overhead per `generateObject` call (fencing, redaction, JSON Schema, validation),
 * measured with the scripted model and with the OpenAI provider over an in-process fetch (no network).
 */
import { z } from "zod";
import { memoryStore } from "../src/core/memory-store.js";
import { cachedModel } from "../src/llm/cache.js";
import { generateObject } from "../src/llm/generate-object.js";
import type { LanguageModel } from "../src/llm/language-model.js";
import { openai } from "../src/llm/openai/index.js";
import { definePrompt, untrustedBlock } from "../src/llm/prompt.js";
import { scriptedModel } from "../src/testing/scripted-model.js";
import { type Benchmark, type BenchResult, measure } from "./harness.js";

const explanationSchema = z.object({
  summary: z.string(),
  risk: z.enum(["low", "medium", "high", "critical"]),
  whyItMatters: z.string(),
  steps: z.array(z.string()).max(5),
  snippet: z.string().optional(),
});
const answer = {
  summary: "Anyone on the internet can read this bucket.",
  risk: "high",
  whyItMatters: "It is tagged as holding PII in production.",
  steps: ["Turn on Block Public Access", "Remove the public-read ACL"],
};
const explainPrompt = definePrompt({
  name: "explain",
  version: 1,
  system: "You explain cloud security findings to resource owners, in plain words.",
  render: (finding: Record<string, unknown>) =>
    `Explain this finding:\n${untrustedBlock("finding", finding)}`,
});

const benchmark: Benchmark = {
  name: "llm",
  async run() {
    return [...(await cacheRuns()), ...(await overhead())];
  },
};
export default benchmark;

function finding(index: number): Record<string, unknown> {
  return {
    id: `wiz:issue-${index}`,
    title: `S3 bucket acme-data-${index} allows public read`,
    description: `The bucket policy grants s3:GetObject to "*". ${"Context sentence. ".repeat(40)}`,
    severity: "high",
    resource: {
      id: `arn:aws:s3:::acme-data-${index}`,
      type: "aws.s3.bucket",
      region: "eu-west-1",
      tags: {
        owner: "team-data@example.com",
        env: "prod",
        classification: "pii",
        note: "key AKIAIOSFODNN7EXAMPLE",
      },
    },
    rule: { id: "s3-public-read", controls: [{ framework: "PCI DSS", control: "3.4" }] },
  };
}

async function explainAll(model: LanguageModel, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await generateObject(model, {
      schema: explanationSchema,
      schemaName: "explanation",
      ...explainPrompt.build(finding(index)),
    });
  }
}

async function cacheRuns(): Promise<BenchResult[]> {
  const count = 500;
  const inner = scriptedModel({ defaultObject: answer });
  const model = cachedModel(inner, memoryStore());
  await explainAll(model, count);
  const firstCalls = inner.calls;
  await explainAll(model, count);
  const secondCalls = inner.calls - firstCalls;
  return [
    {
      benchmark: "llm",
      metric: `model calls, first run (${count} findings)`,
      value: firstCalls,
      unit: "calls",
    },
    {
      benchmark: "llm",
      metric: `model calls, identical second run with cachedModel (${count} findings)`,
      value: secondCalls,
      unit: "calls",
      target: "= 0",
      pass: secondCalls === 0,
    },
  ];
}

async function overhead(): Promise<BenchResult[]> {
  const calls = 3000;
  const scripted = scriptedModel({ defaultObject: answer });
  const body = JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion",
    choices: [
      {
        index: 0,
        finish_reason: "stop",
        message: { role: "assistant", content: JSON.stringify(answer), refusal: null },
      },
    ],
    usage: { prompt_tokens: 700, completion_tokens: 80, total_tokens: 780 },
  });
  const provider = openai({
    model: "gpt-4.1-mini",
    apiKey: "sk-bench",
    fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }),
  });
  await explainAll(scripted, 300); // warm up
  await explainAll(provider, 300);
  const scriptedMs = (await measure(() => explainAll(scripted, calls))) / calls;
  const providerMs = (await measure(() => explainAll(provider, calls))) / calls;
  return [
    {
      benchmark: "llm",
      metric:
        "overhead per generateObject call (definePrompt + untrustedBlock + redact + schema + validation; scripted model)",
      value: round(scriptedMs),
      unit: "ms",
      target: "< 1",
      pass: scriptedMs < 1,
    },
    {
      benchmark: "llm",
      metric: "overhead per call through the openai provider and HTTP client (in-process fetch, no network)",
      value: round(providerMs),
      unit: "ms",
      notes: "informative: adds request building, ky and response mapping",
    },
  ];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
