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
});
