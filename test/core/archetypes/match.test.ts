import { describe, expect, it } from "vitest";
import {
  compileMatchers,
  explanationArchetypeFor,
  type MatchInput,
  matchArchetype,
} from "../../../src/core/archetypes/match.js";
import { archetypeIds, archetypeMatchers } from "../../../src/core/archetypes/matchers.js";
import type { Category } from "../../../src/core/finding.js";
import { estateRules, generateEstate } from "../../../src/testing/estate.js";

const base: MatchInput = {
  platform: "wiz",
  ruleId: "rule-1",
  ruleName: "",
  title: "",
  category: "misconfiguration",
  resourceType: "aws.s3.bucket",
};

function titled(title: string, resourceType: string, category: Category = "misconfiguration"): MatchInput {
  return { ...base, ruleName: title, title, resourceType, category };
}

// A realistic mix of rule names as the four platforms phrase them (our own wording), with the
// archetype each should land on.
const realistic: [string, string, Category, string][] = [
  ["S3 bucket allows public read access", "aws.s3.bucket", "exposure", "aws-s3-public-read"],
  [
    "AWS S3 bucket is publicly readable by everyone",
    "aws.s3.bucket",
    "misconfiguration",
    "aws-s3-public-read",
  ],
  [
    "S3 Bucket has Block Public Access disabled",
    "aws.s3.bucket",
    "misconfiguration",
    "aws-s3-block-public-access-disabled",
  ],
  ["Bucket ACL grants public write (AllUsers: WRITE)", "aws.s3.bucket", "exposure", "aws-s3-public-write"],
  [
    "S3 bucket policy does not deny non-HTTPS (SecureTransport) requests",
    "aws.s3.bucket",
    "misconfiguration",
    "aws-s3-insecure-transport",
  ],
  ["S3 bucket default encryption is not enabled", "aws.s3.bucket", "misconfiguration", "aws-s3-unencrypted"],
  [
    "S3 bucket server access logging is disabled",
    "aws.s3.bucket",
    "compliance",
    "aws-s3-access-logging-disabled",
  ],
  ["S3 bucket versioning is disabled", "aws.s3.bucket", "misconfiguration", "aws-s3-versioning-disabled"],
  ["EBS snapshot is public", "aws.ec2.snapshot", "exposure", "aws-ebs-snapshot-public"],
  ["AMI is shared publicly", "aws.ec2.image", "exposure", "aws-ebs-snapshot-public"],
  ["EBS volume is not encrypted", "aws.ec2.volume", "misconfiguration", "aws-ebs-unencrypted"],
  ["RDS snapshot is publicly accessible", "aws.rds.snapshot", "exposure", "aws-rds-snapshot-public"],
  ["RDS instance storage is not encrypted", "aws.rds.instance", "misconfiguration", "aws-rds-unencrypted"],
  ["RDS database instance is publicly accessible", "aws.rds.instance", "exposure", "aws-rds-public"],
  ["RDS automated backups are disabled", "aws.rds.instance", "misconfiguration", "aws-rds-backup-disabled"],
  [
    "Default security group does not restrict all traffic",
    "aws.ec2.security-group",
    "misconfiguration",
    "aws-default-security-group-open",
  ],
  [
    "Security group allows unrestricted SSH access (port 22)",
    "aws.ec2.security-group",
    "exposure",
    "aws-sg-ssh-open",
  ],
  [
    "Security group allows ingress from 0.0.0.0/0 to port 3389",
    "aws.ec2.security-group",
    "exposure",
    "aws-sg-rdp-open",
  ],
  [
    "Security group exposes MySQL port 3306 to the internet",
    "aws.ec2.security-group",
    "exposure",
    "aws-sg-database-port-open",
  ],
  [
    "Security group allows unrestricted egress traffic",
    "aws.ec2.security-group",
    "misconfiguration",
    "aws-sg-unrestricted-egress",
  ],
  [
    "Security group allows all traffic inbound from 0.0.0.0/0",
    "aws.ec2.security-group",
    "exposure",
    "aws-sg-all-ports-open",
  ],
  ["VPC flow logs are not enabled", "aws.ec2.vpc", "compliance", "aws-vpc-flow-logs-disabled"],
  ["EC2 instance does not require IMDSv2", "aws.ec2.instance", "misconfiguration", "aws-ec2-imdsv1-enabled"],
  ["Root account has active access keys", "aws.iam.user", "identity", "aws-root-access-key"],
  ["MFA is not enabled for the root account", "aws.iam.user", "identity", "aws-root-mfa-disabled"],
  ["Root account was used in the last 30 days", "aws.account.account", "identity", "aws-root-account-usage"],
  [
    "IAM policy allows full administrative privileges (*:*)",
    "aws.iam.policy",
    "identity",
    "aws-iam-wildcard-admin",
  ],
  ["IAM role has AdministratorAccess attached", "aws.iam.role", "identity", "aws-iam-wildcard-admin"],
  ["IAM access key not rotated in 90 days", "aws.iam.user", "identity", "aws-iam-access-key-stale"],
  ["IAM user credentials unused for 45 days or more", "aws.iam.user", "identity", "aws-iam-access-key-stale"],
  ["IAM user with console password has no MFA", "aws.iam.user", "identity", "aws-iam-user-mfa-disabled"],
  [
    "IAM password policy does not require minimum length of 14",
    "aws.account.account",
    "compliance",
    "aws-iam-password-policy-weak",
  ],
  [
    "IAM role trust policy allows cross-account access without external ID",
    "aws.iam.role",
    "identity",
    "aws-iam-role-cross-account-trust",
  ],
  [
    "CloudTrail log file validation is disabled",
    "aws.cloudtrail.trail",
    "compliance",
    "aws-cloudtrail-log-validation-disabled",
  ],
  [
    "CloudTrail is not enabled in all regions",
    "aws.account.account",
    "compliance",
    "aws-cloudtrail-disabled",
  ],
  [
    "KMS customer managed key rotation is disabled",
    "aws.kms.key",
    "misconfiguration",
    "aws-kms-key-rotation-disabled",
  ],
  ["GuardDuty is not enabled in region", "aws.account.account", "compliance", "aws-guardduty-disabled"],
  [
    "AWS Config is not enabled in all regions",
    "aws.account.account",
    "compliance",
    "aws-config-recorder-disabled",
  ],
  [
    "Lambda function URL allows unauthenticated access",
    "aws.lambda.function",
    "exposure",
    "aws-lambda-public-url",
  ],
  [
    "Lambda function has a plaintext secret in its environment",
    "aws.lambda.function",
    "secret",
    "secret-in-environment-variables",
  ],
  ["EKS cluster endpoint is publicly accessible", "aws.eks.cluster", "exposure", "aws-eks-public-endpoint"],
  [
    "EC2 instance user data contains a password",
    "aws.ec2.instance",
    "secret",
    "secret-in-instance-user-data",
  ],
  [
    "Storage account allows public blob access",
    "azure.storage.account",
    "exposure",
    "azure-storage-public-blob",
  ],
  [
    "Storage account does not require secure transfer (HTTPS)",
    "azure.storage.account",
    "misconfiguration",
    "azure-storage-https-only-disabled",
  ],
  [
    "Storage account minimum TLS version is lower than 1.2",
    "azure.storage.account",
    "misconfiguration",
    "azure-storage-tls-min-version",
  ],
  [
    "Storage account default network access is set to allow all networks",
    "azure.storage.account",
    "exposure",
    "azure-storage-network-unrestricted",
  ],
  [
    "SQL database transparent data encryption is disabled",
    "azure.sql.database",
    "misconfiguration",
    "azure-sql-tde-disabled",
  ],
  ["SQL server auditing is disabled", "azure.sql.server", "compliance", "azure-sql-auditing-disabled"],
  [
    "SQL server firewall allows ingress from any IP (0.0.0.0/0)",
    "azure.sql.server",
    "exposure",
    "azure-sql-public-network-access",
  ],
  [
    "Network security group allows SSH from the internet",
    "azure.network.security-group",
    "exposure",
    "azure-nsg-ssh-open",
  ],
  [
    "Network security group allows RDP from the internet",
    "azure.network.security-group",
    "exposure",
    "azure-nsg-rdp-open",
  ],
  [
    "NSG flow logs are disabled",
    "azure.network.security-group",
    "compliance",
    "azure-nsg-flow-logs-disabled",
  ],
  [
    "More than 3 owners assigned to the subscription",
    "azure.subscription.subscription",
    "identity",
    "azure-subscription-owner-sprawl",
  ],
  ["Azure AD user without MFA enabled", "azure.aad.user", "identity", "azure-user-mfa-disabled"],
  [
    "No diagnostic setting exports the activity log",
    "azure.subscription.subscription",
    "compliance",
    "azure-activity-log-diagnostics-missing",
  ],
  [
    "Key Vault purge protection is disabled",
    "azure.keyvault.vault",
    "misconfiguration",
    "azure-keyvault-purge-protection-disabled",
  ],
  [
    "AKS cluster API server has no authorized IP ranges",
    "azure.containerservice.managed-cluster",
    "exposure",
    "azure-aks-public-api",
  ],
  ["Function app allows anonymous access", "azure.web.site", "exposure", "azure-function-anonymous-access"],
  [
    "Virtual machine disk is not encrypted",
    "azure.compute.disk",
    "misconfiguration",
    "azure-vm-disk-unencrypted",
  ],
  [
    "Microsoft Defender for Servers is not enabled",
    "azure.security.pricing",
    "compliance",
    "azure-defender-disabled",
  ],
  [
    "Cloud Storage bucket is publicly readable",
    "gcp.storage.bucket",
    "exposure",
    "gcp-storage-public-bucket",
  ],
  [
    "Cloud Storage bucket uniform bucket-level access is disabled",
    "gcp.storage.bucket",
    "misconfiguration",
    "gcp-storage-uniform-access-disabled",
  ],
  ["Firewall rule allows SSH from 0.0.0.0/0", "gcp.compute.firewall", "exposure", "gcp-firewall-ssh-open"],
  ["Firewall rule allows RDP from the internet", "gcp.compute.firewall", "exposure", "gcp-firewall-rdp-open"],
  [
    "VPC flow logs are disabled for subnet",
    "gcp.compute.subnetwork",
    "compliance",
    "gcp-vpc-flow-logs-disabled",
  ],
  [
    "VM uses the default service account",
    "gcp.compute.instance",
    "identity",
    "gcp-compute-default-service-account",
  ],
  [
    "Service account user-managed key is older than 90 days",
    "gcp.iam.service-account-key",
    "identity",
    "gcp-service-account-key-stale",
  ],
  [
    "Project IAM grants primitive Owner role to a user",
    "gcp.cloudresourcemanager.project",
    "identity",
    "gcp-iam-primitive-roles",
  ],
  [
    "Cloud audit logs (data access) are not configured",
    "gcp.cloudresourcemanager.project",
    "compliance",
    "gcp-audit-logs-disabled",
  ],
  ["Cloud SQL instance has a public IP", "gcp.sql.instance", "exposure", "gcp-cloudsql-public-ip"],
  [
    "Cloud SQL instance does not require SSL",
    "gcp.sql.instance",
    "misconfiguration",
    "gcp-cloudsql-ssl-not-required",
  ],
  [
    "Cloud SQL instance is not encrypted with CMEK",
    "gcp.sql.instance",
    "misconfiguration",
    "gcp-cloudsql-cmek-disabled",
  ],
  [
    "KMS key rotation period exceeds 90 days",
    "gcp.cloudkms.crypto-key",
    "misconfiguration",
    "gcp-kms-key-rotation-disabled",
  ],
  [
    "GKE cluster control plane endpoint is public",
    "gcp.container.cluster",
    "exposure",
    "gcp-gke-public-endpoint",
  ],
  [
    "Cloud Run service allows unauthenticated invocations (allUsers)",
    "gcp.run.service",
    "exposure",
    "gcp-cloudfunction-public",
  ],
  [
    "Container allows privilege escalation",
    "kubernetes.deployment",
    "misconfiguration",
    "k8s-privilege-escalation-allowed",
  ],
  ["Pod runs a privileged container", "kubernetes.pod", "misconfiguration", "k8s-privileged-container"],
  ["Pod mounts a hostPath volume", "kubernetes.pod", "misconfiguration", "k8s-host-path-mount"],
  ["Pod uses hostNetwork", "kubernetes.daemonset", "misconfiguration", "k8s-host-namespaces"],
  ["Container adds SYS_ADMIN capability", "kubernetes.pod", "misconfiguration", "k8s-added-capabilities"],
  [
    "ClusterRoleBinding grants cluster-admin to a service account",
    "kubernetes.clusterrolebinding",
    "identity",
    "k8s-cluster-admin-binding",
  ],
  [
    "Kubernetes API server is exposed to the internet",
    "kubernetes.cluster",
    "exposure",
    "k8s-api-server-exposed",
  ],
  ["Container runs as root", "kubernetes.deployment", "misconfiguration", "k8s-run-as-root"],
  [
    "Container has no memory limit",
    "kubernetes.deployment",
    "misconfiguration",
    "k8s-missing-resource-limits",
  ],
  [
    "Service account token is automounted",
    "kubernetes.pod",
    "misconfiguration",
    "k8s-service-account-token-automount",
  ],
  ["Hard-coded AWS access key found in container image", "kubernetes.pod", "secret", "secret-in-code"],
  ["Cleartext cloud key exposed on VM", "aws.ec2.instance", "secret", "secret-in-code"],
  ["Private key stored on the file system", "gcp.compute.instance", "secret", "secret-in-code"],
  ["Python 2.7 runtime is end of life", "aws.lambda.function", "vulnerability", "end-of-life-software"],
  [
    "Operating system version is end-of-life",
    "azure.compute.virtual-machine",
    "vulnerability",
    "end-of-life-software",
  ],
  [
    "VM is publicly exposed to the internet",
    "azure.compute.virtual-machine",
    "exposure",
    "internet-exposed-resource",
  ],
  ["Cryptocurrency mining activity detected", "aws.ec2.instance", "threat", "threat-cryptomining"],
  ["Console login from an unusual location", "aws.iam.user", "threat", "threat-suspicious-login"],
  // GuardDuty's finding type (as Wiz relays it) and Lacework's anomaly title for the same sign-in.
  ["UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", "aws.iam.user", "threat", "threat-suspicious-login"],
  ["AWS account accessed from a new geolocation", "aws.account", "threat", "threat-suspicious-login"],
  [
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
    "aws.iam.user",
    "threat",
    "threat-credential-compromise",
  ],
  [
    "Package with a known vulnerability (no CVE assigned)",
    "kubernetes.pod",
    "vulnerability",
    "vulnerable-package",
  ],
];

