import type { BuiltInPlatform, Category, Cloud, Control, FindingStatus, Severity } from "../core/finding.js";
import type { DriftEstate } from "./sandbox/drift.js";

/** Options of {@link generateEstate}. */
export interface EstateOptions {
  /** Seed of the pseudo-random generator: the same seed gives the same estate. @default 1 */
  seed?: number;
  /** Findings per platform. @default 200 */
  size?: number;
  /** Platforms whose findings to generate; the first platform's findings do not depend on the others. @default all four */
  platforms?: readonly BuiltInPlatform[];
}

/** A person who owns resources, for ticket assignment and chat notifications. */
export interface EstateOwner {
  id: string;
  name: string;
  email: string;
  team: string;
  /** A Slack-style member id (`U…`). */
  slackUserId: string;
  /** A Jira-style account id. */
  jiraAccountId: string;
}

/** A team, with its chat channel. */
export interface EstateTeam {
  id: string;
  name: string;
  slackChannel: string;
}

/** A cloud account, subscription, project or Kubernetes cluster. */
export interface EstateAccount {
  /** AWS account id, Azure subscription id, GCP project id, or the cluster name. */
  id: string;
  name: string;
  cloud: Extract<Cloud, "aws" | "azure" | "gcp" | "kubernetes">;
  environment: "production" | "staging" | "development";
  regions: string[];
  /** The platform project (Wiz project, Prisma account group) the account belongs to. */
  projectId: string;
}

/** One resource in the estate. */
export interface EstateResource {
  /** The cloud-native id: an ARN, an Azure resource id, a GCP full name, `cluster/namespace/kind/name`. */
  id: string;
  name: string;
  /** `<cloud>.<service>.<kind>`, e.g. `aws.s3.bucket`. */
  type: string;
  /** The cloud's own type name, e.g. `AWS::S3::Bucket`. */
  nativeType: string;
  /** Wiz's graph type, e.g. `BUCKET`. */
  graphType: string;
  cloud: EstateAccount["cloud"];
  accountId: string;
  region?: string;
  /** Tags as the owner set them: some missing, some conflicting (`owner` vs `Owner`). */
  tags: Record<string, string>;
  /** The owner the tags point at, when they point at anyone. */
  ownerId?: string;
  createdAt: string;
}

/** Vulnerability facts of a CVE rule. */
export interface EstateVulnerability {
  cve: string;
  cvss: number;
  epss: number;
  packageName: string;
  installedVersion: string;
  fixedVersion?: string;
  exploitAvailable: boolean;
  knownExploited: boolean;
}

/** A rule archetype: the same problem, whatever platform reports it. */
export interface EstateRule {
  /** Knowledge-base archetype id, e.g. `aws-s3-public-read` or `cve:CVE-2021-44228`. */
  archetype: string;
  title: string;
  description: string;
  remediation: string;
  category: Category;
  severity: Severity;
  /** Resource types (`aws.s3.bucket`…) the rule applies to. */
  resourceTypes: readonly string[];
  controls: readonly Control[];
  /** Relative frequency in the estate. */
  weight: number;
  vulnerability?: Omit<EstateVulnerability, "installedVersion"> & { installedVersion: string };
}

/** One problem on one resource, reported by one or more platforms. */
export interface EstateFinding {
  /** The estate's own id (`f-000001`). */
  id: string;
  archetype: string;
  resourceId: string;
  category: Category;
  severity: Severity;
  status: FindingStatus;
  /** Platforms that report it, each with the native id it uses. */
  reportedBy: Partial<Record<BuiltInPlatform, string>>;
  /** How Wiz reports it (when it does): an issue, a configuration finding or a vulnerability finding. */
  wizKind?: "issue" | "configuration" | "vulnerability";
  firstSeen: string;
  lastSeen: string;
}

/** A synthetic, deterministic cloud estate rendered by every sandbox emulation. */
export interface Estate {
  seed: number;
  size: number;
  /** The instant the estate is observed at; every timestamp is before it. */
  now: string;
  teams: EstateTeam[];
  owners: EstateOwner[];
  accounts: EstateAccount[];
  resources: EstateResource[];
  rules: readonly EstateRule[];
  findings: EstateFinding[];
  /** Resources that change over a clock, whose changes and fixes the emulations render (`startSandbox({ drift })`). */
  drift?: DriftEstate;
}

