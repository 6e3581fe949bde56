import type { Category, Cloud, Finding, FindingStatus, Platform, Severity } from "./finding.js";
import { redact } from "./redact.js";

/** The OCSF schema version {@link toOcsf} writes. */
export const ocsfVersion = "1.3.0";

/** OCSF Findings category (`category_uid`). */
export const ocsfCategoryUid = 2;

/** OCSF class ids of the finding classes {@link toOcsf} writes. */
export const ocsfClassUid = {
  complianceFinding: 2003,
  vulnerabilityFinding: 2002,
  detectionFinding: 2004,
} as const;

/** OCSF finding `activity_id`: 1 Create, 2 Update, 3 Close. */
export type OcsfActivityId = 1 | 2 | 3;
/** OCSF `severity_id`: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal, 99 Other. */
export type OcsfSeverityId = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 99;
/** OCSF finding `status_id`: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 99 Other. */
export type OcsfStatusId = 1 | 2 | 3 | 4 | 99;
/** OCSF compliance check `status_id`: 1 Pass, 2 Warning, 3 Fail. */
export type OcsfComplianceStatusId = 1 | 2 | 3;

/** A `{ name, value }` pair, as OCSF writes tags. */
export interface OcsfKeyValue {
  name: string;
  value: string;
}

/** The attributes every OCSF finding class shares (base event, Finding class, cloud profile). */
export interface OcsfFindingBase {
  category_uid: typeof ocsfCategoryUid;
  category_name: "Findings";
  class_name: string;
  activity_id: OcsfActivityId;
  activity_name: "Create" | "Update" | "Close";
  /** `class_uid * 100 + activity_id`. */
  type_uid: number;
  type_name: string;
  /** The time of the latest observation, in milliseconds since the epoch. */
  time: number;
  severity_id: OcsfSeverityId;
  severity: string;
  status_id: OcsfStatusId;
  status: string;
  message: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; uid?: string };
    /** The cloudsteward finding id. */
    uid: string;
    log_provider: "cloudsteward";
    profiles: string[];
  };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    created_time: number;
    modified_time: number;
    first_seen_time: number;
    last_seen_time: number;
    types: string[];
    src_url?: string;
    analytic: { uid: string; name: string; type_id: 1; type: "Rule" };
  };
  cloud: {
    provider: string;
    account: { uid: string; name?: string };
    region?: string;
  };
  resources: {
    uid: string;
    type: string;
    name: string;
    region?: string;
    labels: string[];
    tags: OcsfKeyValue[];
  }[];
  remediation?: { desc: string };
}

/** OCSF Compliance Finding (2003): misconfiguration, identity, exposure, data, compliance and other findings. */
export interface OcsfComplianceFinding extends OcsfFindingBase {
  class_uid: typeof ocsfClassUid.complianceFinding;
  compliance: {
    standards: string[];
    requirements: string[];
    control: string;
    status_id: OcsfComplianceStatusId;
    status: "Pass" | "Warning" | "Fail";
  };
}

/** One entry of an OCSF Vulnerability Finding's `vulnerabilities`. */
export interface OcsfVulnerability {
  title: string;
  desc: string;
  severity: string;
  vendor_name: string;
  cve?: {
    uid: string;
    cvss?: { base_score: number; version: string }[];
    /** EPSS `score` is a string in OCSF. */
    epss?: { score: string };
  };
  affected_packages?: { name: string; version: string; fixed_in_version?: string }[];
  is_exploit_available?: boolean;
  fix_available?: boolean;
}

/** OCSF Vulnerability Finding (2002). */
export interface OcsfVulnerabilityFinding extends OcsfFindingBase {
  class_uid: typeof ocsfClassUid.vulnerabilityFinding;
  vulnerabilities: OcsfVulnerability[];
}

/** OCSF Detection Finding (2004): threat and secret findings. */
export interface OcsfDetectionFinding extends OcsfFindingBase {
  class_uid: typeof ocsfClassUid.detectionFinding;
  /** True while the finding still needs attention (new or in progress). */
  is_alert: boolean;
}

