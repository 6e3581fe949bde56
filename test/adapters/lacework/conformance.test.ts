import { vi } from "vitest";
import { lacework } from "../../../src/adapters/lacework/index.js";
import { testFindingSource } from "../../../src/testing/vitest/source-suite.js";

// A run costs one search per 7-day window (13 for 90 days) plus one details request per alert, so under
// the suite's 429 storm (2 requests/s) it takes longer than the default timeout; the estate is small too.
vi.setConfig({ testTimeout: 120_000 });

// Lacework can only close an alert (no in-progress or reopen call), and a closed alert does not carry its
// close reason, so both the closed alert and the one behind an exception read back as `resolved`.
testFindingSource({
  platform: "lacework",
  size: 14,
  create: (context) => lacework({ ...context, rateLimit: false }),
  capabilities: {
    writeBack: { status: "resolved", exceptionStatuses: ["resolved"] },
    writeQuery: {
      query: "{ source { LW_CFG_AWS r } return { r.ARN } }",
      variables: { saveAs: "cloudsteward_arns" },
    },
  },
});
