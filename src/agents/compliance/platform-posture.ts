import type { PlatformRequirementPosture } from "../../core/source.js";
import { bundledFrameworkKeyOf, requirementKey } from "./mapping.js";
import type { AssessedRequirement, FrameworkAssessment, RequirementStatus } from "./posture.js";

/** How our status of a requirement compares with the platform's. */
export type PostureOutcome = "agree" | "disagree" | "only-ours" | "only-theirs";

/** One requirement, as we assess it and as the platform scores it. */
export interface RequirementComparison {
  /** Our requirement id, or the platform's name for it when our catalog has none. */
  requirement: string;
  title?: string;
  outcome: PostureOutcome;
  /** Our status, with the failing resources and exceptions behind it. */
  ours?: { status: RequirementStatus; failingResources: number; exceptions: string[] };
  /** The platform's counts and the status they give: `fail` when a resource fails, `pass` when some pass and none fail, else `not-assessed`. */
  theirs?: { requirement: string; status: RequirementStatus; passed: number; failed: number; total: number };
  /** Why the two differ, or why only one side has a status; for an agreement, a difference in counts. */
  reason?: string;
}

/** Our assessment of one framework next to one platform's posture of it. */
export interface PostureComparison {
  /** Our framework key (`soc2`). */
  framework: string;
  platform: string;
  /** The platform's name of the framework (`SOC 2`). */
  platformFramework: string;
  counts: Record<PostureOutcome, number>;
  /** Requirements that either side assesses; those neither assesses are left out. */
  requirements: RequirementComparison[];
}

/** What {@link comparePosture} found. */
export interface PostureComparisonResult {
  comparisons: PostureComparison[];
  /** Platform frameworks (`prisma: CIS v1.2.0 (AWS)`) that none of our assessments is. */
  unmatched: string[];
}

/**
 * Compares our assessments with a CNAPP's own compliance posture (`source.compliancePosture()`), per
 * requirement: `agree`, `disagree` (with the reason: the failing resources or exceptions on our side,
 * the platform's counts on the other), `only-ours` (the platform does not score it, or assessed no
 * resource against it), `only-theirs` (we have nothing that assesses it, or it is not a requirement of
 * our catalog). Frameworks are matched by name (`SOC 2` is `soc2`; a CIS benchmark of another version
 * is another framework), requirement ids loosely (`CC6.1` = `cc_6_1`).
 * @example
 * const theirs = await prismaSource.compliancePosture({ frameworks: ["SOC 2"] });
 * const { comparisons } = comparePosture(assessCompliance(findings, { mapper }), theirs);
 * for (const row of comparisons[0]!.requirements) if (row.outcome === "disagree") console.log(row.requirement, row.reason);
 */
