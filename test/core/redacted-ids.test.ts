import { describe, expect, it } from "vitest";
import { redact } from "../../src/core/redact.js";
import { redactIds } from "../../src/core/redacted-ids.js";

describe("redactIds", () => {
  const secret = "AKIAIOSFODNN7EXAMPLE";

  it("masks a list as redact does, whether it was seen before or not", () => {
    const clean = ["wiz:5d0c2f54-0b57-4a34-9a3c-1f0d0f6b7f3e", "wiz:2", "orca:9"];
    const withSecret = [...clean.slice(0, 2), `wiz:token=${secret}`];
    // Equal strings built afresh, as stages rebuild a case's ids, and lists sharing a first id.
    const lists = [clean, [...clean], withSecret, clean.slice(0, 2), [...withSecret], clean, []];
    for (const ids of lists) {
      const copy = ids.map((id) => ` ${id}`.slice(1));
      expect(redactIds(copy)).toEqual(redact({ findingIds: copy }).findingIds);
    }
    expect(redactIds(withSecret)[2]).toBe("wiz:token=[REDACTED:aws_access_key_id]");
  });

  it("returns a fresh array each time, and masks a list changed after it was seen as changed", () => {
    const ids = ["wiz:remembered-1", "wiz:remembered-2"];
    const first = redactIds(ids);
    first.push("changed by the caller");
    expect(redactIds(ids)).toEqual(ids);
    ids[1] = `wiz:password=${secret}`;
    expect(redactIds(ids)).toEqual(redact({ findingIds: ids }).findingIds);
    expect(JSON.stringify(redactIds(ids))).not.toContain(secret);
  });

  it("masks a new list made of ids seen in other lists as redact does", () => {
    // The ingestion records list ids a hundred at a time; a case's list mixes them in another order.
    const batches = [
      ["wiz:3b1f6c1e-9d2a-4f3b-8e59-0c1d2e3f4a5b", "wiz:8c7d6e5f-4a3b-4c2d-9e1f-0a1b2c3d4e5f"],
      ["wiz:0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", `wiz:key=${secret}`],
    ];
    for (const batch of batches) redactIds(batch);
    const mixed = [batches[1]![0]!, batches[0]![1]!, `wiz:key=${secret}`, batches[0]![0]!, "wiz:unseen"];
    expect(redactIds(mixed)).toEqual(redact({ findingIds: mixed }).findingIds);
    expect(JSON.stringify(redactIds(mixed))).not.toContain(secret);
  });
});