/**
 * The estate's rule table, one row per archetype. Keep ids aligned with `src/agents/knowledge`.
 */
export const estateRules: readonly EstateRule[] = [
  rule(
    "aws-s3-public-read",
    "misconfiguration",
    "high",
    "S3 bucket allows public read access",
    ["aws.s3.bucket"],
    8,
    "Block public access on the bucket and remove public grants from its policy and ACL.",
    [
      ["CIS AWS 2.0.0", "2.1.5"],
      ["PCI DSS 4.0", "1.4.1"],
    ],
  ),
  rule(
    "aws-s3-unencrypted",
    "misconfiguration",
    "medium",
    "S3 bucket has no default encryption",
    ["aws.s3.bucket"],
    8,
    "Enable default SSE-KMS encryption on the bucket.",
    [["CIS AWS 2.0.0", "2.1.1"]],
  ),
  rule(
    "aws-s3-access-logging-disabled",
    "compliance",
    "low",
    "S3 bucket access logging is disabled",
    ["aws.s3.bucket"],
    6,
    "Enable server access logging to a central log bucket.",
    [["SOC 2", "CC7.2"]],
  ),
  rule(
    "aws-iam-wildcard-admin",
    "identity",
    "critical",
    "IAM role grants full admin privileges (Action * on Resource *)",
    ["aws.iam.role"],
    3,
    "Replace the wildcard policy with least-privilege permissions.",
    [
      ["CIS AWS 2.0.0", "1.16"],
      ["SOC 2", "CC6.1"],
    ],
  ),
  rule(
    "aws-iam-user-mfa-disabled",
    "identity",
    "high",
    "IAM user with console access has no MFA",
    ["aws.iam.user"],
    5,
    "Enforce MFA for every console user.",
    [["CIS AWS 2.0.0", "1.10"]],
  ),
  rule(
    "aws-iam-access-key-stale",
    "identity",
    "medium",
    "IAM access key older than 90 days",
    ["aws.iam.user"],
    6,
    "Rotate the access key and delete the old one.",
    [["CIS AWS 2.0.0", "1.14"]],
  ),
  rule(
    "aws-sg-ssh-open",
    "exposure",
    "high",
    "Security group allows SSH from 0.0.0.0/0",
    ["aws.ec2.security-group"],
    6,
    "Restrict port 22 to known CIDRs or use Session Manager.",
    [
      ["CIS AWS 2.0.0", "5.2"],
      ["PCI DSS 4.0", "1.3.1"],
    ],
  ),
  rule(
    "aws-ec2-imdsv1-enabled",
    "misconfiguration",
    "medium",
    "EC2 instance allows IMDSv1",
    ["aws.ec2.instance"],
    7,
    "Require IMDSv2 (HttpTokens=required).",
    [["CIS AWS 2.0.0", "5.6"]],
  ),
  rule(
    "aws-rds-public",
    "exposure",
    "critical",
    "RDS instance is publicly accessible",
    ["aws.rds.instance"],
    2,
    "Set PubliclyAccessible to false and place the instance in private subnets.",
    [["PCI DSS 4.0", "1.4.1"]],
  ),
  rule(
    "aws-rds-unencrypted",
    "misconfiguration",
    "medium",
    "RDS instance storage is not encrypted",
    ["aws.rds.instance"],
    4,
    "Restore from an encrypted snapshot.",
    [["PCI DSS 4.0", "3.5.1"]],
  ),
  rule(
    "secret-in-environment-variables",
    "secret",
    "high",
    "Lambda function has a plaintext secret in its environment",
    ["aws.lambda.function"],
    3,
    "Move the secret to Secrets Manager and rotate it.",
    [["SOC 2", "CC6.1"]],
  ),
  rule(
    "aws-kms-key-rotation-disabled",
    "compliance",
    "low",
    "KMS key rotation is disabled",
    ["aws.kms.key"],
    4,
    "Enable automatic key rotation.",
    [["CIS AWS 2.0.0", "3.6"]],
  ),
  rule(
    "aws-cloudtrail-log-validation-disabled",
    "compliance",
    "info",
    "CloudTrail log file validation is disabled",
    ["aws.cloudtrail.trail"],
    3,
    "Enable log file validation on the trail.",
    [["CIS AWS 2.0.0", "3.2"]],
  ),
  rule(
    "aws-s3-unencrypted",
    "data",
    "high",
    "Bucket holding personal data is not encrypted",
    ["aws.s3.bucket"],
    3,
    "Encrypt the bucket with a customer-managed key and review access.",
    [
      ["PCI DSS 4.0", "3.5.1"],
      ["ISO 27001", "A.8.24"],
    ],
  ),
  rule(
    "azure-storage-public-blob",
    "exposure",
    "high",
    "Storage account allows public blob access",
    ["azure.storage.account"],
    5,
    "Disable allowBlobPublicAccess on the account.",
    [["CIS Azure 2.0.0", "3.7"]],
  ),
  rule(
    "azure-storage-https-only-disabled",
    "misconfiguration",
    "medium",
    "Storage account does not require secure transfer (HTTPS)",
    ["azure.storage.account"],
    4,
    "Set supportsHttpsTrafficOnly to true.",
    [["CIS Azure 2.0.0", "3.1"]],
  ),
  rule(
    "azure-nsg-rdp-open",
    "exposure",
    "high",
    "Network security group allows RDP from the internet",
    ["azure.network.security-group"],
    4,
    "Restrict port 3389 or use Azure Bastion.",
    [["CIS Azure 2.0.0", "6.1"]],
  ),
  rule(
    "azure-keyvault-purge-protection-disabled",
    "misconfiguration",
    "low",
    "Key Vault purge protection is disabled",
    ["azure.keyvault.vault"],
    3,
    "Enable soft delete and purge protection.",
    [["CIS Azure 2.0.0", "8.5"]],
  ),
  rule(
    "gcp-storage-public-bucket",
    "exposure",
    "high",
    "Cloud Storage bucket is publicly readable",
    ["gcp.storage.bucket"],
    4,
    "Remove allUsers and allAuthenticatedUsers bindings.",
    [["CIS GCP 2.0.0", "5.1"]],
  ),
  rule(
    "gcp-service-account-key-stale",
    "identity",
    "medium",
    "Service account has a user-managed key",
    ["gcp.iam.service-account"],
    4,
    "Delete user-managed keys; use workload identity.",
    [["CIS GCP 2.0.0", "1.4"]],
  ),
  rule(
    "gcp-compute-default-service-account",
    "identity",
    "medium",
    "VM uses the default service account",
    ["gcp.compute.instance"],
    4,
    "Attach a dedicated least-privilege service account.",
    [["CIS GCP 2.0.0", "4.1"]],
  ),
  rule(
    "k8s-privileged-container",
    "misconfiguration",
    "high",
    "Pod runs a privileged container",
    ["kubernetes.pod"],
    4,
    "Set securityContext.privileged to false.",
    [["CIS Kubernetes 1.8", "5.2.2"]],
  ),
  rule(
    "k8s-run-as-root",
    "misconfiguration",
    "medium",
    "Container runs as root",
    ["kubernetes.pod", "kubernetes.deployment"],
    5,
    "Set runAsNonRoot: true and a non-zero runAsUser.",
    [["CIS Kubernetes 1.8", "5.2.7"]],
  ),
  rule(
    "threat-cryptomining",
    "threat",
    "critical",
    "Cryptocurrency mining activity detected",
    ["aws.ec2.instance", "kubernetes.pod"],
    1,
    "Isolate the workload, rotate its credentials and investigate the entry point.",
    [],
  ),
  rule(
    "threat-suspicious-login",
    "threat",
    "high",
    "Console login from an unusual location",
    ["aws.iam.user"],
    1,
    "Confirm with the user; if unknown, disable the credentials.",
    [],
  ),
  cve(
    "CVE-2021-44228",
    "critical",
    "Log4Shell remote code execution in log4j-core",
    ["aws.ec2.instance", "kubernetes.pod", "gcp.compute.instance"],
    3,
    {
      cvss: 10,
      epss: 0.975,
      packageName: "log4j-core",
      installedVersion: "2.14.1",
      fixedVersion: "2.17.1",
      exploitAvailable: true,
      knownExploited: true,
    },
  ),
  cve(
    "CVE-2024-3094",
    "critical",
    "Backdoor in xz-utils liblzma",
    ["aws.ec2.instance", "azure.compute.virtual-machine"],
    1,
    {
      cvss: 10,
      epss: 0.86,
      packageName: "xz-utils",
      installedVersion: "5.6.0",
      fixedVersion: "5.6.2",
      exploitAvailable: true,
      knownExploited: false,
    },
  ),
  cve(
    "CVE-2023-44487",
    "high",
    "HTTP/2 Rapid Reset denial of service",
    ["kubernetes.pod", "aws.ec2.instance", "gcp.compute.instance"],
    6,
    {
      cvss: 7.5,
      epss: 0.83,
      packageName: "golang.org/x/net",
      installedVersion: "0.15.0",
      fixedVersion: "0.17.0",
      exploitAvailable: true,
      knownExploited: true,
    },
  ),
  cve(
    "CVE-2023-4863",
    "high",
    "Heap overflow in libwebp",
    ["aws.ec2.instance", "azure.compute.virtual-machine", "kubernetes.pod"],
    5,
    {
      cvss: 8.8,
      epss: 0.42,
      packageName: "libwebp",
      installedVersion: "1.3.1",
      fixedVersion: "1.3.2",
      exploitAvailable: true,
      knownExploited: true,
    },
  ),
  cve(
    "CVE-2021-3156",
    "high",
    "Sudo heap overflow (Baron Samedit)",
    ["aws.ec2.instance", "gcp.compute.instance"],
    4,
    {
      cvss: 7.8,
      epss: 0.29,
      packageName: "sudo",
      installedVersion: "1.8.31",
      fixedVersion: "1.9.5p2",
      exploitAvailable: true,
      knownExploited: true,
    },
  ),
  cve("CVE-2023-38545", "critical", "curl SOCKS5 heap overflow", ["kubernetes.pod", "aws.ec2.instance"], 3, {
    cvss: 9.8,
    epss: 0.11,
    packageName: "curl",
    installedVersion: "8.3.0",
    fixedVersion: "8.4.0",
    exploitAvailable: false,
    knownExploited: false,
  }),
  cve(
    "CVE-2022-40897",
    "medium",
    "setuptools regular-expression denial of service",
    ["kubernetes.pod", "aws.lambda.function"],
    7,
    {
      cvss: 5.9,
      epss: 0.004,
      packageName: "setuptools",
      installedVersion: "65.3.0",
      fixedVersion: "65.5.1",
      exploitAvailable: false,
      knownExploited: false,
    },
  ),
  cve(
    "CVE-2020-8203",
    "medium",
    "Prototype pollution in lodash",
    ["aws.lambda.function", "kubernetes.pod"],
    6,
    {
      cvss: 7.4,
      epss: 0.012,
      packageName: "lodash",
      installedVersion: "4.17.15",
      fixedVersion: "4.17.19",
      exploitAvailable: true,
      knownExploited: false,
    },
  ),
  cve(
    "CVE-2023-2650",
    "low",
    "OpenSSL OBJ_obj2txt slowdown",
    ["aws.ec2.instance", "kubernetes.pod", "azure.compute.virtual-machine"],
    6,
    { cvss: 3.7, epss: 0.002, packageName: "openssl", installedVersion: "3.0.8" },
  ),
];

