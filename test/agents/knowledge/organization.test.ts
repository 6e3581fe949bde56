import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeException, requestException } from "../../../src/agents/exceptions/index.js";
import { explain } from "../../../src/agents/explain/explain.js";
import { organizationKnowledge, splitByHeading } from "../../../src/agents/knowledge/organization.js";
import type { Case } from "../../../src/core/case.js";
import { ConfigurationError } from "../../../src/core/errors.js";
import { memoryStore } from "../../../src/core/memory-store.js";
import { createStageContext } from "../../../src/core/stage.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";
import { scriptedModel } from "../../../src/testing/scripted-model.js";

const runbooks = fileURLToPath(new URL("../../__fixtures__/runbooks", import.meta.url));

const sshRule = {
  id: "sg-ssh-open",
  name: "Security group allows SSH (port 22) from 0.0.0.0/0",
  controls: [],
};
const sshResource = {
  id: "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc",
  type: "aws.ec2.security-group",
  nativeType: "SecurityGroup",
  name: "vendor-sg",
};

describe("splitByHeading", () => {
  it("splits by heading with the heading trail, and ignores lines in code fences", () => {
    expect(
      splitByHeading(
        "intro\n# Standard\nowner\n## Bastion\n```bash\n# not a heading\n```\n### Verify\nrun it\n## Other\n",
      ),
    ).toEqual([
      { heading: "", text: "intro" },
      { heading: "Standard", text: "owner" },
      { heading: "Standard › Bastion", text: "```bash\n# not a heading\n```" },
      { heading: "Standard › Bastion › Verify", text: "run it" },
    ]);
  });
});

describe("organizationKnowledge", () => {
  it("indexes a folder of Markdown by heading and finds the passages for a query, offline", async () => {
    const knowledge = await organizationKnowledge({ directory: runbooks });
    expect(knowledge.mode).toBe("fulltext");
    // ssh-access.md 4 sections, public-buckets.md 3, encryption.md 2; empty.md none.
    expect(knowledge.size).toBe(9);
    const ssh = await knowledge.search(
      "SSH open to the internet Security group allows SSH (port 22) from 0.0.0.0/0",
    );
    expect(ssh.map((match) => `${match.path} § ${match.heading}`)).toEqual([
      "network/ssh-access.md § SSH access standard › Bastion hosts",
      "network/ssh-access.md § SSH access standard › Exceptions for vendor appliances",
    ]);
    expect(ssh[0]?.text).toContain("only through the bastion hosts");
    expect((await knowledge.search("key rotation"))[0]?.heading).toBe("Encryption standard › Key rotation");
    expect(await knowledge.search("Kubernetes pod privileged")).toEqual([]);
    expect(await knowledge.search("the and of")).toEqual([]);
  });

  it("adds vector search when the model embeds, and falls back to full-text when embedding fails", async () => {
    // A toy embedding: how often each of four topics is mentioned.
    const topics = [
      /ssh|bastion/gi,
      /bucket|public/gi,
      /encrypt|key/gi,
      /appliance|vendor|maintenance box/gi,
    ];
    const model = scriptedModel({
      embed: (value) => topics.map((topic) => (value.match(topic) ?? []).length + 0.01),
    });
    const knowledge = await organizationKnowledge({ directory: runbooks, model });
    expect(knowledge.mode).toBe("hybrid");
    // No word of this query is in the runbooks: only the vectors find the passage.
    expect(
      await (await organizationKnowledge({ directory: runbooks })).search("remote maintenance box"),
    ).toEqual([]);
    const [best] = await knowledge.search("remote maintenance box");
    expect(best?.heading).toBe("SSH access standard › Exceptions for vendor appliances");

    const failing = scriptedModel({
      embed: () => {
        throw new Error("embeddings down");
      },
    });
    const fallback = await organizationKnowledge({
      documents: [{ path: "a.md", text: "# A\nSSH" }],
      model: failing,
    });
    expect(fallback.mode).toBe("fulltext");
    expect(fallback.warnings[0]).toContain("could not embed the passages (embeddings down)");
    expect((await fallback.search("ssh"))[0]?.path).toBe("a.md");
  });

  it("refuses a missing folder with a ConfigurationError naming it", async () => {
    await expect(organizationKnowledge({ directory: `${runbooks}/nope` })).rejects.toThrow(
      ConfigurationError,
    );
    await expect(organizationKnowledge({})).rejects.toMatchObject({ option: "directory" });
  });

  it("is cited by file and heading in an exception analysis", async () => {
    const store = memoryStore();
    const now = new Date("2026-03-01T00:00:00Z");
    const policy = { principals: [{ id: "alice" }, { id: "bob", scopes: ["approve:exception"] }] };
    const finding = makeFinding({ severity: "high", rule: sshRule, resource: sshResource });
    const record = await requestException(
      {
        kind: "exception",
        findings: [finding],
        scope: "resource",
        requester: "alice",
        justification: "The vendor appliance needs SSH from the vendor's support range",
        requestedUntil: "2026-03-20T00:00:00Z",
      },
      { store, policy, now: () => now },
    );
    const organization = await organizationKnowledge({ directory: runbooks });
    const analysis = await analyzeException(
      { ...record },
      { store, policy, organization, now: () => now, sources: [] },
    );
    // No source could read the finding, so nothing to search with: the request did not carry it.
    expect(analysis.passages).toEqual([]);

    const carried = await analyzeException(
      {
        kind: "exception",
        findings: [finding],
        scope: "resource",
        requester: "alice",
        justification: "The vendor appliance needs SSH from the vendor's support range",
        requestedUntil: "2026-03-20T00:00:00Z",
      },
      { store, policy, organization, now: () => now },
    );
    expect(carried.passages.map((passage) => passage.heading)).toContain(
      "SSH access standard › Exceptions for vendor appliances",
    );
    const fact = carried.facts.find((entry) => entry.source.startsWith("runbook:network/ssh-access.md#"));
    expect(fact?.text).toContain("The organization's network/ssh-access.md § SSH access standard › ");
    const sentence = carried.memo.sentences.find((entry) =>
      entry.text.startsWith("The organization's own guidance"),
    );
    expect(sentence?.text).toContain(
      "network/ssh-access.md § SSH access standard › Exceptions for vendor appliances",
    );
    expect(sentence?.cites).toContain(fact?.id);
  });

  it("is cited by file and heading in explanations, searched once per archetype and rule", async () => {
    const organization = await organizationKnowledge({ directory: runbooks });
    let searches = 0;
    const counting = {
      ...organization,
      search: (query: string, options?: { limit?: number; signal?: AbortSignal }) => {
        searches++;
        return organization.search(query, options);
      },
    };
    const cases: Case[] = [1, 2].map((index) =>
      makeCase({
        findings: [
          makeFinding({ rule: sshRule, resource: { ...sshResource, id: `${sshResource.id}${index}` } }),
        ],
      }),
    );
    const context = createStageContext();
    const out: Case[] = [];
    async function* input() {
      yield* cases;
    }
    for await (const item of explain({ organizationKnowledge: counting }).run(input(), context))
      out.push(item);
    expect(searches).toBe(1);
    for (const item of out) {
      expect(item.explanation?.references).toEqual([
        { path: "network/ssh-access.md", heading: "SSH access standard › Bastion hosts" },
        { path: "network/ssh-access.md", heading: "SSH access standard › Exceptions for vendor appliances" },
      ]);
    }
    // Without organization knowledge, explanations carry no references.
    const plain: Case[] = [];
    for await (const item of explain().run(input(), createStageContext())) plain.push(item);
    expect(plain[0]?.explanation?.references).toBeUndefined();
  });
});
