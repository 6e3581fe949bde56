import type { Category, Platform } from "../finding.js";

/**
 * How a finding is recognised as one archetype. This module holds no prose, so every adapter can
 * import it cheaply; the explanations live in `archetypes.ts`.
 */
export interface ArchetypeMatcher {
  /** Kebab-case archetype id, e.g. `aws-s3-public-read`. */
  id: string;
  /**
   * Resource-type prefixes the archetype applies to, matched on dot boundaries (`aws.s3` matches
   * `aws.s3.bucket`); `*` applies to every type.
   */
  resourceTypes: readonly string[];
  /** Keyword groups tested against the rule name and the title: every group must have a hit. */
  keywords: readonly (readonly string[])[];
  /** Keywords that rule the archetype out when any of them appears. */
  exclude?: readonly string[];
  /** Exact native rule ids per platform (highest precedence). */
  ruleIds?: Partial<Record<Platform, readonly string[]>>;
  /** Exact native rule names per platform, compared case-insensitively (highest precedence). */
  ruleNames?: Partial<Record<Platform, readonly string[]>>;
  /** Categories the archetype is limited to, when keywords alone could be ambiguous. */
  categories?: readonly Category[];
}

const OPEN_TO_WORLD = [
  "0.0.0.0/0",
  "::/0",
  "internet",
  "anywhere",
  "any ip",
  "unrestricted",
  "public",
  "world",
  "all sources",
  "any source",
];
const SSH = ["ssh", "port 22", "tcp/22", "22/tcp", "port: 22"];
const RDP = ["rdp", "3389", "remote desktop"];
const DB_PORTS = [
  "database port",
  "3306",
  "5432",
  "1433",
  "1521",
  "27017",
  "6379",
  "9200",
  "mysql",
  "postgres",
  "mongodb",
  "redis",
  "sql server",
];
const PUBLIC = [
  "public",
  "anonymous",
  "everyone",
  "allusers",
  "allauthenticatedusers",
  "world-readable",
  "any principal",
];
const ENCRYPT = ["encrypt", "unencrypted", "sse", "cmek", "customer-managed key", "kms key"];
const MFA = ["mfa", "multi-factor", "multifactor", "2fa", "two-factor"];
const ROTATE = ["rotat", "90 days", "older than", "unused", "stale", "not used", "inactive", "45 days"];
const SECRET = [
  "secret",
  "password",
  "credential",
  "token",
  "api key",
  "access key",
  "private key",
  "cleartext key",
  "plaintext key",
  "cloud key",
  "ssh key",
];

/**
 * Every built-in matcher, in precedence order: within one resource type the first matcher whose
 * keyword groups all hit wins, so more specific archetypes come before broader ones.
 */