describe("matchArchetype", () => {
  it("maps the common rule archetypes by rule name, title and resource type", () => {
    expect(matchArchetype(titled("S3 bucket allows public read access", "aws.s3.bucket"))).toBe(
      "aws-s3-public-read",
    );
    expect(matchArchetype(titled("Security group allows SSH from 0.0.0.0/0", "aws.ec2.security-group"))).toBe(
      "aws-sg-ssh-open",
    );
    expect(matchArchetype(titled("Pod runs a privileged container", "kubernetes.pod"))).toBe(
      "k8s-privileged-container",
    );
  });

  it("uses the resource type: the same words on another cloud give that cloud's archetype", () => {
    const title = "Allows SSH from the internet";
    expect(matchArchetype(titled(title, "aws.ec2.security-group"))).toBe("aws-sg-ssh-open");
    expect(matchArchetype(titled(title, "azure.network.security-group"))).toBe("azure-nsg-ssh-open");
    expect(matchArchetype(titled(title, "gcp.compute.firewall"))).toBe("gcp-firewall-ssh-open");
  });

  it("prefers the more specific archetype declared first (privilege escalation before privileged)", () => {
    expect(matchArchetype(titled("Container allows privilege escalation", "kubernetes.pod"))).toBe(
      "k8s-privilege-escalation-allowed",
    );
    expect(matchArchetype(titled("Root account has active access keys", "aws.iam.user"))).toBe(
      "aws-root-access-key",
    );
  });

  it("matches keywords only at word starts, so 'assessment' does not read as 'sse'", () => {
    expect(matchArchetype(titled("S3 bucket assessment pending", "aws.s3.bucket", "other"))).toBeUndefined();
  });

  it("leaves out an archetype when an excluded keyword shows the rule is about something else", () => {
    // "encrypted" rules CloudTrail-disabled out; the encryption archetype takes it.
    expect(matchArchetype(titled("CloudTrail logs are not encrypted with KMS", "aws.cloudtrail.trail"))).toBe(
      "aws-cloudtrail-unencrypted",
    );
    // "filesystem" rules run-as-root out; the read-only root file system archetype takes it.
    expect(matchArchetype(titled("Container root filesystem is not read-only", "kubernetes.pod"))).toBe(
      "k8s-root-filesystem-writable",
    );
    expect(matchArchetype(titled("Kubelet config file is owned by root:root", "kubernetes.node"))).toBe(
      "k8s-node-file-ownership",
    );
    expect(matchArchetype(titled("CloudTrail is not enabled", "aws.cloudtrail.trail"))).toBe(
      "aws-cloudtrail-disabled",
    );
  });

  it("returns cve:<ID> for a vulnerability with a CVE, normalized to upper case", () => {
    expect(
      matchArchetype({
        ...titled("log4j-core RCE", "aws.ec2.instance", "vulnerability"),
        cve: " cve-2021-44228 ",
      }),
    ).toBe("cve:CVE-2021-44228");
  });

  it("falls back by category when nothing specific matches, and returns undefined for unknown misconfigurations", () => {
    expect(matchArchetype(titled("Something odd happened", "aws.ec2.instance", "threat"))).toBe(
      "threat-detected",
    );
    expect(matchArchetype(titled("Token found in a source file", "aws.ec2.instance", "secret"))).toBe(
      "secret-in-code",
    );
    expect(matchArchetype(titled("Weird setting", "aws.ec2.instance", "secret"))).toBe("secret-exposed");
    expect(matchArchetype(titled("Weird setting", "aws.ec2.instance", "misconfiguration"))).toBeUndefined();
  });

  it("gives an exact platform rule id or name precedence over keywords, the CVE and the category", () => {
    const match = compileMatchers([
      {
        id: "custom-archetype",
        resourceTypes: ["aws.s3"],
        keywords: [["never-used-keyword"]],
        ruleIds: { prisma: ["P-123"] },
        ruleNames: { orca: ["Acme Bucket Rule"] },
      },
      ...archetypeMatchers,
    ]);
    const input = titled("S3 bucket allows public read access", "aws.s3.bucket", "vulnerability");
    expect(match({ ...input, platform: "prisma", ruleId: "P-123", cve: "CVE-2024-1" })).toBe(
      "custom-archetype",
    );
    expect(match({ ...input, platform: "orca", ruleName: "acme bucket rule" })).toBe("custom-archetype");
    // The id is per platform: the same id on Wiz means nothing.
    expect(match({ ...input, platform: "wiz", ruleId: "P-123" })).toBe("aws-s3-public-read");
  });

  it("knows publicly documented Prisma Cloud policy names and ids, whatever the title says", () => {
    const prisma = { ...titled("irrelevant", "aws.ec2.security-group"), platform: "prisma" as const };
    expect(
      matchArchetype({ ...prisma, ruleName: "AWS Security Group allows all traffic on SSH port (22)" }),
    ).toBe("aws-sg-ssh-open");
    expect(matchArchetype({ ...prisma, ruleId: "2378dbf4-b104-4bda-9b05-7417affbba3f" })).toBe(
      "aws-default-security-group-open",
    );
    expect(
      matchArchetype({
        ...prisma,
        resourceType: "aws.account.account",
        ruleName: "AWS CloudTrail is not enabled on the account",
      }),
    ).toBe("aws-cloudtrail-disabled");
  });

  it("is deterministic: the same input gives the same answer every time", () => {
    const input = titled(
      "Security group allows all traffic inbound from 0.0.0.0/0",
      "aws.ec2.security-group",
    );
    const answers = new Set(Array.from({ length: 50 }, () => matchArchetype(input)));
    expect([...answers]).toEqual(["aws-sg-all-ports-open"]);
  });

  it("lists every id it can return in archetypeIds", () => {
    const ids = new Set(archetypeIds);
    for (const [title, type, category] of realistic) {
      const found = matchArchetype(titled(title, type, category));
      if (found) expect(ids.has(found), found).toBe(true);
    }
    expect(new Set(archetypeIds).size).toBe(archetypeIds.length);
  });
});

