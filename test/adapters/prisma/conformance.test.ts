import { prisma } from "../../../src/adapters/prisma/index.js";
import { testFindingSource } from "../../../src/testing/vitest/source-suite.js";

// Prisma Cloud alerts have no `in_progress`: the suite dismisses (`suppressed`) instead, and an
// exception is a snooze with an end date (`risk_accepted`). Reopen is tested in prisma.test.ts.
testFindingSource({
  platform: "prisma",
  create: (context) => prisma({ ...context, rateLimit: false }),
  capabilities: { writeBack: { status: "suppressed", exceptionStatuses: ["risk_accepted"] } },
});
