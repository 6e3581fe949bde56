import type { Condition, PortableRule } from "./rule.js";

/** A resource configuration used as a fixture. */
export type Configuration = Record<string, unknown>;

/** Fixture configurations a draft is tested against. */
export interface DraftFixtures {
  /** Configurations the rule must flag. */
  violating: Configuration[];
  /** Configurations the rule must pass. */
  compliant: Configuration[];
}

/**
 * A drafting template: the portable rule and fixtures of one knowledge-base archetype, and the words
 * that recognise a requirement asking for it.
 */
export interface DraftTemplate {
  /** The knowledge-base archetype the rule enforces (`src/agents/knowledge`). */
  archetype: string;
  /**
   * Groups of word stems; a requirement matches when each group has a word starting with one of its
   * stems. More groups make a more specific template, preferred when several match; on a tie, the
   * longer matched stems win.
   */
  keywords: string[][];
  rule: PortableRule;
  fixtures: DraftFixtures;
}

const world = ["0.0.0.0/0", "::/0"];
const everyone = ["AllUsers", "AuthenticatedUsers"];
const sensitive = ["pii", "confidential", "restricted", "sensitive"];
const isFalse = (path: string): Condition => ({ not: { path, op: "eq", value: true } });
const openPort = (port: number): Condition => ({
  path: "ingress",
  some: {
    all: [
      { path: "cidr", op: "in", value: world },
      { path: "fromPort", op: "lte", value: port },
      { path: "toPort", op: "gte", value: port },
    ],
  },
});
const nsgOpen = (port: string): Condition => ({
  path: "securityRules",
  some: {
    all: [
      { path: "direction", op: "eq", value: "Inbound" },
      { path: "access", op: "eq", value: "Allow" },
      { path: "sourceAddressPrefix", op: "in", value: ["*", "Internet", ...world] },
      { path: "destinationPortRange", op: "in", value: [port, "*"] },
    ],
  },
});
const gcpFirewallOpen = (port: string): Condition => ({
  all: [
    { path: "direction", op: "eq", value: "INGRESS" },
    { any: world.map((cidr): Condition => ({ path: "sourceRanges", op: "contains", value: cidr })) },
    { path: "allowed", some: { path: "ports", op: "contains", value: port } },
  ],
});
const containers = (condition: Condition): Condition => ({ path: "spec.containers", some: condition });
const pod = (container: Configuration, spec: Configuration = {}): Configuration => ({
  spec: { ...spec, containers: [{ name: "app", image: "registry.example/app:1.4.2", ...container }] },
});

function template(
  archetype: string,
  keywords: string[][],
  rule: Omit<PortableRule, "id"> & { id?: string },
  violating: Configuration[],
  compliant: Configuration[],
): DraftTemplate {
  return {
    archetype,
    keywords,
    rule: { id: rule.id ?? archetype, ...rule },
    fixtures: { violating, compliant },
  };
}

const bucket = ["bucket", "s3"];
const publicWords = [
  "public",
  "internet",
  "anyone",
  "anywhere",
  "anonymous",
  "world",
  "everyone",
  "open",
  "0.0.0.0/0",
];
const blockAll = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

/**
 * The drafting templates, one per covered knowledge-base archetype (a few archetypes also have a
 * data-classification variant). Each template's rule passes its own fixtures (tested).
 */