/** An OCSF 1.x finding event, discriminated by `class_uid`. */
export type OcsfFinding = OcsfComplianceFinding | OcsfVulnerabilityFinding | OcsfDetectionFinding;

/** Options of {@link toOcsf}. */
export interface ToOcsfOptions {
  /**
   * The finding activity the event reports.
   * @default "close" for resolved findings, "update" when `lastSeen` is after `firstSeen`, else "create"
   */
  activity?: "create" | "update" | "close";
  /** Mask secrets in the title, description and remediation text. @default true */
  redact?: boolean;
}

/**
 * Converts a Finding to an OCSF 1.x finding event: vulnerabilities become Vulnerability Findings
 * (2002), threats and secrets Detection Findings (2004), everything else Compliance Findings (2003).
 *
 * The Finding model does not carry a CVSS version, so scores are labelled CVSS `3.1`; a package
 * without an installed version is written with version `unknown`.
 * @example
 * const lines = findings.map((finding) => JSON.stringify(toOcsf(finding))).join("\n");
 */
export function toOcsf(finding: Finding, options: ToOcsfOptions = {}): OcsfFinding {
  const text = (value: string) => (options.redact === false ? value : redact(value));
  const activity = activities[options.activity ?? defaultActivity(finding)];
  const severity = severityMap[finding.severity];
  const status = statusMap[finding.status];
  const platform = finding.source.platform;
  const product = products[platform] ?? { name: platform, vendor: platform };
  const firstSeen = Date.parse(finding.firstSeen);
  const lastSeen = Date.parse(finding.lastSeen);
  const title = text(finding.title);
  const description = text(finding.description);
  const kind = classOf(finding.category);
  const classUid = ocsfClassUid[kind];
  const className = classNames[kind];

  const base: OcsfFindingBase = {
    category_uid: ocsfCategoryUid,
    category_name: "Findings",
    class_name: className,
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: classUid * 100 + activity.id,
    type_name: `${className}: ${activity.name}`,
    time: lastSeen,
    severity_id: severity.id,
    severity: severity.name,
    status_id: status.id,
    status: status.name,
    message: title,
    metadata: {
      version: ocsfVersion,
      product: { name: product.name, vendor_name: product.vendor },
      uid: finding.id,
      log_provider: "cloudsteward",
      profiles: ["cloud"],
    },
    finding_info: {
      uid: finding.id,
      title,
      desc: description,
      created_time: firstSeen,
      modified_time: lastSeen,
      first_seen_time: firstSeen,
      last_seen_time: lastSeen,
      types: [finding.category],
      ...(finding.source.url === undefined ? {} : { src_url: finding.source.url }),
      analytic: { uid: finding.rule.id, name: finding.rule.name, type_id: 1, type: "Rule" },
    },
    cloud: {
      provider: providers[finding.resource.cloud],
      account: {
        uid: finding.resource.accountId,
        ...(finding.resource.accountName === undefined ? {} : { name: finding.resource.accountName }),
      },
      ...(finding.resource.region === undefined ? {} : { region: finding.resource.region }),
    },
    resources: [
      {
        uid: finding.resource.id,
        type: finding.resource.type,
        name: finding.resource.name,
        ...(finding.resource.region === undefined ? {} : { region: finding.resource.region }),
        labels: [`native_type:${finding.resource.nativeType}`],
        tags: Object.entries(finding.resource.tags).map(([name, value]) => ({ name, value })),
      },
    ],
    ...(finding.rule.remediation === undefined
      ? {}
      : { remediation: { desc: text(finding.rule.remediation) } }),
  };

  if (kind === "vulnerabilityFinding") {
    return {
      ...base,
      class_uid: ocsfClassUid.vulnerabilityFinding,
      vulnerabilities: [toVulnerability(finding, title, description, severity.name, product.vendor)],
    };
  }
  if (kind === "detectionFinding") {
    return {
      ...base,
      class_uid: ocsfClassUid.detectionFinding,
      is_alert: finding.status === "open" || finding.status === "in_progress",
    };
  }
  const passed = finding.status === "resolved";
  const frameworks = [...new Set(finding.rule.controls.map((control) => control.framework))];
  return {
    ...base,
    class_uid: ocsfClassUid.complianceFinding,
    compliance: {
      standards: frameworks.length > 0 ? frameworks : [`${product.name} policies`],
      requirements: finding.rule.controls.map((control) => `${control.framework} ${control.control}`),
      control: finding.rule.id,
      status_id: passed ? 1 : 3,
      status: passed ? "Pass" : "Fail",
    },
  };
}