/**
 * Generates a deterministic synthetic estate: accounts across AWS, Azure and GCP plus a Kubernetes
 * cluster, owned resources with realistic (and imperfect) tags, and findings of every category.
 * Some findings are reported by more than one platform (same archetype on the same resource).
 * @example
 * const estate = generateEstate({ seed: 7, size: 500 });
 * const wizFindings = estate.findings.filter((finding) => finding.reportedBy.wiz);
 */
export function generateEstate(options: EstateOptions = {}): Estate {
  const seed = options.seed ?? 1;
  const size = Math.max(1, Math.floor(options.size ?? 200));
  const platforms = options.platforms ?? (["wiz", "prisma", "orca", "lacework"] as const);
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const now = Date.parse(observedAt);

  const teams = teamNames.map((name) => ({ id: `team-${name}`, name, slackChannel: `#sec-${name}` }));
  const owners: EstateOwner[] = personNames.map((name, index) => {
    const [first = "", last = ""] = name.toLowerCase().split(" ");
    return {
      id: `owner-${index + 1}`,
      name,
      email: `${first}.${last}@example.com`,
      team: teamNames[index % teamNames.length]!,
      slackUserId: `U${(100_000 + index * 7919).toString(36).toUpperCase()}`,
      jiraAccountId: `5f${(0x10000 + index * 4099).toString(16)}a1b2c3d4e5f6`,
    };
  });
  const accounts = accountTemplates.map((account) => ({ ...account, regions: [...account.regions] }));

  const resourceCount = Math.max(8, Math.ceil(size / 3));
  const resources: EstateResource[] = [];
  const usedNames = new Set<string>();
  for (let index = 0; index < resourceCount; index++) {
    const template = resourceTemplates[index % resourceTemplates.length]!;
    const account = pick(accounts.filter((candidate) => candidate.cloud === template.cloud));
    const owner = random() < 0.85 ? pick(owners) : undefined;
    const region = template.global ? undefined : pick(account.regions);
    let name = `${pick(namePrefixes[owner?.team ?? "platform"] ?? ["svc"])}-${pick(nameSuffixes[template.type] ?? ["res"])}-${account.environment.slice(0, 4)}`;
    if (usedNames.has(name)) name = `${name}-${index.toString(36)}`;
    usedNames.add(name);
    resources.push({
      id: template.id({ name, account, region: region ?? "", hex: hex(random, 17) }),
      name,
      type: template.type,
      nativeType: template.nativeType,
      graphType: template.graphType,
      cloud: template.cloud,
      accountId: account.id,
      region,
      tags: tagsFor(random, owner, account, owners),
      ownerId: owner?.id,
      createdAt: new Date(now - Math.floor(random() * 700 + 30) * day).toISOString(),
    });
  }

  const byType = new Map<string, EstateResource[]>();
  for (const resource of resources) {
    const list = byType.get(resource.type) ?? [];
    list.push(resource);
    byType.set(resource.type, list);
  }
  const usableRules = estateRules.filter((candidate) =>
    candidate.resourceTypes.some((type) => byType.has(type)),
  );
  const candidatesOf = new Map(
    usableRules.map((candidate) => [
      candidate,
      candidate.resourceTypes.flatMap((type) => byType.get(type) ?? []),
    ]),
  );
  const totalWeight = usableRules.reduce((sum, candidate) => sum + candidate.weight, 0);
  const pickRule = (): EstateRule => {
    let roll = random() * totalWeight;
    for (const candidate of usableRules) {
      roll -= candidate.weight;
      if (roll < 0) return candidate;
    }
    return usableRules.at(-1)!;
  };

  const findings: EstateFinding[] = [];
  const counts = new Map<BuiltInPlatform, number>();
  const newFinding = (platform: BuiltInPlatform): EstateFinding => {
    const chosen = pickRule();
    const resource = pick(candidatesOf.get(chosen)!);
    const firstSeen = now - Math.floor(random() * 365 * day);
    const lastSeen = firstSeen + Math.floor(random() * (now - firstSeen));
    const finding: EstateFinding = {
      id: `f-${String(findings.length + 1).padStart(6, "0")}`,
      archetype: chosen.archetype,
      resourceId: resource.id,
      category: chosen.category,
      severity: chosen.severity,
      status: pickStatus(random()),
      reportedBy: {},
      firstSeen: new Date(firstSeen).toISOString(),
      lastSeen: new Date(lastSeen).toISOString(),
    };
    findings.push(finding);
    report(finding, platform);
    return finding;
  };
  const report = (finding: EstateFinding, platform: BuiltInPlatform) => {
    const count = (counts.get(platform) ?? 0) + 1;
    counts.set(platform, count);
    finding.reportedBy[platform] = nativeIdFor(platform, count, random);
    if (platform === "wiz") finding.wizKind = wizKindFor(finding.category, random());
  };

  const [first, ...others] = platforms;
  if (first !== undefined) for (let index = 0; index < size; index++) newFinding(first);
  for (const platform of others) {
    const shared = findings.filter(() => random() < 0.25).slice(0, size);
    for (const finding of shared) report(finding, platform);
    while ((counts.get(platform) ?? 0) < size) newFinding(platform);
  }

  return {
    seed,
    size,
    now: observedAt,
    teams,
    owners,
    accounts,
    resources,
    rules: estateRules,
    findings,
  };
}

