import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromCsv } from "../../../src/agents/enrich/from-csv.js";
import { parseCsv } from "../../../src/agents/enrich/parse-csv.js";
import { ConfigurationError } from "../../../src/core/errors.js";
import { makeCase, makeFinding } from "../../../src/testing/factories.js";

describe("parseCsv", () => {
  it("parses quoted commas, doubled quotes and line breaks inside quotes", () => {
    expect(parseCsv('id,owner,notes\n"arn:aws:s3:::a,b","Smith, Jane","said ""hi""\nthen left"\n')).toEqual([
      ["id", "owner", "notes"],
      ["arn:aws:s3:::a,b", "Smith, Jane", 'said "hi"\nthen left'],
    ]);
  });

  it("handles CRLF and CR line endings, a BOM, blank lines, empty fields and a missing final newline", () => {
    expect(parseCsv("\uFEFFa,b\r\n\r\n1,\r\n,2\r3,4")).toEqual([
      ["a", "b"],
      ["1", ""],
      ["", "2"],
      ["3", "4"],
    ]);
    expect(parseCsv('a,""\n')).toEqual([["a", ""]]);
    expect(parseCsv("")).toEqual([]);
  });

  it("supports another delimiter", () => {
    expect(parseCsv('a;"b;c"\n', { delimiter: ";" })).toEqual([["a", "b;c"]]);
  });

  it("rejects an unterminated quote and text after a closing quote, naming the line", () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n"x"y,2')).toThrow(/line 2: unexpected text after a closing quote/);
    expect(() => parseCsv('"x"y')).toThrow(ConfigurationError);
  });

  it("keeps a quote in the middle of an unquoted field as text", () => {
    expect(parseCsv('5" disk,b')).toEqual([['5" disk', "b"]]);
  });
});

describe("fromCsv", () => {
  const lookup = (provider: ReturnType<typeof fromCsv>, resource: { id: string; name: string }) => {
    const finding = makeFinding({ resource });
    return provider.lookup({
      resource: finding.resource,
      findings: [finding],
      case: makeCase({ findings: [finding] }),
      signal: new AbortController().signal,
    });
  };

  it("matches rows by id, then by name (case-insensitively), with flexible column names", async () => {
    const csv = [
      "Resource ID,Name,Owned By,Support Group,Used For,Busines Criticality,Data Classification",
      '"arn:aws:s3:::acme-logs",acme-logs,"Doe, Jane",SRE,Production,1 - most critical,Restricted',
      ",web-1,bob,Web,dev,3 - less critical,",
    ].join("\n");
    const provider = fromCsv(csv);
    expect(await lookup(provider, { id: "arn:aws:s3:::acme-logs", name: "other" })).toEqual({
      owner: "Doe, Jane",
      team: "SRE",
      environment: "Production",
      criticality: "1 - most critical",
      dataClassification: "Restricted",
    });
    expect(await lookup(provider, { id: "i-0123456789abcdef0", name: "WEB-1" })).toMatchObject({
      owner: "bob",
    });
    expect(await lookup(provider, { id: "arn:aws:s3:::unknown", name: "unknown" })).toBeUndefined();
  });

  it("reads a file path once", async () => {
    const directory = await mkdtemp(join(tmpdir(), "cloudsteward-csv-"));
    const path = join(directory, "cmdb.csv");
    await writeFile(path, "name,owner\nacme-logs,payments\n");
    const provider = fromCsv(path, { columns: { owner: ["owner"] } });
    expect(await lookup(provider, { id: "x", name: "acme-logs" })).toEqual({ owner: "payments" });
    await writeFile(path, "name,owner\nacme-logs,changed\n");
    expect(await lookup(provider, { id: "x", name: "acme-logs" })).toEqual({ owner: "payments" });
    await expect(lookup(fromCsv(join(directory, "missing.csv")), { id: "x", name: "y" })).rejects.toThrow(
      /cannot read .*missing\.csv/,
    );
  });

  it("refuses a header without an id or name column", async () => {
    await expect(lookup(fromCsv("owner,team\na,b\n"), { id: "x", name: "y" })).rejects.toThrow(
      /no resource id or name column/,
    );
  });
});