describe("coverage", () => {
  it("maps at least 95% of a realistic mix of rule names to the expected archetype", () => {
    const misses = realistic.filter(
      ([title, type, category, expected]) => matchArchetype(titled(title, type, category)) !== expected,
    );
    expect(realistic.length).toBeGreaterThanOrEqual(90);
    expect(1 - misses.length / realistic.length, JSON.stringify(misses)).toBeGreaterThanOrEqual(0.95);
  });

  it("maps at least 95% of the sandbox estate's findings to their archetype", () => {
    const estate = generateEstate({ seed: 7, size: 500 });
    const resources = new Map(estate.resources.map((resource) => [resource.id, resource]));
    let matched = 0;
    for (const finding of estate.findings) {
      const rule = estateRules.find((candidate) => candidate.archetype === finding.archetype);
      const resource = resources.get(finding.resourceId);
      if (!rule || !resource) continue;
      const got = matchArchetype({
        ...titled(rule.title, resource.type, rule.category),
        cve: rule.vulnerability?.cve,
      });
      if (got === finding.archetype) matched++;
    }
    expect(estate.findings.length).toBeGreaterThan(500);
    expect(matched / estate.findings.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe("explanationArchetypeFor", () => {
  it("maps Log4Shell CVEs to the Log4Shell archetype", () => {
    expect(explanationArchetypeFor("cve:CVE-2021-44228")).toBe("log4shell-class-rce");
    expect(explanationArchetypeFor("cve:CVE-2021-45046")).toBe("log4shell-class-rce");
  });

  it("maps critical or exploited CVEs to exploitable-critical-cve, others to vulnerable-package", () => {
    expect(explanationArchetypeFor("cve:CVE-2024-3094", { severity: "critical" })).toBe(
      "exploitable-critical-cve",
    );
    expect(explanationArchetypeFor("cve:CVE-2023-1", { severity: "medium", knownExploited: true })).toBe(
      "exploitable-critical-cve",
    );
    expect(explanationArchetypeFor("cve:CVE-2023-2650", { severity: "medium" })).toBe("vulnerable-package");
  });

  it("returns non-CVE ids unchanged", () => {
    expect(explanationArchetypeFor("aws-s3-public-read")).toBe("aws-s3-public-read");
  });
});
