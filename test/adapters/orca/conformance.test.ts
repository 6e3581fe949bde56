import { orca } from "../../../src/adapters/orca/index.js";
import { testFindingSource } from "../../../src/testing/vitest/source-suite.js";

testFindingSource({
  platform: "orca",
  create: (context) => orca({ ...context, rateLimit: false }),
  capabilities: {
    // Orca API tokens are static: there is no exchange or expiry to exercise mid-run.
    tokenExpiry: false,
    writeQuery: {
      query: JSON.stringify({ name: "cloudsteward probe", rule: "AwsS3Bucket", category: "Best practices" }),
    },
  },
});
