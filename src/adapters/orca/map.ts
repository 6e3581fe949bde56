import type { Category, Cloud, FindingStatus, Severity } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/**
 * Maps an Orca risk level (`critical` … `informational`, docs/orca.md, Sources: vocabulary), or a legacy `state.severity`
 * label (`compromised`, `imminent compromise`, `hazardous`), to the normalized scale, case-insensitively.
 * Returns `undefined` for a value Orca does not document, so the caller can name the field in its error.
 */
export function mapOrcaSeverity(native: string): Severity | undefined {
  // Orca sends lower case already: look the value up as is before normalizing it.
  return severityByOrca[native] ?? severityByOrca[native.trim().toLowerCase()];
}

/** Maps Orca's legacy integer `state.score` (1 = worst … 4, docs/orca.md, Sources: vocabulary) to the normalized scale. */
export function mapOrcaLegacyScore(score: number): Severity | undefined {
  return legacyScores[score];
}

/** The Orca `RiskLevel` values to send in a server-side filter for the normalized severities. */
export function toOrcaRiskLevels(severities: readonly Severity[]): string[] {
  return [...new Set(severities.map((severity) => (severity === "info" ? "informational" : severity)))];
}

/**
 * Maps an Orca alert status to the normalized one: `closed` is resolved, `dismissed` suppressed and
 * `snoozed` (a dismissal with an expiry) risk-accepted. `undefined` for an undocumented value.
 */
export function mapOrcaStatus(native: string): FindingStatus | undefined {
  return statusByOrca[native] ?? statusByOrca[native.trim().toLowerCase()];
}

/** The Orca status values (as read back, not the write verbs) a normalized status stands for. */
export function toOrcaStatuses(statuses: readonly FindingStatus[]): string[] {
  return [...new Set(statuses.map((status) => orcaStatusOf[status]))];
}

/** The status a normalized status reads back as in Orca. */
export const orcaStatusOf: Record<FindingStatus, string> = {
  open: "open",
  in_progress: "in_progress",
  resolved: "closed",
  suppressed: "dismissed",
  risk_accepted: "snoozed",
};

/**
 * The category of an Orca alert from its `Category` (docs/orca.md, Sources: listing), refined by the rule title for
 * secrets (Orca files them under data or posture categories); an unknown category is `other`, a
 * vulnerability when the alert carries CVE ids.
 * @example
 * mapOrcaCategory("IAM misconfigurations", "Root account has access keys", false); // "identity"
 */
export function mapOrcaCategory(native: string | undefined, title: string, hasCves: boolean): Category {
  const base =
    native === undefined
      ? undefined
      : (categoryByOrca[native] ?? categoryByOrca[native.trim().toLowerCase()]);
  if (base === "vulnerability" || hasCves) return "vulnerability";
  if ((base === undefined || refinable.has(base)) && mentionsSecret(title)) return "secret";
  return base ?? "other";
}

/** The Orca categories whose alerts can normalize to one of `categories` (a superset, checked again client-side). */
export function toOrcaCategories(categories: readonly Category[]): string[] {
  const wanted = new Set(categories);
  const names: string[] = [];
  for (const [name, category] of orcaCategoryNames) {
    if (wanted.has(category) || (wanted.has("secret") && refinable.has(category))) names.push(name);
  }
  return names;
}

/** The Orca category an estate-style normalized category is filed under (used by the sandbox). */
export function toOrcaCategory(category: Category): string {
  return primaryCategory[category];
}

/** What {@link mapOrcaAssetType} returns. */
export interface OrcaAssetType {
  cloud: Cloud;
  /** `<cloud>.<service>.<kind>`. */
  type: string;
}

/**
 * Maps an Orca asset type (`AwsS3Bucket`, `AzureStorageAccount`, `GcpVmInstance`, `K8sPod`…) to the cloud
 * and `<cloud>.<service>.<kind>` the Wiz adapter uses; an unknown type becomes `<cloud>.other.<native>`,
 * its cloud taken from the type's prefix or, failing that, from `cloudProvider`.
 * @example
 * mapOrcaAssetType("AwsS3Bucket"); // { cloud: "aws", type: "aws.s3.bucket" }
 * mapOrcaAssetType("AwsQuantumLedger"); // { cloud: "aws", type: "aws.other.quantum-ledger" }
 */
export function mapOrcaAssetType(assetType: string, cloudProvider?: string): OrcaAssetType {
  const known = assetTypes[assetType];
  if (known) return known;
  return unknownAssetType(assetType, cloudProvider ?? "");
}

/** Maps Orca's `cloud_provider` / `CloudProvider` (`aws`, `azure`, `gcp`, `oci`, `alibaba`, `k8s`…). */
export function mapOrcaCloud(cloudProvider: string | undefined): Cloud {
  return cloudByName[(cloudProvider ?? "").trim().toLowerCase()] ?? "other";
}

/** The Orca asset type of a normalized resource type (the inverse of {@link mapOrcaAssetType}; used by the sandbox). */
export function toOrcaAssetType(type: string): string | undefined {
  return assetTypeOf.get(type);
}

// Internal helpers.

const severityByOrca: Record<string, Severity> = {
  critical: "critical",
  high: "high",
  medium: "medium",
  low: "low",
  informational: "info",
  info: "info",
  compromised: "critical",
  "imminent compromise": "high",
  hazardous: "medium",
};

const legacyScores: Record<number, Severity> = { 1: "critical", 2: "high", 3: "medium", 4: "info" };

const statusByOrca: Record<string, FindingStatus> = {
  open: "open",
  in_progress: "in_progress",
  closed: "resolved",
  dismissed: "suppressed",
  snoozed: "risk_accepted",
};

