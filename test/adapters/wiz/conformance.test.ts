import { wiz } from "../../../src/adapters/wiz/index.js";
import { testFindingSource } from "../../../src/testing/vitest/source-suite.js";

testFindingSource({
  platform: "wiz",
  create: (context) => wiz({ ...context, rateLimit: false }),
  capabilities: {
    writeQuery: {
      query:
        '# harmless?\nfragment F on Issue { id }\nmutation { updateIssue(input: { id: "x", patch: { status: OPEN } }) { issue { ...F } } }',
    },
  },
});