export function comparePosture(
  ours: readonly FrameworkAssessment[],
  theirs: readonly PlatformRequirementPosture[],
): PostureComparisonResult {
  const groups = new Map<string, PlatformRequirementPosture[]>();
  for (const row of theirs) {
    const key = `${row.platform}\u0000${row.framework}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  const comparisons: PostureComparison[] = [];
  const unmatched: string[] = [];
  for (const rows of groups.values()) {
    const { platform, framework: platformFramework } = rows[0]!;
    const assessments = ours.filter((assessment) => sameFramework(assessment, platformFramework));
    if (assessments.length === 0) unmatched.push(`${platform}: ${platformFramework}`);
    for (const assessment of assessments)
      comparisons.push(compareFramework(assessment, platform, platformFramework, rows));
  }
  return { comparisons, unmatched };
}

// --- Internal helpers ---------------------------------------------------------------------------------

function sameFramework(assessment: FrameworkAssessment, name: string): boolean {
  return (
    name === assessment.framework ||
    name.toLowerCase() === assessment.name.toLowerCase() ||
    bundledFrameworkKeyOf(name) === assessment.framework
  );
}

function compareFramework(
  assessment: FrameworkAssessment,
  platform: string,
  platformFramework: string,
  rows: readonly PlatformRequirementPosture[],
): PostureComparison {
  // A section is finer than a requirement: where both name the same id, the section's counts win.
  const byKey = new Map<string, PlatformRequirementPosture>();
  for (const row of rows) {
    const key = requirementKey(leadingId(row.requirement));
    const earlier = byKey.get(key);
    if (!earlier || (earlier.level === "requirement" && row.level === "section")) byKey.set(key, row);
  }
  const requirements: RequirementComparison[] = [];
  const used = new Set<string>();
  for (const requirement of assessment.requirements) {
    const key = requirementKey(requirement.id);
    const row = byKey.get(key);
    if (row) used.add(key);
    const compared = compareRequirement(requirement, row, platform);
    if (compared) requirements.push(compared);
  }
  for (const [key, row] of byKey) {
    if (used.has(key)) continue;
    requirements.push({
      requirement: row.requirement,
      ...(row.title ? { title: row.title } : {}),
      outcome: "only-theirs",
      theirs: theirsOf(row),
      reason: `not a requirement of our ${assessment.name} catalog`,
    });
  }
  const counts: Record<PostureOutcome, number> = { agree: 0, disagree: 0, "only-ours": 0, "only-theirs": 0 };
  for (const requirement of requirements) counts[requirement.outcome]++;
  return { framework: assessment.framework, platform, platformFramework, counts, requirements };
}

function compareRequirement(
  requirement: AssessedRequirement,
  row: PlatformRequirementPosture | undefined,
  platform: string,
): RequirementComparison | undefined {
  const ours = {
    status: requirement.status,
    failingResources: requirement.failingResources.length,
    exceptions: requirement.exceptions,
  };
  const theirs = row && theirsOf(row);
  const base = { requirement: requirement.id, title: requirement.title };
  const oursAssessed = ours.status !== "not-assessed";
  const theirsAssessed = theirs !== undefined && theirs.status !== "not-assessed";
  if (!oursAssessed && !theirsAssessed) return undefined;
  if (!theirsAssessed)
    return {
      ...base,
      outcome: "only-ours",
      ours,
      ...(theirs ? { theirs } : {}),
      reason: theirs
        ? `${platform} assessed no resource against it`
        : `${platform} does not report this requirement`,
    };
  if (!oursAssessed)
    return {
      ...base,
      outcome: "only-theirs",
      ours,
      theirs,
      reason: `we mark it not assessed: no check, archetype or rule of our catalog assesses it, and no finding maps to it; ${platform} ${theirs.status === "fail" ? `fails ${theirs.failed}` : `passes ${theirs.passed}`} of ${resources(theirs.total)}`,
    };
  if (ours.status === theirs.status)
    return {
      ...base,
      outcome: "agree",
      ours,
      theirs,
      ...(ours.status === "fail" && ours.failingResources !== theirs.failed
        ? {
            reason: `both fail it; we count ${ours.failingResources} failing resources, ${platform} ${theirs.failed}`,
          }
        : {}),
    };
  const reason =
    ours.status === "fail"
      ? `we fail it on ${resources(ours.failingResources)} (${requirement.failingResources
          .slice(0, 3)
          .map((resource) => resource.id)
          .join(
            ", ",
          )}${ours.failingResources > 3 ? ", …" : ""}); ${platform} counts none failing of ${theirs.total}`
      : `${platform} fails it on ${theirs.failed} of ${resources(theirs.total)}; we pass it${
          ours.exceptions.length > 0
            ? ` with exceptions in force (${ours.exceptions.join(", ")})`
            : requirement.passing.length > 0
              ? ` (our ${requirement.passing.length} findings of it are resolved or excepted)`
              : " (no finding of ours maps to it)"
        }`;
  return { ...base, outcome: "disagree", ours, theirs, reason };
}

function theirsOf(row: PlatformRequirementPosture): NonNullable<RequirementComparison["theirs"]> {
  const status: RequirementStatus = row.failed > 0 ? "fail" : row.passed > 0 ? "pass" : "not-assessed";
  return { requirement: row.requirement, status, passed: row.passed, failed: row.failed, total: row.total };
}

function resources(count: number): string {
  return `${count} resource${count === 1 ? "" : "s"}`;
}

/** The id a platform's requirement name starts with (`CC6.1 Logical access` → `CC6.1`), else the whole name. */
function leadingId(name: string): string {
  return /^\S*\d\S*/.exec(name.trim())?.[0] ?? name;
}