export const archetypeMatchers: readonly ArchetypeMatcher[] = [
  // --- AWS storage ---
  {
    id: "aws-s3-block-public-access-disabled",
    resourceTypes: ["aws.s3", "aws.account"],
    keywords: [["block public access", "public access block", "blockpublic"]],
  },
  {
    id: "aws-s3-public-write",
    resourceTypes: ["aws.s3"],
    keywords: [PUBLIC, ["write", "put", "upload", "full control"]],
  },
  {
    id: "aws-s3-public-read",
    resourceTypes: ["aws.s3"],
    keywords: [[...PUBLIC, "publicly readable", "exposed"]],
  },
  {
    id: "aws-s3-insecure-transport",
    resourceTypes: ["aws.s3"],
    keywords: [["ssl", "tls", "https", "secure transport", "in transit", "http request", "securetransport"]],
  },
  {
    id: "aws-s3-unencrypted",
    resourceTypes: ["aws.s3"],
    keywords: [ENCRYPT],
  },
  {
    id: "aws-s3-access-logging-disabled",
    resourceTypes: ["aws.s3"],
    keywords: [["logging", "access log", "server access"]],
  },
  {
    id: "aws-s3-versioning-disabled",
    resourceTypes: ["aws.s3"],
    keywords: [["versioning", "mfa delete"]],
  },
  {
    id: "aws-ebs-snapshot-public",
    resourceTypes: ["aws.ec2", "aws.ebs"],
    keywords: [
      ["snapshot", "ami", "image"],
      [...PUBLIC, "restorable by anyone", "shared with all"],
    ],
  },
  {
    id: "aws-ebs-unencrypted",
    resourceTypes: ["aws.ec2", "aws.ebs", "aws.account"],
    keywords: [["ebs", "volume", "disk"], ENCRYPT],
  },
  {
    id: "aws-rds-snapshot-public",
    resourceTypes: ["aws.rds"],
    keywords: [["snapshot"], PUBLIC],
  },
  {
    id: "aws-rds-unencrypted",
    resourceTypes: ["aws.rds"],
    keywords: [[...ENCRYPT, "storage encryption"]],
  },
  {
    id: "aws-rds-public",
    resourceTypes: ["aws.rds"],
    keywords: [[...PUBLIC, "publicly accessible", "internet", "public ip"]],
  },
  {
    id: "aws-rds-backup-disabled",
    resourceTypes: ["aws.rds"],
    keywords: [["backup", "retention"]],
  },
  // --- AWS network ---
  {
    id: "aws-default-security-group-open",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [["default security group"]],
    ruleIds: { prisma: ["2378dbf4-b104-4bda-9b05-7417affbba3f"] },
    ruleNames: { prisma: ["AWS Default Security Group Does Not Restrict All Traffic"] },
  },
  {
    id: "aws-sg-ssh-open",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [SSH, OPEN_TO_WORLD],
    ruleNames: { prisma: ["AWS Security Group allows all traffic on SSH port (22)"] },
  },
  {
    id: "aws-sg-rdp-open",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [RDP, OPEN_TO_WORLD],
  },
  {
    id: "aws-sg-database-port-open",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [DB_PORTS, OPEN_TO_WORLD],
    ruleNames: {
      prisma: ["AWS Security Groups allow internet traffic from internet to PostgreSQL port (5432)"],
    },
  },
  {
    id: "aws-sg-unrestricted-egress",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [["egress", "outbound"]],
  },
  {
    id: "aws-sg-all-ports-open",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [["all ports", "all traffic", "all protocols", "ingress", "inbound"], OPEN_TO_WORLD],
    ruleNames: { prisma: ["AWS Security Groups With Inbound Rule Overly Permissive To All Traffic"] },
  },
  {
    id: "aws-vpc-flow-logs-disabled",
    resourceTypes: ["aws.ec2", "aws.vpc"],
    keywords: [["flow log"]],
  },
  {
    id: "aws-ec2-imdsv1-enabled",
    resourceTypes: ["aws.ec2"],
    keywords: [["imds", "metadata service", "instance metadata", "http tokens"]],
  },
  // --- AWS identity ---
  {
    id: "aws-root-access-key",
    resourceTypes: ["aws.iam", "aws.account"],
    keywords: [["root"], ["access key"]],
  },
  {
    id: "aws-root-mfa-disabled",
    resourceTypes: ["aws.iam", "aws.account"],
    keywords: [["root"], MFA],
  },
  {
    id: "aws-root-account-usage",
    resourceTypes: ["aws.iam", "aws.account"],
    keywords: [["root"], ["usage", "used", "login", "activity", "sign-in", "signin"]],
  },
  {
    id: "aws-iam-wildcard-admin",
    resourceTypes: ["aws.iam"],
    keywords: [
      [
        "*:*",
        "administratoraccess",
        "full admin",
        "full administrative",
        "admin privileges",
        "administrative privileges",
        "wildcard",
        "all actions",
        "admin access",
      ],
    ],
  },
  {
    id: "aws-iam-access-key-stale",
    resourceTypes: ["aws.iam"],
    keywords: [["access key", "credential"], ROTATE],
  },
  {
    id: "aws-iam-user-mfa-disabled",
    resourceTypes: ["aws.iam"],
    keywords: [MFA],
  },
  {
    id: "aws-iam-password-policy-weak",
    resourceTypes: ["aws.iam", "aws.account"],
    keywords: [["password policy", "password length", "password reuse"]],
    ruleNames: {
      prisma: [
        "AWS IAM password policy allows password reuse",
        "AWS IAM password policy does not have a minimum of 14 characters",
        "AWS IAM Password policy is insecure",
      ],
    },
  },
  {
    id: "aws-iam-role-cross-account-trust",
    resourceTypes: ["aws.iam"],
    keywords: [["trust"], ["external", "cross-account", "any principal", "any aws account", "third party"]],
  },
  // --- AWS logging, keys, detection ---
  {
    id: "aws-cloudtrail-log-validation-disabled",
    resourceTypes: ["aws.cloudtrail"],
    keywords: [["validation", "integrity"]],
    ruleNames: { prisma: ["AWS CloudTrail Trail Log Validation Is Not Enabled In All Regions"] },
  },
  {
    id: "aws-cloudtrail-disabled",
    resourceTypes: ["aws.cloudtrail", "aws.account"],
    keywords: [["cloudtrail", "trail"]],
    exclude: [...ENCRYPT, "cloudwatch", "s3 bucket", "data event", "object-level"],
    ruleNames: {
      prisma: [
        "AWS CloudTrail is not enabled in all regions",
        "AWS CloudTrail is not enabled on the account",
      ],
    },
  },
  {
    id: "aws-kms-key-rotation-disabled",
    resourceTypes: ["aws.kms"],
    keywords: [["rotat"]],
  },
  {
    id: "aws-guardduty-disabled",
    resourceTypes: ["aws.guardduty", "aws.account"],
    keywords: [["guardduty", "guard duty"]],
  },
  {
    id: "aws-config-recorder-disabled",
    resourceTypes: ["aws.config", "aws.account"],
    keywords: [["aws config", "config recorder", "configuration recorder"]],
  },
  // --- AWS compute and containers ---
  {
    id: "aws-lambda-public-url",
    resourceTypes: ["aws.lambda"],
    keywords: [["function url", "public", "unauthenticated", "anyone", "any principal", "auth type none"]],
  },
  {
    id: "aws-eks-public-endpoint",
    resourceTypes: ["aws.eks"],
    keywords: [["public", "endpoint", "api server", "internet"]],
  },
  // --- Azure ---
  {
    id: "azure-storage-public-blob",
    resourceTypes: ["azure.storage"],
    keywords: [[...PUBLIC, "blob public access"]],
  },
  {
    id: "azure-storage-https-only-disabled",
    resourceTypes: ["azure.storage"],
    keywords: [["https", "secure transfer", "http traffic"]],
  },
  {
    id: "azure-storage-tls-min-version",
    resourceTypes: ["azure.storage"],
    keywords: [["tls", "minimum version"]],
  },
  {
    id: "azure-storage-network-unrestricted",
    resourceTypes: ["azure.storage"],
    keywords: [["all networks", "default network access", "network access", "firewall"]],
  },
  {
    id: "azure-sql-tde-disabled",
    resourceTypes: ["azure.sql"],
    keywords: [["tde", "transparent data encryption", ...ENCRYPT]],
  },
  {
    id: "azure-sql-auditing-disabled",
    resourceTypes: ["azure.sql"],
    keywords: [["audit"]],
  },
  {
    id: "azure-sql-public-network-access",
    resourceTypes: ["azure.sql", "azure.dbforpostgresql", "azure.dbformysql"],
    keywords: [[...PUBLIC, "0.0.0.0", "any ip", "firewall", "public network"]],
  },
  {
    id: "azure-nsg-ssh-open",
    resourceTypes: ["azure.network"],
    keywords: [SSH, OPEN_TO_WORLD],
  },
  {
    id: "azure-nsg-rdp-open",
    resourceTypes: ["azure.network"],
    keywords: [RDP, OPEN_TO_WORLD],
  },
  {
    id: "azure-nsg-flow-logs-disabled",
    resourceTypes: ["azure.network"],
    keywords: [["flow log"]],
  },
  {
    id: "azure-subscription-owner-sprawl",
    resourceTypes: [
      "azure.authorization",
      "azure.subscription",
      "azure.resources",
      "azure.aad",
      "azure.entra",
    ],
    keywords: [["owner"]],
  },
  {
    id: "azure-user-mfa-disabled",
    resourceTypes: ["azure.aad", "azure.entra", "azure.identity", "azure.subscription"],
    keywords: [MFA],
  },
  {
    id: "azure-activity-log-diagnostics-missing",
    resourceTypes: ["azure.insights", "azure.monitor", "azure.subscription", "azure.resources"],
    keywords: [["activity log", "diagnostic"]],
  },
  {
    id: "azure-keyvault-purge-protection-disabled",
    resourceTypes: ["azure.keyvault"],
    keywords: [["purge protection", "soft delete", "soft-delete", "recoverable"]],
  },
  {
    id: "azure-aks-public-api",
    resourceTypes: ["azure.containerservice", "azure.aks"],
    keywords: [["public", "api server", "authorized ip", "private cluster", "internet"]],
  },
  {
    id: "azure-function-anonymous-access",
    resourceTypes: ["azure.web", "azure.functions"],
    keywords: [["anonymous", "public", "authentication", "unauthenticated"]],
  },
  {
    id: "azure-vm-disk-unencrypted",
    resourceTypes: ["azure.compute"],
    keywords: [ENCRYPT],
  },
  {
    id: "azure-defender-disabled",
    resourceTypes: ["azure.security", "azure.subscription"],
    keywords: [["defender", "security center", "threat protection"]],
  },
  // --- GCP ---
  {
    id: "gcp-storage-public-bucket",
    resourceTypes: ["gcp.storage"],
    keywords: [[...PUBLIC, "publicly accessible"]],
  },
  {
    id: "gcp-storage-uniform-access-disabled",
    resourceTypes: ["gcp.storage"],
    keywords: [["uniform"]],
  },
  {
    id: "gcp-firewall-ssh-open",
    resourceTypes: ["gcp.compute"],
    keywords: [SSH, OPEN_TO_WORLD],
  },
  {
    id: "gcp-firewall-rdp-open",
    resourceTypes: ["gcp.compute"],
    keywords: [RDP, OPEN_TO_WORLD],
  },
  {
    id: "gcp-vpc-flow-logs-disabled",
    resourceTypes: ["gcp.compute"],
    keywords: [["flow log"]],
  },
  {
    id: "gcp-compute-default-service-account",
    resourceTypes: ["gcp.compute"],
    keywords: [["default service account", "full access to all cloud apis", "full api access"]],
  },
  {
    id: "gcp-service-account-key-stale",
    resourceTypes: ["gcp.iam"],
    keywords: [["key"], [...ROTATE, "user-managed", "user managed"]],
  },
  {
    id: "gcp-iam-primitive-roles",
    resourceTypes: ["gcp.iam", "gcp.cloudresourcemanager", "gcp.resourcemanager", "gcp.project"],
    keywords: [["primitive", "basic role", "owner", "editor"]],
  },
  {
    id: "gcp-audit-logs-disabled",
    resourceTypes: ["gcp.logging", "gcp.cloudresourcemanager", "gcp.resourcemanager", "gcp.project"],
    keywords: [["audit log", "data access log", "audit config"]],
  },
  {
    id: "gcp-cloudsql-public-ip",
    resourceTypes: ["gcp.sql", "gcp.sqladmin"],
    keywords: [[...PUBLIC, "public ip", "0.0.0.0", "authorized network"]],
  },
  {
    id: "gcp-cloudsql-ssl-not-required",
    resourceTypes: ["gcp.sql", "gcp.sqladmin"],
    keywords: [["ssl", "tls", "encrypted connection"]],
  },
  {
    id: "gcp-cloudsql-cmek-disabled",
    resourceTypes: ["gcp.sql", "gcp.sqladmin"],
    keywords: [ENCRYPT],
  },
  {
    id: "gcp-kms-key-rotation-disabled",
    resourceTypes: ["gcp.kms", "gcp.cloudkms"],
    keywords: [["rotat"]],
  },
  {
    id: "gcp-gke-public-endpoint",
    resourceTypes: ["gcp.container", "gcp.gke"],
    keywords: [["public", "endpoint", "private cluster", "master authorized", "control plane", "internet"]],
  },
  {
    id: "gcp-cloudfunction-public",
    resourceTypes: ["gcp.cloudfunctions", "gcp.run", "gcp.functions"],
    keywords: [["allusers", "public", "unauthenticated", "anyone", "anonymous"]],
  },
  // --- Kubernetes ---
  {
    id: "k8s-privilege-escalation-allowed",
    resourceTypes: ["kubernetes"],
    keywords: [["privilege escalation", "allowprivilegeescalation"]],
  },
  {
    id: "k8s-privileged-container",
    resourceTypes: ["kubernetes"],
    keywords: [["privileged"]],
  },
  {
    id: "k8s-host-path-mount",
    resourceTypes: ["kubernetes"],
    keywords: [["hostpath", "host path"]],
  },
  {
    id: "k8s-host-namespaces",
    resourceTypes: ["kubernetes"],
    keywords: [
      ["hostnetwork", "host network", "hostpid", "host pid", "hostipc", "host ipc", "host namespace"],
    ],
  },
  {
    id: "k8s-added-capabilities",
    resourceTypes: ["kubernetes"],
    keywords: [["capabilit", "sys_admin", "net_raw", "net_admin"]],
  },
  {
    id: "k8s-cluster-admin-binding",
    resourceTypes: ["kubernetes"],
    keywords: [["cluster-admin", "clusteradmin", "cluster admin"]],
  },
  {
    id: "k8s-api-server-exposed",
    resourceTypes: ["kubernetes"],
    keywords: [
      ["api server", "apiserver", "kubernetes api", "control plane"],
      [...PUBLIC, "exposed", "internet"],
    ],
  },
  {
    id: "k8s-run-as-root",
    resourceTypes: ["kubernetes"],
    keywords: [["root", "runasnonroot", "run as non-root", "uid 0"]],
    exclude: ["filesystem", "file system", "readonlyrootfilesystem"],
  },
  {
    id: "k8s-missing-resource-limits",
    resourceTypes: ["kubernetes"],
    keywords: [["limit"], ["cpu", "memory", "resource"]],
  },
  {
    id: "k8s-service-account-token-automount",
    resourceTypes: ["kubernetes"],
    keywords: [["automount", "service account token"]],
  },
  // --- Secrets (any resource type) ---
  {
    id: "secret-in-instance-user-data",
    resourceTypes: ["*"],
    keywords: [["user data", "userdata", "custom data", "startup script", "metadata script"], SECRET],
  },
  {
    id: "secret-in-environment-variables",
    resourceTypes: ["*"],
    keywords: [["environment variable", "env var", "environment"], SECRET],
  },
  {
    id: "secret-in-code",
    resourceTypes: ["*"],
    keywords: [
      SECRET,
      [
        "code",
        "repository",
        "source",
        "image",
        "file",
        "layer",
        "commit",
        "exposed",
        "cleartext",
        "plaintext",
        "hardcoded",
        "hard-coded",
      ],
    ],
    categories: ["secret"],
  },
  // --- Cross-cloud ---
  {
    id: "end-of-life-software",
    resourceTypes: ["*"],
    keywords: [
      [
        "end of life",
        "end-of-life",
        "eol",
        "unsupported version",
        "deprecated runtime",
        "no longer supported",
      ],
    ],
  },
  {
    id: "internet-exposed-resource",
    resourceTypes: ["*"],
    keywords: [
      ["publicly exposed", "internet-facing", "exposed to the internet", "public ip", "internet exposed"],
    ],
  },
];

