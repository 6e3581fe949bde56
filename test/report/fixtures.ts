import type { Case, Finding } from "../../src/index.js";
import { makeCase as baseCase, makeFinding } from "../../src/testing/factories.js";

/** A case with one finding of the given severity, category, owner and first-seen date. */
export function makeCase(options: {
  id: string;
  severity: Finding["severity"];
  category: Finding["category"];
  owner: string;
  firstSeen: string;
  findings?: number;
}): Case {
  const findings = Array.from({ length: options.findings ?? 1 }, () =>
    makeFinding({ severity: options.severity, category: options.category, firstSeen: options.firstSeen }),
  );
  return baseCase({
    id: options.id,
    severity: options.severity,
    findings,
    context: { owner: { value: options.owner, source: "tag:owner" } },
    priority: {
      score: options.severity === "critical" ? 90 : options.severity === "high" ? 70 : 20,
      reasons: [],
    },
  });
}
