import { describe, expect, it } from "vitest";
import { fromTags } from "../../../src/agents/enrich/from-tags.js";
import { environmentInName, normalizeEnvironment } from "../../../src/agents/enrich/normalize.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

describe("environment words in names", () => {
  it.each([
    ["dev", "development"],
    ["deve", "development"],
    ["devel", "development"],
    ["develop", "development"],
    ["development", "development"],
    ["sandbox", "development"],
    ["stg", "staging"],
    ["stag", "staging"],
    ["stage", "staging"],
    ["staging", "staging"],
    ["uat", "staging"],
    ["qa", "test"],
    ["test", "test"],
    ["prod", "production"],
    ["prd", "production"],
    ["production", "production"],
  ] as const)("reads %s as %s, as a tag value and as a word of a name", (word, environment) => {
    expect(normalizeEnvironment(word)).toBe(environment);
    expect(environmentInName(`payments-api-${word}`)).toBe(environment);
    expect(environmentInName(`${word}_payments_db`)).toBe(environment);
  });

  it("splits camelCase and drops a word's trailing digits", () => {
    expect(environmentInName("checkoutProd01")).toBe("production");
    expect(environmentInName("ledger-dev2-queue")).toBe("development");
    expect(environmentInName("web.uat1.example")).toBe("staging");
  });

  it("leaves a name with no environment word, or several, unknown", () => {
    expect(environmentInName("payments-api")).toBeUndefined();
    expect(environmentInName("developer-portal")).toBeUndefined();
    expect(environmentInName("products-db")).toBeUndefined();
    expect(environmentInName("dev-to-prod-migration")).toBeUndefined();
  });
});

describe("fromTags reads the environment from the resource name when no tag names it", () => {
  const provider = fromTags();
  const lookup = async (name: string, tags: Record<string, string>) => {
    const finding = makeFinding({});
    const resource = { ...finding.resource, name, tags };
    const found = await provider.lookup({
      resource,
      findings: [finding],
      case: makeCase({ findings: [finding] }),
      signal: new AbortController().signal,
    });
    return found?.environment;
  };

  it("labels the sandbox estate's *-deve, *-stag and *-prod resources by their names", async () => {
    expect(await lookup("payments-api-deve", {})).toEqual({
      value: "development",
      source: "resource-name",
    });
    expect(await lookup("ledger-queue-stag", {})).toEqual({ value: "staging", source: "resource-name" });
    expect(await lookup("checkout-db-prod", {})).toEqual({ value: "production", source: "resource-name" });
  });

  it("a tag, readable or not, outranks the name", async () => {
    expect(await lookup("payments-api-deve", { env: "prod" })).toEqual({
      value: "production",
      source: "tag:env",
    });
    expect(await lookup("payments-api-deve", { environment: "blue" })).toEqual({
      value: "blue",
      source: "tag:environment",
    });
  });
});