/**
 * Knowledge-base archetypes that explain vulnerabilities. They are never dedup archetypes: a
 * vulnerability dedups per CVE (`cve:<id>`), and `explanationArchetypeFor` picks one of these.
 */
export const vulnerabilityArchetypes = {
  /** Log4Shell-class remote code execution in Apache Log4j 2. */
  log4shell: { id: "log4shell-class-rce", cves: ["CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105"] },
  /** A critical or known-exploited CVE. */
  exploitable: { id: "exploitable-critical-cve" },
  /** Any other vulnerable package. */
  generic: { id: "vulnerable-package" },
} as const;

/** Archetypes used when nothing more specific matches, by category (the lowest precedence). */
export const categoryFallbacks: Partial<Record<Category, string>> = {
  secret: "secret-exposed",
  threat: "threat-detected",
  vulnerability: "vulnerable-package",
  exposure: "internet-exposed-resource",
};

/** Every built-in archetype id the matcher can return (besides `cve:<CVE-ID>`), plus the vulnerability archetypes. */
export const archetypeIds: readonly string[] = [
  ...new Set([
    ...archetypeMatchers.map((matcher) => matcher.id),
    ...Object.values(categoryFallbacks),
    ...Object.values(vulnerabilityArchetypes).map((archetype) => archetype.id),
  ]),
];