export const draftTemplates: readonly DraftTemplate[] = [
  template(
    "aws-s3-public-read",
    [bucket, publicWords],
    {
      title: "Storage bucket readable by the public",
      resourceTypes: ["aws.s3.bucket"],
      severity: "high",
      when: {
        any: [
          { path: "policyStatus.isPublic", op: "eq", value: true },
          {
            path: "acl.grants",
            some: {
              all: [
                { path: "grantee", op: "in", value: everyone },
                { path: "permission", op: "in", value: ["READ", "FULL_CONTROL"] },
              ],
            },
          },
        ],
      },
    },
    [
      { policyStatus: { isPublic: true } },
      { acl: { grants: [{ grantee: "AllUsers", permission: "READ" }] } },
    ],
    [
      {
        policyStatus: { isPublic: false },
        acl: { grants: [{ grantee: "CanonicalUser", permission: "FULL_CONTROL" }] },
      },
    ],
  ),
  template(
    "aws-s3-public-write",
    [bucket, publicWords, ["writ", "upload", "modify", "overwrite"]],
    {
      title: "Storage bucket writable by the public",
      resourceTypes: ["aws.s3.bucket"],
      severity: "critical",
      when: {
        path: "acl.grants",
        some: {
          all: [
            { path: "grantee", op: "in", value: everyone },
            { path: "permission", op: "in", value: ["WRITE", "FULL_CONTROL"] },
          ],
        },
      },
    },
    [{ acl: { grants: [{ grantee: "AllUsers", permission: "WRITE" }] } }],
    [{ acl: { grants: [] } }, { acl: { grants: [{ grantee: "AllUsers", permission: "READ" }] } }],
  ),
  template(
    "aws-s3-block-public-access-disabled",
    [bucket, ["block public access", "public access block"]],
    {
      title: "Bucket without every block-public-access setting",
      resourceTypes: ["aws.s3.bucket"],
      severity: "medium",
      when: { any: Object.keys(blockAll).map((key) => isFalse(`publicAccessBlock.${key}`)) },
    },
    [{}, { publicAccessBlock: { ...blockAll, restrictPublicBuckets: false } }],
    [{ publicAccessBlock: blockAll }],
  ),
  template(
    "aws-s3-unencrypted",
    [bucket, ["encrypt", "unencrypted", "at rest"]],
    {
      title: "Bucket without default encryption",
      resourceTypes: ["aws.s3.bucket"],
      severity: "medium",
      when: { not: { path: "encryption.sseAlgorithm", exists: true } },
    },
    [{}, { encryption: {} }],
    [{ encryption: { sseAlgorithm: "aws:kms" } }, { encryption: { sseAlgorithm: "AES256" } }],
  ),
  template(
    "aws-s3-unencrypted",
    [
      ["encrypt", "unencrypted", "at rest", "kms"],
      ["pii", "sensitive", "confidential", "personal", "classif"],
    ],
    {
      id: "aws-s3-sensitive-unencrypted",
      title: "Bucket holding sensitive data not encrypted with a customer-managed key",
      resourceTypes: ["aws.s3.bucket"],
      severity: "high",
      when: {
        all: [
          { path: "tags.data-classification", op: "in", value: sensitive },
          { not: { path: "encryption.sseAlgorithm", op: "eq", value: "aws:kms" } },
        ],
      },
    },
    [
      { tags: { "data-classification": "pii" }, encryption: { sseAlgorithm: "AES256" } },
      { tags: { "data-classification": "confidential" } },
    ],
    [
      { tags: { "data-classification": "pii" }, encryption: { sseAlgorithm: "aws:kms" } },
      { tags: { "data-classification": "public" }, encryption: { sseAlgorithm: "AES256" } },
    ],
  ),
  template(
    "aws-s3-public-read",
    [bucket, publicWords, ["pii", "sensitive", "confidential", "personal", "classif"]],
    {
      id: "aws-s3-sensitive-public",
      title: "Bucket holding sensitive data readable by the public",
      resourceTypes: ["aws.s3.bucket"],
      severity: "critical",
      when: {
        all: [
          { path: "tags.data-classification", op: "in", value: sensitive },
          { path: "policyStatus.isPublic", op: "eq", value: true },
        ],
      },
    },
    [{ tags: { "data-classification": "restricted" }, policyStatus: { isPublic: true } }],
    [
      { tags: { "data-classification": "public" }, policyStatus: { isPublic: true } },
      { tags: { "data-classification": "pii" }, policyStatus: { isPublic: false } },
    ],
  ),
  template(
    "aws-s3-access-logging-disabled",
    [bucket, ["log", "access log"]],
    {
      title: "Bucket without server access logging",
      resourceTypes: ["aws.s3.bucket"],
      severity: "low",
      when: isFalse("logging.enabled"),
    },
    [{}, { logging: { enabled: false } }],
    [{ logging: { enabled: true, targetBucket: "central-access-logs" } }],
  ),
  template(
    "aws-s3-versioning-disabled",
    [bucket, ["version"]],
    {
      title: "Bucket without versioning",
      resourceTypes: ["aws.s3.bucket"],
      severity: "low",
      when: { not: { path: "versioning.status", op: "eq", value: "Enabled" } },
    },
    [{}, { versioning: { status: "Suspended" } }],
    [{ versioning: { status: "Enabled" } }],
  ),
  template(
    "aws-s3-insecure-transport",
    [bucket, ["https", "tls", "ssl", "transport", "in transit", "plain http"]],
    {
      title: "Bucket policy does not deny requests without TLS",
      resourceTypes: ["aws.s3.bucket"],
      severity: "medium",
      when: isFalse("policy.denyInsecureTransport"),
    },
    [{}, { policy: { denyInsecureTransport: false } }],
    [{ policy: { denyInsecureTransport: true } }],
  ),
  template(
    "aws-ebs-unencrypted",
    [
      ["ebs", "volume", "disk"],
      ["encrypt", "unencrypted", "at rest"],
    ],
    {
      title: "EBS volume not encrypted",
      resourceTypes: ["aws.ec2.volume"],
      severity: "medium",
      when: isFalse("encrypted"),
    },
    [{ encrypted: false }, {}],
    [{ encrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:111111111111:key/abc" }],
  ),
  template(
    "aws-rds-unencrypted",
    [
      ["database", "rds", "db"],
      ["encrypt", "unencrypted", "at rest"],
    ],
    {
      title: "Database instance storage not encrypted",
      resourceTypes: ["aws.rds.instance"],
      severity: "high",
      when: isFalse("storageEncrypted"),
    },
    [{ storageEncrypted: false }],
    [{ storageEncrypted: true }],
  ),
  template(
    "aws-rds-public",
    [["database", "rds", "db"], publicWords],
    {
      title: "Database instance publicly accessible",
      resourceTypes: ["aws.rds.instance"],
      severity: "high",
      when: { path: "publiclyAccessible", op: "eq", value: true },
    },
    [{ publiclyAccessible: true }],
    [{ publiclyAccessible: false }, {}],
  ),
  template(
    "aws-rds-backup-disabled",
    [
      ["database", "rds", "db"],
      ["backup", "retention"],
    ],
    {
      title: "Database instance without automated backups",
      resourceTypes: ["aws.rds.instance"],
      severity: "medium",
      when: {
        any: [
          { path: "backupRetentionPeriod", op: "lt", value: 7 },
          { not: { path: "backupRetentionPeriod", exists: true } },
        ],
      },
    },
    [{ backupRetentionPeriod: 0 }, {}],
    [{ backupRetentionPeriod: 7 }, { backupRetentionPeriod: 35 }],
  ),
  template(
    "aws-sg-ssh-open",
    [["ssh", "port 22"], publicWords],
    {
      title: "Security group allows SSH from the internet",
      resourceTypes: ["aws.ec2.security-group"],
      severity: "high",
      when: openPort(22),
    },
    [
      { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidr: "0.0.0.0/0" }] },
      { ingress: [{ protocol: "tcp", fromPort: 0, toPort: 1024, cidr: "::/0" }] },
    ],
    [
      { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidr: "10.0.0.0/8" }] },
      { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidr: "0.0.0.0/0" }] },
    ],
  ),
  template(
    "aws-sg-rdp-open",
    [["rdp", "remote desktop", "3389"], publicWords],
    {
      title: "Security group allows RDP from the internet",
      resourceTypes: ["aws.ec2.security-group"],
      severity: "high",
      when: openPort(3389),
    },
    [{ ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidr: "0.0.0.0/0" }] }],
    [{ ingress: [{ protocol: "tcp", fromPort: 3389, toPort: 3389, cidr: "192.168.0.0/16" }] }],
  ),
  template(
    "aws-sg-database-port-open",
    [["database port", "3306", "5432", "1433"], publicWords],
    {
      title: "Security group exposes a database port to the internet",
      resourceTypes: ["aws.ec2.security-group"],
      severity: "high",
      when: { any: [openPort(3306), openPort(5432), openPort(1433)] },
    },
    [{ ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidr: "0.0.0.0/0" }] }],
    [{ ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidr: "10.1.0.0/16" }] }],
  ),
  template(
    "aws-sg-all-ports-open",
    [["all ports", "every port", "all traffic", "any port"], publicWords],
    {
      title: "Security group allows all traffic from the internet",
      resourceTypes: ["aws.ec2.security-group"],
      severity: "critical",
      when: {
        path: "ingress",
        some: {
          all: [
            { path: "cidr", op: "in", value: world },
            { path: "protocol", op: "eq", value: "-1" },
          ],
        },
      },
    },
    [{ ingress: [{ protocol: "-1", cidr: "0.0.0.0/0" }] }],
    [{ ingress: [{ protocol: "-1", cidr: "10.0.0.0/8" }] }, { ingress: [] }],
  ),
  template(
    "aws-vpc-flow-logs-disabled",
    [["vpc", "network"], ["flow log"]],
    {
      title: "VPC without flow logs",
      resourceTypes: ["aws.ec2.vpc"],
      severity: "medium",
      when: isFalse("flowLogsEnabled"),
    },
    [{ flowLogsEnabled: false }, {}],
    [{ flowLogsEnabled: true }],
  ),
  template(
    "aws-ec2-imdsv1-enabled",
    [
      ["imds", "metadata"],
      ["v2", "v1", "token", "require"],
    ],
    {
      title: "Instance allows IMDSv1",
      resourceTypes: ["aws.ec2.instance"],
      severity: "medium",
      when: { not: { path: "metadataOptions.httpTokens", op: "eq", value: "required" } },
    },
    [{ metadataOptions: { httpTokens: "optional" } }, {}],
    [{ metadataOptions: { httpTokens: "required" } }],
  ),
  template(
    "aws-iam-wildcard-admin",
    [
      ["iam", "role", "policy", "polic"],
      ["admin", "wildcard", '"*"', "full access", "star"],
    ],
    {
      title: "IAM policy grants every action on every resource",
      resourceTypes: ["aws.iam.role", "aws.iam.policy", "aws.iam.user"],
      severity: "critical",
      when: {
        path: "policyStatements",
        some: {
          all: [
            { path: "effect", op: "eq", value: "Allow" },
            { path: "action", op: "contains", value: "*" },
            { path: "resource", op: "contains", value: "*" },
          ],
        },
      },
    },
    [{ policyStatements: [{ effect: "Allow", action: ["*"], resource: ["*"] }] }],
    [
      { policyStatements: [{ effect: "Allow", action: ["s3:GetObject"], resource: ["*"] }] },
      { policyStatements: [{ effect: "Deny", action: ["*"], resource: ["*"] }] },
    ],
  ),
  template(
    "aws-iam-user-mfa-disabled",
    [
      ["user", "console"],
      ["mfa", "multi-factor", "two-factor", "2fa"],
    ],
    {
      title: "IAM user with console access and no MFA",
      resourceTypes: ["aws.iam.user"],
      severity: "high",
      when: { all: [{ path: "consoleAccess", op: "eq", value: true }, isFalse("mfaEnabled")] },
    },
    [{ consoleAccess: true, mfaEnabled: false }, { consoleAccess: true }],
    [
      { consoleAccess: true, mfaEnabled: true },
      { consoleAccess: false, mfaEnabled: false },
    ],
  ),
  template(
    "aws-iam-access-key-stale",
    [
      ["access key", "credential"],
      ["rotat", "stale", "old", "90 days", "age"],
    ],
    {
      title: "IAM access key older than 90 days",
      resourceTypes: ["aws.iam.user"],
      severity: "medium",
      when: {
        path: "accessKeys",
        some: {
          all: [
            { path: "status", op: "eq", value: "Active" },
            { path: "ageDays", op: "gt", value: 90 },
          ],
        },
      },
    },
    [{ accessKeys: [{ id: "AKIAEXAMPLE1", status: "Active", ageDays: 400 }] }],
    [
      { accessKeys: [{ id: "AKIAEXAMPLE2", status: "Active", ageDays: 30 }] },
      { accessKeys: [{ id: "AKIAEXAMPLE3", status: "Inactive", ageDays: 400 }] },
    ],
  ),
  template(
    "aws-iam-password-policy-weak",
    [["password"], ["policy", "length", "strong", "weak", "minimum"]],
    {
      title: "Account password policy shorter than 14 characters",
      resourceTypes: ["aws.iam.password-policy"],
      severity: "medium",
      when: {
        any: [
          { path: "minimumPasswordLength", op: "lt", value: 14 },
          { not: { path: "minimumPasswordLength", exists: true } },
        ],
      },
    },
    [{ minimumPasswordLength: 8 }, {}],
    [{ minimumPasswordLength: 14 }],
  ),
  template(
    "aws-iam-role-cross-account-trust",
    [
      ["role", "trust"],
      ["cross-account", "external account", "other account", "any account"],
    ],
    {
      title: "Role trusts any AWS principal",
      resourceTypes: ["aws.iam.role"],
      severity: "high",
      when: {
        path: "trustPolicy.statements",
        some: {
          all: [
            { path: "effect", op: "eq", value: "Allow" },
            { path: "principal", op: "contains", value: "*" },
            isFalse("hasExternalIdCondition"),
          ],
        },
      },
    },
    [{ trustPolicy: { statements: [{ effect: "Allow", principal: ["*"] }] } }],
    [
      { trustPolicy: { statements: [{ effect: "Allow", principal: ["arn:aws:iam::222222222222:root"] }] } },
      { trustPolicy: { statements: [{ effect: "Allow", principal: ["*"], hasExternalIdCondition: true }] } },
    ],
  ),
  template(
    "aws-cloudtrail-disabled",
    [
      ["cloudtrail", "audit log", "trail"],
      ["enabled", "disabled", "on", "every region", "all regions", "multi-region", "logging"],
    ],
    {
      title: "CloudTrail trail not logging in every region",
      resourceTypes: ["aws.cloudtrail.trail"],
      severity: "high",
      when: { any: [isFalse("isLogging"), isFalse("isMultiRegionTrail")] },
    },
    [
      { isLogging: false, isMultiRegionTrail: true },
      { isLogging: true, isMultiRegionTrail: false },
    ],
    [{ isLogging: true, isMultiRegionTrail: true }],
  ),
  template(
    "aws-cloudtrail-log-validation-disabled",
    [
      ["cloudtrail", "trail"],
      ["validation", "integrity", "tamper"],
    ],
    {
      title: "CloudTrail log file validation disabled",
      resourceTypes: ["aws.cloudtrail.trail"],
      severity: "medium",
      when: isFalse("logFileValidationEnabled"),
    },
    [{ logFileValidationEnabled: false }, {}],
    [{ logFileValidationEnabled: true }],
  ),
  template(
    "aws-kms-key-rotation-disabled",
    [["kms", "key", "cmk"], ["rotat"]],
    {
      title: "Customer-managed KMS key without rotation",
      resourceTypes: ["aws.kms.key"],
      severity: "medium",
      when: { all: [{ path: "keyManager", op: "eq", value: "CUSTOMER" }, isFalse("keyRotationEnabled")] },
    },
    [{ keyManager: "CUSTOMER", keyRotationEnabled: false }],
    [
      { keyManager: "CUSTOMER", keyRotationEnabled: true },
      { keyManager: "AWS", keyRotationEnabled: false },
    ],
  ),
  template(
    "aws-lambda-public-url",
    [
      ["lambda", "function"],
      ["url", "unauthenticated", "without auth", "public"],
    ],
    {
      title: "Lambda function URL without authentication",
      resourceTypes: ["aws.lambda.function"],
      severity: "high",
      when: { path: "functionUrl.authType", op: "eq", value: "NONE" },
    },
    [{ functionUrl: { authType: "NONE" } }],
    [{ functionUrl: { authType: "AWS_IAM" } }, {}],
  ),
  template(
    "aws-eks-public-endpoint",
    [["eks", "kubernetes api", "cluster endpoint"], publicWords],
    {
      title: "EKS cluster endpoint open to the internet",
      resourceTypes: ["aws.eks.cluster"],
      severity: "high",
      when: {
        all: [
          { path: "endpointPublicAccess", op: "eq", value: true },
          { path: "publicAccessCidrs", op: "contains", value: "0.0.0.0/0" },
        ],
      },
    },
    [{ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }],
    [
      { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
      { endpointPublicAccess: false, publicAccessCidrs: ["0.0.0.0/0"] },
    ],
  ),
  template(
    "azure-storage-public-blob",
    [["azure", "blob", "storage account"], publicWords],
    {
      title: "Azure storage account allows public blob access",
      resourceTypes: ["azure.storage.account"],
      severity: "high",
      when: { path: "allowBlobPublicAccess", op: "eq", value: true },
    },
    [{ allowBlobPublicAccess: true }],
    [{ allowBlobPublicAccess: false }],
  ),
  template(
    "azure-storage-https-only-disabled",
    [
      ["azure", "storage account"],
      ["https", "secure transfer", "in transit"],
    ],
    {
      title: "Azure storage account accepts plain HTTP",
      resourceTypes: ["azure.storage.account"],
      severity: "medium",
      when: isFalse("supportsHttpsTrafficOnly"),
    },
    [{ supportsHttpsTrafficOnly: false }],
    [{ supportsHttpsTrafficOnly: true }],
  ),
  template(
    "azure-storage-tls-min-version",
    [
      ["azure", "storage account"],
      ["tls 1.2", "minimum tls", "tls version", "old tls"],
    ],
    {
      title: "Azure storage account accepts TLS older than 1.2",
      resourceTypes: ["azure.storage.account"],
      severity: "medium",
      when: {
        any: [
          { path: "minimumTlsVersion", op: "in", value: ["TLS1_0", "TLS1_1"] },
          { not: { path: "minimumTlsVersion", exists: true } },
        ],
      },
    },
    [{ minimumTlsVersion: "TLS1_0" }, {}],
    [{ minimumTlsVersion: "TLS1_2" }],
  ),
  template(
    "azure-nsg-ssh-open",
    [["azure", "nsg", "network security group"], ["ssh", "port 22"], publicWords],
    {
      title: "Network security group allows SSH from the internet",
      resourceTypes: ["azure.network.security-group"],
      severity: "high",
      when: nsgOpen("22"),
    },
    [
      {
        securityRules: [
          { direction: "Inbound", access: "Allow", sourceAddressPrefix: "*", destinationPortRange: "22" },
        ],
      },
    ],
    [
      {
        securityRules: [
          {
            direction: "Inbound",
            access: "Allow",
            sourceAddressPrefix: "10.0.0.0/8",
            destinationPortRange: "22",
          },
        ],
      },
      {
        securityRules: [
          { direction: "Inbound", access: "Deny", sourceAddressPrefix: "*", destinationPortRange: "22" },
        ],
      },
    ],
  ),
  template(
    "azure-nsg-rdp-open",
    [["azure", "nsg", "network security group"], ["rdp", "remote desktop", "3389"], publicWords],
    {
      title: "Network security group allows RDP from the internet",
      resourceTypes: ["azure.network.security-group"],
      severity: "high",
      when: nsgOpen("3389"),
    },
    [
      {
        securityRules: [
          {
            direction: "Inbound",
            access: "Allow",
            sourceAddressPrefix: "Internet",
            destinationPortRange: "3389",
          },
        ],
      },
    ],
    [
      {
        securityRules: [
          {
            direction: "Inbound",
            access: "Allow",
            sourceAddressPrefix: "VirtualNetwork",
            destinationPortRange: "3389",
          },
        ],
      },
    ],
  ),
  template(
    "azure-keyvault-purge-protection-disabled",
    [
      ["key vault", "keyvault"],
      ["purge", "soft delete", "deletion"],
    ],
    {
      title: "Key vault without purge protection",
      resourceTypes: ["azure.keyvault.vault"],
      severity: "medium",
      when: isFalse("enablePurgeProtection"),
    },
    [{ enablePurgeProtection: false }, {}],
    [{ enablePurgeProtection: true }],
  ),
  template(
    "azure-sql-tde-disabled",
    [
      ["azure", "sql"],
      ["encrypt", "tde", "at rest"],
    ],
    {
      title: "Azure SQL database without transparent data encryption",
      resourceTypes: ["azure.sql.database"],
      severity: "high",
      when: { not: { path: "transparentDataEncryption.state", op: "eq", value: "Enabled" } },
    },
    [{ transparentDataEncryption: { state: "Disabled" } }],
    [{ transparentDataEncryption: { state: "Enabled" } }],
  ),
  template(
    "gcp-storage-public-bucket",
    [["gcs", "gcp", "google cloud storage", "cloud storage"], ["bucket"], publicWords],
    {
      title: "Cloud Storage bucket readable by allUsers or allAuthenticatedUsers",
      resourceTypes: ["gcp.storage.bucket"],
      severity: "high",
      when: {
        path: "iamBindings",
        some: {
          any: [
            { path: "members", op: "contains", value: "allUsers" },
            { path: "members", op: "contains", value: "allAuthenticatedUsers" },
          ],
        },
      },
    },
    [{ iamBindings: [{ role: "roles/storage.objectViewer", members: ["allUsers"] }] }],
    [{ iamBindings: [{ role: "roles/storage.objectViewer", members: ["group:data@example.com"] }] }],
  ),
  template(
    "gcp-storage-uniform-access-disabled",
    [["gcs", "gcp", "cloud storage"], ["uniform"]],
    {
      title: "Cloud Storage bucket without uniform bucket-level access",
      resourceTypes: ["gcp.storage.bucket"],
      severity: "medium",
      when: isFalse("iamConfiguration.uniformBucketLevelAccess.enabled"),
    },
    [{ iamConfiguration: { uniformBucketLevelAccess: { enabled: false } } }],
    [{ iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } }],
  ),
  template(
    "gcp-firewall-ssh-open",
    [["gcp", "google cloud", "vpc firewall", "firewall rule"], ["ssh", "port 22"], publicWords],
    {
      title: "VPC firewall rule allows SSH from the internet",
      resourceTypes: ["gcp.compute.firewall"],
      severity: "high",
      when: gcpFirewallOpen("22"),
    },
    [{ direction: "INGRESS", sourceRanges: ["0.0.0.0/0"], allowed: [{ IPProtocol: "tcp", ports: ["22"] }] }],
    [
      {
        direction: "INGRESS",
        sourceRanges: ["35.235.240.0/20"],
        allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
      },
      { direction: "INGRESS", sourceRanges: ["0.0.0.0/0"], allowed: [{ IPProtocol: "tcp", ports: ["443"] }] },
    ],
  ),
  template(
    "gcp-firewall-rdp-open",
    [
      ["gcp", "google cloud", "vpc firewall", "firewall rule"],
      ["rdp", "remote desktop", "3389"],
      publicWords,
    ],
    {
      title: "VPC firewall rule allows RDP from the internet",
      resourceTypes: ["gcp.compute.firewall"],
      severity: "high",
      when: gcpFirewallOpen("3389"),
    },
    [
      {
        direction: "INGRESS",
        sourceRanges: ["0.0.0.0/0"],
        allowed: [{ IPProtocol: "tcp", ports: ["3389"] }],
      },
    ],
    [{ direction: "EGRESS", sourceRanges: ["0.0.0.0/0"], allowed: [{ IPProtocol: "tcp", ports: ["3389"] }] }],
  ),
  template(
    "gcp-compute-default-service-account",
    [["gcp", "compute", "vm", "instance"], ["default service account"]],
    {
      title: "Compute instance runs as the default service account",
      resourceTypes: ["gcp.compute.instance"],
      severity: "medium",
      when: {
        path: "serviceAccounts",
        some: { path: "email", op: "matches", value: "-compute@developer\\.gserviceaccount\\.com$" },
      },
    },
    [{ serviceAccounts: [{ email: "123456789-compute@developer.gserviceaccount.com" }] }],
    [{ serviceAccounts: [{ email: "app@project.iam.gserviceaccount.com" }] }],
  ),
  template(
    "gcp-service-account-key-stale",
    [["service account"], ["key"], ["rotat", "stale", "old", "90 days", "user-managed"]],
    {
      title: "User-managed service account key older than 90 days",
      resourceTypes: ["gcp.iam.service-account"],
      severity: "medium",
      when: {
        path: "keys",
        some: {
          all: [
            { path: "keyType", op: "eq", value: "USER_MANAGED" },
            { path: "ageDays", op: "gt", value: 90 },
          ],
        },
      },
    },
    [{ keys: [{ keyType: "USER_MANAGED", ageDays: 200 }] }],
    [
      { keys: [{ keyType: "SYSTEM_MANAGED", ageDays: 200 }] },
      { keys: [{ keyType: "USER_MANAGED", ageDays: 10 }] },
    ],
  ),
  template(
    "gcp-cloudsql-public-ip",
    [
      ["cloud sql", "cloudsql"],
      ["public ip", "public", "internet"],
    ],
    {
      title: "Cloud SQL instance with a public IP",
      resourceTypes: ["gcp.sql.instance"],
      severity: "high",
      when: { path: "settings.ipConfiguration.ipv4Enabled", op: "eq", value: true },
    },
    [{ settings: { ipConfiguration: { ipv4Enabled: true } } }],
    [
      {
        settings: {
          ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/default" },
        },
      },
    ],
  ),
  template(
    "gcp-cloudsql-ssl-not-required",
    [
      ["cloud sql", "cloudsql"],
      ["ssl", "tls", "encrypt"],
    ],
    {
      title: "Cloud SQL instance accepts connections without TLS",
      resourceTypes: ["gcp.sql.instance"],
      severity: "medium",
      when: isFalse("settings.ipConfiguration.requireSsl"),
    },
    [{ settings: { ipConfiguration: { requireSsl: false } } }],
    [{ settings: { ipConfiguration: { requireSsl: true } } }],
  ),
  template(
    "gcp-kms-key-rotation-disabled",
    [["gcp", "cloud kms", "crypto key"], ["rotat"]],
    {
      title: "Cloud KMS key without a rotation period",
      resourceTypes: ["gcp.kms.crypto-key"],
      severity: "medium",
      when: { not: { path: "rotationPeriod", exists: true } },
    },
    [{ purpose: "ENCRYPT_DECRYPT" }],
    [{ purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" }],
  ),
  template(
    "k8s-privileged-container",
    [["container", "pod", "kubernetes", "k8s"], ["privileged"]],
    {
      title: "Pod runs a privileged container",
      resourceTypes: ["kubernetes.pod"],
      severity: "high",
      when: containers({ path: "securityContext.privileged", op: "eq", value: true }),
    },
    [pod({ securityContext: { privileged: true } })],
    [pod({ securityContext: { privileged: false } }), pod({})],
  ),
  template(
    "k8s-run-as-root",
    [
      ["container", "pod", "kubernetes", "k8s"],
      ["root", "non-root", "nonroot"],
    ],
    {
      title: "Pod may run containers as root",
      resourceTypes: ["kubernetes.pod"],
      severity: "medium",
      when: {
        all: [
          isFalse("spec.securityContext.runAsNonRoot"),
          containers(isFalse("securityContext.runAsNonRoot")),
        ],
      },
    },
    [pod({}), pod({ securityContext: { runAsNonRoot: false } })],
    [pod({}, { securityContext: { runAsNonRoot: true } }), pod({ securityContext: { runAsNonRoot: true } })],
  ),
  template(
    "k8s-privilege-escalation-allowed",
    [
      ["container", "pod", "kubernetes", "k8s"],
      ["privilege escalation", "escalat"],
    ],
    {
      title: "Container allows privilege escalation",
      resourceTypes: ["kubernetes.pod"],
      severity: "medium",
      when: containers({ not: { path: "securityContext.allowPrivilegeEscalation", op: "eq", value: false } }),
    },
    [pod({}), pod({ securityContext: { allowPrivilegeEscalation: true } })],
    [pod({ securityContext: { allowPrivilegeEscalation: false } })],
  ),
  template(
    "k8s-host-path-mount",
    [
      ["pod", "kubernetes", "k8s", "container"],
      ["hostpath", "host path", "host filesystem"],
    ],
    {
      title: "Pod mounts a host path",
      resourceTypes: ["kubernetes.pod"],
      severity: "high",
      when: { path: "spec.volumes", some: { path: "hostPath", exists: true } },
    },
    [
      {
        ...pod({}),
        spec: {
          ...(pod({}).spec as Configuration),
          volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
        },
      },
    ],
    [
      {
        ...pod({}),
        spec: { ...(pod({}).spec as Configuration), volumes: [{ name: "cache", emptyDir: {} }] },
      },
    ],
  ),
  template(
    "k8s-host-namespaces",
    [
      ["pod", "kubernetes", "k8s"],
      ["host network", "hostnetwork", "host pid", "hostpid", "host ipc", "host namespace"],
    ],
    {
      title: "Pod shares the host's namespaces",
      resourceTypes: ["kubernetes.pod"],
      severity: "high",
      when: {
        any: ["hostNetwork", "hostPID", "hostIPC"].map(
          (key): Condition => ({ path: `spec.${key}`, op: "eq", value: true }),
        ),
      },
    },
    [pod({}, { hostNetwork: true }), pod({}, { hostPID: true })],
    [pod({}), pod({}, { hostNetwork: false })],
  ),
  template(
    "k8s-missing-resource-limits",
    [
      ["container", "pod", "kubernetes", "k8s"],
      ["limit", "resource limit", "quota"],
    ],
    {
      title: "Container without CPU and memory limits",
      resourceTypes: ["kubernetes.pod"],
      severity: "low",
      when: containers({
        any: [
          { not: { path: "resources.limits.cpu", exists: true } },
          { not: { path: "resources.limits.memory", exists: true } },
        ],
      }),
    },
    [pod({}), pod({ resources: { limits: { cpu: "500m" } } })],
    [pod({ resources: { limits: { cpu: "500m", memory: "256Mi" } } })],
  ),
];

/**
 * A plausible configuration of a resource from the archetypes reported on it: the compliant fixture
 * of every template of its type, then the violating fixture of each reported archetype's templates.
 * For estates recorded without configurations (the sandbox's), so a draft can be replayed on them, and
 * to show a model the attribute names of each type.
 * @example
 * configurationFor("aws.s3.bucket", ["aws-s3-public-read"]); // { policyStatus: { isPublic: true }, … }
 */
export function configurationFor(
  type: string,
  archetypes: Iterable<string>,
  templates: readonly DraftTemplate[] = draftTemplates,
): Configuration {
  const reported = new Set(archetypes);
  const ofType = templates.filter(
    (template) => template.rule.resourceTypes[0] === type && template.rule.id === template.archetype,
  );
  let configuration: Configuration = {};
  for (const template of ofType) configuration = merge(configuration, template.fixtures.compliant[0] ?? {});
  for (const template of ofType) {
    if (reported.has(template.archetype))
      configuration = merge(configuration, template.fixtures.violating[0] ?? {});
  }
  return configuration;
}

// Internal helpers.

function isRecord(value: unknown): value is Configuration {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge; lists merge element by element, so two templates' settings of one container both hold. */
function merge(base: Configuration, patch: Configuration): Configuration {
  const result: Configuration = { ...base };
  for (const [key, value] of Object.entries(patch)) result[key] = mergeValue(result[key], value);
  return result;
}

function mergeValue(current: unknown, value: unknown): unknown {
  if (isRecord(current) && isRecord(value)) return merge(current, value);
  if (Array.isArray(current) && Array.isArray(value)) {
    const length = Math.max(current.length, value.length);
    return Array.from({ length }, (_, index) =>
      index < value.length ? mergeValue(current[index], value[index]) : current[index],
    );
  }
  return value;
}