/**
 * The environment of each of the estate's accounts (id → environment): what a user would map their
 * accounts to (enrich's `fromMap`), and what lets a posture query send `environment` to the platforms.
 * @example
 * estateAccountEnvironments(generateEstate())["111122223333"]; // "production"
 */
export function estateAccountEnvironments(estate: Estate): Record<string, EstateAccount["environment"]> {
  return Object.fromEntries(estate.accounts.map((account) => [account.id, account.environment]));
}

/** A seeded PRNG (mulberry32): a function returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Internal helpers.

const day = 86_400_000;
const observedAt = "2026-11-01T00:00:00.000Z";

function rule(
  archetype: string,
  category: Category,
  severity: Severity,
  title: string,
  resourceTypes: string[],
  weight: number,
  remediation: string,
  controls: [string, string][],
): EstateRule {
  return {
    archetype,
    title,
    description: `${title}. Detected by a posture check on the resource's configuration.`,
    remediation,
    category,
    severity,
    resourceTypes,
    controls: controls.map(([framework, control]) => ({ framework, control })),
    weight,
  };
}

function cve(
  id: string,
  severity: Severity,
  title: string,
  resourceTypes: string[],
  weight: number,
  facts: Omit<EstateVulnerability, "cve" | "exploitAvailable" | "knownExploited"> &
    Partial<Pick<EstateVulnerability, "exploitAvailable" | "knownExploited">>,
): EstateRule {
  return {
    archetype: `cve:${id}`,
    title: `${id}: ${title}`,
    description: `${title} (${facts.packageName} ${facts.installedVersion}).`,
    remediation: facts.fixedVersion
      ? `Upgrade ${facts.packageName} to ${facts.fixedVersion} or later.`
      : `No fixed version of ${facts.packageName} yet; apply the vendor's mitigation.`,
    category: "vulnerability",
    severity,
    resourceTypes,
    controls: [],
    weight,
    vulnerability: { exploitAvailable: false, knownExploited: false, ...facts, cve: id },
  };
}

function pickStatus(roll: number): FindingStatus {
  if (roll < 0.72) return "open";
  if (roll < 0.82) return "in_progress";
  if (roll < 0.91) return "resolved";
  if (roll < 0.96) return "risk_accepted";
  return "suppressed";
}

function wizKindFor(category: Category, roll: number): EstateFinding["wizKind"] {
  if (category === "vulnerability") return "vulnerability";
  if (category === "misconfiguration" || category === "compliance")
    return roll < 0.7 ? "configuration" : "issue";
  return "issue";
}

function nativeIdFor(platform: BuiltInPlatform, count: number, random: () => number): string {
  switch (platform) {
    case "wiz":
      return uuid(random);
    case "prisma":
      return `P-${100_000 + count}`;
    case "orca":
      return `orca-${10_000 + count}`;
    case "lacework":
      return String(500_000 + count);
  }
}

function uuid(random: () => number): string {
  const value = hex(random, 32);
  return `${value.slice(0, 8)}-${value.slice(8, 12)}-4${value.slice(13, 16)}-a${value.slice(17, 20)}-${value.slice(20)}`;
}

function hex(random: () => number, length: number): string {
  let out = "";
  while (out.length < length) out += Math.floor(random() * 16).toString(16);
  return out;
}

function tagsFor(
  random: () => number,
  owner: EstateOwner | undefined,
  account: EstateAccount,
  owners: readonly EstateOwner[],
): Record<string, string> {
  const tags: Record<string, string> = {};
  const roll = random();
  if (owner) {
    tags[roll < 0.8 ? "owner" : "Owner"] = owner.email;
    // A stale second owner tag: the kind of conflict enrichment has to resolve.
    if (roll < 0.08) tags.Owner = owners[Math.floor(random() * owners.length)]!.email;
    if (random() < 0.75) tags.team = owner.team;
  }
  if (random() < 0.85) tags[random() < 0.7 ? "environment" : "env"] = account.environment;
  if (random() < 0.6)
    tags["data-classification"] = ["public", "internal", "confidential", "pii"][Math.floor(random() * 4)]!;
  if (random() < 0.5) tags["cost-center"] = `CC-${1000 + Math.floor(random() * 40)}`;
  return tags;
}

const teamNames = ["platform", "payments", "data", "identity", "web", "ml"] as const;

const personNames = [
  "Ada Lovelace",
  "Grace Hopper",
  "Alan Turing",
  "Katherine Johnson",
  "Linus Torvalds",
  "Margaret Hamilton",
  "Dennis Ritchie",
  "Barbara Liskov",
  "Ken Thompson",
  "Radia Perlman",
  "Edsger Dijkstra",
  "Frances Allen",
];

const namePrefixes: Record<string, string[]> = {
  platform: ["core", "infra", "shared", "ops"],
  payments: ["payments", "billing", "ledger", "checkout"],
  data: ["analytics", "warehouse", "etl", "lake"],
  identity: ["auth", "sso", "iam", "directory"],
  web: ["web", "frontend", "cdn", "api"],
  ml: ["ml", "training", "inference", "features"],
};

const nameSuffixes: Record<string, string[]> = {
  "aws.s3.bucket": ["logs", "assets", "exports", "backups", "uploads"],
  "aws.ec2.instance": ["worker", "bastion", "api", "batch"],
  "aws.ec2.security-group": ["sg", "ingress", "lb-sg"],
  "aws.iam.role": ["deploy-role", "lambda-role", "ci-role", "admin-role"],
  "aws.iam.user": ["svc-user", "ci-user", "breakglass"],
  "aws.rds.instance": ["db", "postgres", "mysql"],
  "aws.lambda.function": ["handler", "cron", "webhook"],
  "aws.kms.key": ["key", "cmk"],
  "aws.cloudtrail.trail": ["trail"],
  "azure.storage.account": ["stor", "blob", "files"],
  "azure.compute.virtual-machine": ["vm", "jumpbox", "agent"],
  "azure.keyvault.vault": ["kv", "vault"],
  "azure.network.security-group": ["nsg", "subnet-nsg"],
  "gcp.compute.instance": ["vm", "node", "runner"],
  "gcp.storage.bucket": ["bucket", "exports", "models"],
  "gcp.iam.service-account": ["sa", "runner-sa"],
  "kubernetes.pod": ["pod", "api-pod", "worker-pod"],
  "kubernetes.deployment": ["deploy", "svc"],
};

const accountTemplates: readonly EstateAccount[] = [
  {
    id: "111122223333",
    name: "aws-prod",
    cloud: "aws",
    environment: "production",
    regions: ["us-east-1", "eu-west-1"],
    projectId: "proj-payments",
  },
  {
    id: "444455556666",
    name: "aws-staging",
    cloud: "aws",
    environment: "staging",
    regions: ["us-east-1"],
    projectId: "proj-platform",
  },
  {
    id: "777788889999",
    name: "aws-dev",
    cloud: "aws",
    environment: "development",
    regions: ["us-west-2"],
    projectId: "proj-platform",
  },
  {
    id: "0f9c2b6e-3d41-4c8a-9a57-2e1b7c0d4f11",
    name: "azure-prod",
    cloud: "azure",
    environment: "production",
    regions: ["westeurope", "northeurope"],
    projectId: "proj-data",
  },
  {
    id: "6a1d7e90-5b2c-4f3e-8d19-7c4a2b9e0f22",
    name: "azure-dev",
    cloud: "azure",
    environment: "development",
    regions: ["eastus"],
    projectId: "proj-platform",
  },
  {
    id: "acme-analytics-prod",
    name: "gcp-analytics-prod",
    cloud: "gcp",
    environment: "production",
    regions: ["europe-west1"],
    projectId: "proj-data",
  },
  {
    id: "acme-ml-dev",
    name: "gcp-ml-dev",
    cloud: "gcp",
    environment: "development",
    regions: ["us-central1"],
    projectId: "proj-ml",
  },
  {
    id: "prod-eks",
    name: "prod-eks",
    cloud: "kubernetes",
    environment: "production",
    regions: ["us-east-1"],
    projectId: "proj-payments",
  },
];

interface ResourceTemplate {
  cloud: EstateAccount["cloud"];
  type: string;
  nativeType: string;
  graphType: string;
  global?: boolean;
  id(parts: { name: string; account: EstateAccount; region: string; hex: string }): string;
}

const azureId = (provider: string) => (parts: { name: string; account: EstateAccount }) =>
  `/subscriptions/${parts.account.id}/resourceGroups/rg-${parts.account.environment}/providers/${provider}/${parts.name}`;

const resourceTemplates: readonly ResourceTemplate[] = [
  {
    cloud: "aws",
    type: "aws.s3.bucket",
    nativeType: "bucket",
    graphType: "BUCKET",
    global: true,
    id: ({ name }) => `arn:aws:s3:::${name}`,
  },
  {
    cloud: "aws",
    type: "aws.ec2.instance",
    nativeType: "ec2#instance",
    graphType: "VIRTUAL_MACHINE",
    id: ({ account, region, hex }) => `arn:aws:ec2:${region}:${account.id}:instance/i-${hex}`,
  },
  {
    cloud: "aws",
    type: "aws.iam.role",
    nativeType: "role",
    graphType: "ACCESS_ROLE",
    global: true,
    id: ({ name, account }) => `arn:aws:iam::${account.id}:role/${name}`,
  },
  {
    cloud: "aws",
    type: "aws.iam.user",
    nativeType: "user",
    graphType: "USER_ACCOUNT",
    global: true,
    id: ({ name, account }) => `arn:aws:iam::${account.id}:user/${name}`,
  },
  {
    cloud: "aws",
    type: "aws.ec2.security-group",
    nativeType: "securityGroup",
    graphType: "FIREWALL",
    id: ({ account, region, hex }) => `arn:aws:ec2:${region}:${account.id}:security-group/sg-${hex}`,
  },
  {
    cloud: "aws",
    type: "aws.rds.instance",
    nativeType: "rds#dbinstance",
    graphType: "DB_SERVER",
    id: ({ name, account, region }) => `arn:aws:rds:${region}:${account.id}:db:${name}`,
  },
  {
    cloud: "aws",
    type: "aws.lambda.function",
    nativeType: "lambda",
    graphType: "SERVERLESS",
    id: ({ name, account, region }) => `arn:aws:lambda:${region}:${account.id}:function:${name}`,
  },
  {
    cloud: "aws",
    type: "aws.kms.key",
    nativeType: "kms#key",
    graphType: "ENCRYPTION_KEY",
    id: ({ account, region, hex }) => `arn:aws:kms:${region}:${account.id}:key/${hex}`,
  },
  {
    cloud: "aws",
    type: "aws.cloudtrail.trail",
    nativeType: "cloudtrail#trail",
    graphType: "CLOUD_LOG_CONFIGURATION",
    id: ({ name, account, region }) => `arn:aws:cloudtrail:${region}:${account.id}:trail/${name}`,
  },
  {
    cloud: "azure",
    type: "azure.storage.account",
    nativeType: "Microsoft.Storage/storageAccounts",
    graphType: "STORAGE_ACCOUNT",
    id: azureId("Microsoft.Storage/storageAccounts"),
  },
  {
    cloud: "azure",
    type: "azure.compute.virtual-machine",
    nativeType: "Microsoft.Compute/virtualMachines",
    graphType: "VIRTUAL_MACHINE",
    id: azureId("Microsoft.Compute/virtualMachines"),
  },
  {
    cloud: "azure",
    type: "azure.network.security-group",
    nativeType: "Microsoft.Network/networkSecurityGroups",
    graphType: "FIREWALL",
    id: azureId("Microsoft.Network/networkSecurityGroups"),
  },
  {
    cloud: "azure",
    type: "azure.keyvault.vault",
    nativeType: "Microsoft.KeyVault/vaults",
    graphType: "SECRET_CONTAINER",
    id: azureId("Microsoft.KeyVault/vaults"),
  },
  {
    cloud: "gcp",
    type: "gcp.compute.instance",
    nativeType: "compute#instance",
    graphType: "VIRTUAL_MACHINE",
    id: ({ name, account, region }) =>
      `//compute.googleapis.com/projects/${account.id}/zones/${region}-b/instances/${name}`,
  },
  {
    cloud: "gcp",
    type: "gcp.storage.bucket",
    nativeType: "storage#bucket",
    graphType: "BUCKET",
    global: true,
    id: ({ name }) => `//storage.googleapis.com/projects/_/buckets/${name}`,
  },
  {
    cloud: "gcp",
    type: "gcp.iam.service-account",
    nativeType: "iam.googleapis.com/ServiceAccount",
    graphType: "SERVICE_ACCOUNT",
    global: true,
    id: ({ name, account }) =>
      `//iam.googleapis.com/projects/${account.id}/serviceAccounts/${name}@${account.id}.iam.gserviceaccount.com`,
  },
  {
    cloud: "kubernetes",
    type: "kubernetes.pod",
    nativeType: "Pod",
    graphType: "POD",
    id: ({ name, account }) => `${account.id}/${name.split("-")[0]}/pod/${name}`,
  },
  {
    cloud: "kubernetes",
    type: "kubernetes.deployment",
    nativeType: "Deployment",
    graphType: "DEPLOYMENT",
    id: ({ name, account }) => `${account.id}/${name.split("-")[0]}/deployment/${name}`,
  },
];