// Internal helpers.

type ClassKind = keyof typeof ocsfClassUid;

const classNames: Record<ClassKind, string> = {
  complianceFinding: "Compliance Finding",
  vulnerabilityFinding: "Vulnerability Finding",
  detectionFinding: "Detection Finding",
};

function classOf(category: Category): ClassKind {
  if (category === "vulnerability") return "vulnerabilityFinding";
  if (category === "threat" || category === "secret") return "detectionFinding";
  return "complianceFinding";
}

const activities = {
  create: { id: 1, name: "Create" },
  update: { id: 2, name: "Update" },
  close: { id: 3, name: "Close" },
} as const satisfies Record<string, { id: OcsfActivityId; name: string }>;

function defaultActivity(finding: Finding): keyof typeof activities {
  if (finding.status === "resolved") return "close";
  return Date.parse(finding.lastSeen) > Date.parse(finding.firstSeen) ? "update" : "create";
}

const severityMap: Record<Severity, { id: OcsfSeverityId; name: string }> = {
  critical: { id: 5, name: "Critical" },
  high: { id: 4, name: "High" },
  medium: { id: 3, name: "Medium" },
  low: { id: 2, name: "Low" },
  info: { id: 1, name: "Informational" },
};

const statusMap: Record<FindingStatus, { id: OcsfStatusId; name: string }> = {
  open: { id: 1, name: "New" },
  in_progress: { id: 2, name: "In Progress" },
  suppressed: { id: 3, name: "Suppressed" },
  risk_accepted: { id: 3, name: "Suppressed" },
  resolved: { id: 4, name: "Resolved" },
};

const products: Partial<Record<Platform, { name: string; vendor: string }>> = {
  wiz: { name: "Wiz", vendor: "Wiz" },
  prisma: { name: "Prisma Cloud", vendor: "Palo Alto Networks" },
  orca: { name: "Orca Security", vendor: "Orca Security" },
  lacework: { name: "Lacework FortiCNAPP", vendor: "Fortinet" },
};

const providers: Record<Cloud, string> = {
  aws: "AWS",
  azure: "Azure",
  gcp: "GCP",
  oci: "OCI",
  alibaba: "Alibaba Cloud",
  kubernetes: "Kubernetes",
  other: "Other",
};

function toVulnerability(
  finding: Finding,
  title: string,
  description: string,
  severity: string,
  vendor: string,
): OcsfVulnerability {
  const details = finding.vulnerability;
  const vulnerability: OcsfVulnerability = { title, desc: description, severity, vendor_name: vendor };
  if (details === undefined) return vulnerability;
  vulnerability.cve = {
    uid: details.cve,
    ...(details.cvss === undefined ? {} : { cvss: [{ base_score: details.cvss, version: "3.1" }] }),
    ...(details.epss === undefined ? {} : { epss: { score: String(details.epss) } }),
  };
  if (details.packageName !== undefined) {
    vulnerability.affected_packages = [
      {
        name: details.packageName,
        version: details.installedVersion ?? "unknown",
        ...(details.fixedVersion === undefined ? {} : { fixed_in_version: details.fixedVersion }),
      },
    ];
  }
  if (details.exploitAvailable !== undefined) vulnerability.is_exploit_available = details.exploitAvailable;
  vulnerability.fix_available = details.fixedVersion !== undefined;
  return vulnerability;
}
