import { z } from "zod";
import { InvalidResponseError, toErrorIssues } from "../../core/errors.js";
import type { Warning } from "../../core/report.js";
import type { CompliancePostureRequest, PlatformRequirementPosture } from "../../core/source.js";
import type { PrismaClient } from "./client.js";

const standardsSchema = z.array(z.object({ id: z.string(), name: z.string() }));

const countsSchema = {
  passedResources: z.number().default(0),
  failedResources: z.number().default(0),
  totalResources: z.number().default(0),
};

const postureSchema = z.object({
  complianceDetails: z
    .array(z.object({ name: z.string(), description: z.string().optional(), ...countsSchema }))
    .default([]),
  requirementSummaries: z
    .array(
      z.object({
        name: z.string(),
        sectionSummaries: z.array(z.object({ name: z.string(), ...countsSchema })).default([]),
      }),
    )
    .default([]),
  requestedTimestamp: z.number().optional(),
});

/**
 * Prisma Cloud's own compliance posture of the standards named: `GET /compliance` lists the
 * standards, then `POST /v2/compliance/posture/{complianceId}` gives per requirement (and, where it
 * sends them, per section) the passed, failed and total resources.
 */
export async function readCompliancePosture(
  client: PrismaClient,
  request: CompliancePostureRequest,
  warn: (warning: Warning) => void,
  signal: AbortSignal | undefined,
): Promise<PlatformRequirementPosture[]> {
  const listed = await client.request<unknown>("GET", "/compliance", { signal, idempotent: true });
  const standards = parsed(standardsSchema, listed.data, "GET /compliance");
  const rows: PlatformRequirementPosture[] = [];
  for (const name of request.frameworks) {
    const standard = standards.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!standard) {
      warn({
        type: "unsupported",
        source: "prisma",
        feature: "compliancePosture.frameworks",
        message: `prisma: no compliance standard named "${name}"`,
      });
      continue;
    }
    const response = await client.request<unknown>(
      "POST",
      `/v2/compliance/posture/${encodeURIComponent(standard.id)}`,
      { json: { filters: [] }, signal, idempotent: true },
    );
    const posture = parsed(postureSchema, response.data, "POST /v2/compliance/posture");
    const at =
      posture.requestedTimestamp === undefined
        ? undefined
        : new Date(posture.requestedTimestamp).toISOString();
    const row = (
      requirement: string,
      level: PlatformRequirementPosture["level"],
      counts: { passedResources: number; failedResources: number; totalResources: number },
      title?: string,
    ): PlatformRequirementPosture => ({
      platform: "prisma",
      framework: standard.name,
      requirement,
      level,
      ...(title ? { title } : {}),
      passed: counts.passedResources,
      failed: counts.failedResources,
      total: counts.totalResources,
      ...(at ? { at } : {}),
    });
    for (const detail of posture.complianceDetails)
      rows.push(row(detail.name, "requirement", detail, detail.description));
    for (const summary of posture.requirementSummaries)
      for (const section of summary.sectionSummaries) rows.push(row(section.name, "section", section));
  }
  return rows;
}

function parsed<T>(schema: z.ZodType<T>, data: unknown, route: string): T {
  const result = schema.safeParse(data);
  if (!result.success)
    throw new InvalidResponseError(`prisma: ${route} answered in an unexpected shape`, {
      integration: "prisma",
      issues: toErrorIssues(result.error.issues),
    });
  return result.data;
}
