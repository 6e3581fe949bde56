import { prisma } from "../../../src/adapters/prisma/index.js";
import { testFindingSource } from "../../../src/testing/source-suite.js";

// Write-back is off in the suite: it sets `in_progress`, a state Prisma Cloud alerts do not have
// (setStatus refuses it). Dismiss, snooze and reopen are tested in prisma.test.ts.
testFindingSource({
  platform: "prisma",
  create: (context) => prisma({ ...context, rateLimit: false }),
  capabilities: { resume: true, writeBack: false },
});
