import { sha256Hex } from "../../core/fingerprint.js";
import type { Estate, EstateFinding, EstateRule } from "../estate.js";
import { jsonResponse } from "./faults.js";

/** What the compliance routes need from the Prisma emulation: its alerts, their rules and whether each is open now. */
export interface PrismaComplianceContext {
  estate: Estate;
  alerts: readonly EstateFinding[];
  ruleOf(finding: EstateFinding): EstateRule;
  isOpen(finding: EstateFinding): boolean;
}

/**
 * Prisma Cloud's compliance posture over the estate: `GET /compliance` lists one standard per
 * framework its rules name, and `POST /v2/compliance/posture/{complianceId}` gives per requirement
 * the resources of the rule's types (total), those with an open alert (failed) and the rest (passed),
 * with failed resources by severity, in the shape of the real API. `undefined` when the path is not one
 * of these routes.
 */
export function prismaComplianceRoute(
  request: Request,
  path: string,
  context: PrismaComplianceContext,
): Response | Promise<Response> | undefined {
  if (path === "/compliance") {
    if (request.method !== "GET") return jsonResponse(405, { message: "method_not_allowed" });
    return jsonResponse(200, standardsOf(context.estate));
  }
  const id = /^\/v2\/compliance\/posture\/([^/]+)$/.exec(path)?.[1];
  if (id === undefined) return undefined;
  if (request.method !== "POST" && request.method !== "GET")
    return jsonResponse(405, { message: "method_not_allowed" });
  const standard = standardsOf(context.estate).find((candidate) => candidate.id === decodeURIComponent(id));
  if (!standard) return jsonResponse(404, { message: "compliance_standard_not_found" });
  return jsonResponse(200, postureOf(standard.name, context));
}

// Internal helpers.

function standardsOf(estate: Estate) {
  const names = [
    ...new Set(estate.rules.flatMap((rule) => rule.controls.map((control) => control.framework))),
  ];
  return names.sort().map((name) => ({
    id: uuidOf(name),
    name,
    description: `${name} (sandbox)`,
    cloudType: [],
    systemDefault: true,
    policiesAssignedCount: estate.rules.filter((rule) =>
      rule.controls.some((control) => control.framework === name),
    ).length,
  }));
}

function postureOf(framework: string, context: PrismaComplianceContext) {
  const { estate } = context;
  const requirements = new Map<string, EstateRule[]>();
  for (const rule of estate.rules)
    for (const control of rule.controls)
      if (control.framework === framework)
        requirements.set(control.control, [...(requirements.get(control.control) ?? []), rule]);
  const failedBy = new Map<string, Map<string, string>>();
  for (const finding of context.alerts) {
    if (!context.isOpen(finding)) continue;
    for (const control of context.ruleOf(finding).controls) {
      if (control.framework !== framework) continue;
      const failed = failedBy.get(control.control) ?? new Map<string, string>();
      failed.set(finding.resourceId, finding.severity);
      failedBy.set(control.control, failed);
    }
  }
  const details = [...requirements].map(([requirement, rules]) => {
    const types = new Set(rules.flatMap((rule) => rule.resourceTypes));
    const failed = failedBy.get(requirement) ?? new Map<string, string>();
    const total = Math.max(
      failed.size,
      estate.resources.filter((resource) => types.has(resource.type)).length,
    );
    const bySeverity = (severity: string) =>
      [...failed.values()].filter((value) => value === severity).length;
    return {
      id: uuidOf(`${framework}/${requirement}`),
      name: requirement,
      description: rules[0]!.title,
      assignedPolicies: rules.length,
      default: true,
      totalResources: total,
      passedResources: total - failed.size,
      failedResources: failed.size,
      criticalSeverityFailedResources: bySeverity("critical"),
      highSeverityFailedResources: bySeverity("high"),
      mediumSeverityFailedResources: bySeverity("medium"),
      lowSeverityFailedResources: bySeverity("low"),
      informationalSeverityFailedResources: bySeverity("info"),
    };
  });
  const sum = (key: "totalResources" | "passedResources" | "failedResources") =>
    details.reduce((total, detail) => total + detail[key], 0);
  const now = Date.parse(estate.now);
  return {
    summary: {
      id: uuidOf(framework),
      name: framework,
      totalResources: sum("totalResources"),
      passedResources: sum("passedResources"),
      failedResources: sum("failedResources"),
      timestamp: now,
    },
    complianceDetails: details,
    requirementSummaries: [],
    requestedTimestamp: now,
  };
}

function uuidOf(name: string): string {
  const hex = sha256Hex(`prisma-compliance:${name}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