/** The categories Orca reports (orca-skills `ALL_CATEGORIES`), lower case, with what each stands for. */
const orcaCategoryNames: readonly [string, Category][] = [
  ["Neglected assets", "misconfiguration"],
  ["Vendor services misconfigurations", "misconfiguration"],
  ["Workload misconfigurations", "misconfiguration"],
  ["Best practices", "misconfiguration"],
  ["Data protection", "data"],
  ["Data at risk", "data"],
  ["IAM misconfigurations", "identity"],
  ["Authentication", "identity"],
  ["Network misconfigurations", "exposure"],
  ["Logging and monitoring", "compliance"],
  ["Lateral movement", "threat"],
  ["Vulnerabilities", "vulnerability"],
  ["Source code vulnerabilities", "vulnerability"],
  ["Malware", "threat"],
  ["Malicious activity", "threat"],
  ["System integrity", "threat"],
  ["Suspicious activity", "threat"],
];

/** By Orca's spelling and by its lower case. */
const categoryByOrca: Record<string, Category> = Object.fromEntries(
  orcaCategoryNames.flatMap(([name, category]) => [
    [name, category],
    [name.toLowerCase(), category],
  ]),
);

const primaryCategory: Record<Category, string> = {
  misconfiguration: "Workload misconfigurations",
  vulnerability: "Vulnerabilities",
  identity: "IAM misconfigurations",
  exposure: "Network misconfigurations",
  threat: "Malicious activity",
  secret: "Data at risk",
  data: "Data protection",
  compliance: "Logging and monitoring",
  other: "Best practices",
};

/** Categories under which Orca files secret findings. */
const refinable: ReadonlySet<Category> = new Set(["data", "misconfiguration"]);

/** Whether a title speaks of a secret; memoized, as every alert of a rule has the same title. */
const mentionsSecret = memoize(
  (title: string) =>
    /\b(secrets?|credentials?|passwords?|private keys?|api keys?|tokens?)\b/i.test(title) &&
    !/\b(rotation|rotated|mfa)\b/i.test(title),
  4096,
);

const cloudByName: Record<string, Cloud> = {
  aws: "aws",
  azure: "azure",
  gcp: "gcp",
  oci: "oci",
  alibaba: "alibaba",
  k8s: "kubernetes",
  kubernetes: "kubernetes",
};

/** Orca's asset type names for the resource types the Wiz adapter knows (`AwsS3Bucket` and `AwsUser` seen, the rest inferred from that naming). */
const assetTypes: Record<string, OrcaAssetType> = Object.fromEntries(
  (
    [
      ["AwsS3Bucket", "aws.s3.bucket"],
      ["AwsEc2Instance", "aws.ec2.instance"],
      ["AwsIamRole", "aws.iam.role"],
      ["AwsIamUser", "aws.iam.user"],
      // As Orca's legacy alerts name it (XSOAR's recorded alert); the later name is the one rendered back.
      ["AwsUser", "aws.iam.user"],
      ["AwsEc2SecurityGroup", "aws.ec2.security-group"],
      ["AwsEc2Vpc", "aws.ec2.vpc"],
      ["AwsRdsDbInstance", "aws.rds.instance"],
      ["AwsLambdaFunction", "aws.lambda.function"],
      ["AwsKmsKey", "aws.kms.key"],
      ["AwsCloudTrail", "aws.cloudtrail.trail"],
      ["AwsEksCluster", "aws.eks.cluster"],
      ["AwsEcrImage", "aws.ecr.image"],
      ["AwsSecretsManagerSecret", "aws.secretsmanager.secret"],
      ["AzureStorageAccount", "azure.storage.account"],
      ["AzureComputeVm", "azure.compute.virtual-machine"],
      ["AzureNetworkSecurityGroup", "azure.network.security-group"],
      ["AzureKeyVault", "azure.keyvault.vault"],
      ["AzureSqlServer", "azure.sql.server"],
      ["GcpVmInstance", "gcp.compute.instance"],
      ["GcpStorageBucket", "gcp.storage.bucket"],
      ["GcpIamServiceAccount", "gcp.iam.service-account"],
      ["GcpSqlInstance", "gcp.sql.instance"],
      ["K8sPod", "kubernetes.pod"],
      ["K8sDeployment", "kubernetes.deployment"],
    ] as const
  ).map(([name, type]) => [name, { cloud: cloudOfType(type), type }]),
);

const assetTypeOf = new Map(Object.entries(assetTypes).map(([name, { type }]) => [type, name]));

const cloudPrefixes: readonly [string, Cloud][] = [
  ["Aws", "aws"],
  ["Azure", "azure"],
  ["Gcp", "gcp"],
  ["Oci", "oci"],
  ["Alibaba", "alibaba"],
  ["K8s", "kubernetes"],
  ["Kubernetes", "kubernetes"],
];

/** `AwsQuantumLedger` → `aws.other.quantum-ledger` (memoized: asset types repeat). */
const unknownAssetType = memoize((assetType: string, provider: string): OrcaAssetType => {
  const prefix = cloudPrefixes.find(([name]) => assetType.startsWith(name));
  const cloud = prefix?.[1] ?? mapOrcaCloud(provider);
  const rest = prefix ? assetType.slice(prefix[0].length) : assetType;
  const kind =
    rest
      .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "unknown";
  return { cloud, type: `${cloud}.other.${kind}` };
}, 1024);

function cloudOfType(type: string): Cloud {
  return type.slice(0, type.indexOf(".")) as Cloud;
}
