import type { BuiltInPlatform } from "../../core/finding.js";
import type { EstateRule } from "../estate.js";

/**
 * The public names of one estate rule, from the reference catalogs (`shared/reference/catalogs`; what
 * each platform emits is listed in docs/<platform>.md, "Trying it without a tenant: the sandbox"): the
 * Prowler check, the framework control that cites it, the Lacework policy, and a GuardDuty finding type
 * for a threat.
 */
export interface CatalogNames {
  /** The Prowler check (`prowler-checks.jsonl`: `CheckID`, `CheckTitle`). */
  prowler?: { id: string; title: string };
  /**
   * The requirement that cites the check: an AWS Security Hub control (`frameworks/aws-fsbp.json`) for
   * AWS, the newest CIS benchmark Prowler ships (`frameworks/cis-*.json`) elsewhere.
   */
  control?: { id: string; title: string };
  /**
   * The Lacework policy (`vendor-rules.jsonl`): a `lacework-global-N` id with the title of the legacy
   * recommendation it replaced, or a legacy id (`Azure_CIS_3_1`) where the catalog maps no global id.
   */
  lacework?: { id: string; legacyId?: string; title: string };
  /** An Amazon GuardDuty finding type (its EC2 form), as Wiz mirrors GuardDuty findings (a threat). */
  guardDuty?: string;
  /**
   * A Lacework anomaly alert, as recorded in Sekoia's Lacework test events (`alertType`, `alertName`):
   * anomalies carry no `policyId`.
   */
  laceworkAnomaly?: { alertType: string; title: string };
}

/** How one platform names a rule: its id and its name, as its records carry them. */
export interface VendorRule {
  id: string;
  name: string;
}

/**
 * The catalog names of every estate archetype the catalogs know, by archetype id. Vulnerabilities are
 * named by their CVE on every platform and are not listed; neither are archetypes no catalog names.
 */
export const catalogNames: Readonly<Record<string, CatalogNames>> = {
  "aws-s3-public-read": {
    prowler: {
      id: "s3_bucket_public_access",
      title: "S3 bucket is not publicly accessible to Everyone or Authenticated Users",
    },
    control: { id: "S3.2", title: "S3 buckets should prohibit public read access" },
    lacework: {
      id: "lacework-global-130",
      legacyId: "LW_S3_1",
      title: "Ensure the S3 bucket ACL does not grant 'Everyone' READ permission [list S3 objects]",
    },
  },
  "aws-s3-unencrypted": {
    prowler: {
      id: "s3_bucket_default_encryption",
      title: "[DEPRECATED] S3 bucket has default server-side encryption (SSE) enabled",
    },
    control: {
      id: "S3.17",
      title: "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
    },
    lacework: {
      id: "lacework-global-217",
      legacyId: "LW_S3_14",
      title: "Ensure all data stored in the S3 bucket is securely encrypted at rest",
    },
  },
  "aws-s3-access-logging-disabled": {
    prowler: {
      id: "s3_bucket_server_access_logging_enabled",
      title: "S3 bucket has server access logging enabled",
    },
    control: { id: "S3.9", title: "S3 bucket server access logging should be enabled" },
    lacework: {
      id: "lacework-global-95",
      legacyId: "LW_S3_13",
      title: "Ensure the S3 bucket has access logging enabled",
    },
  },
  "aws-iam-wildcard-admin": {
    prowler: {
      id: "iam_customer_attached_policy_no_administrative_privileges",
      title: "Attached IAM customer-managed policy does not allow '*:*' administrative privileges",
    },
    control: { id: "IAM.1", title: "IAM policies should not allow full '*' administrative privileges" },
    lacework: {
      id: "lacework-global-45",
      legacyId: "AWS_CIS_1_24",
      title: 'Ensure IAM policies that allow full "*:*" administrative privileges are not created',
    },
  },
  "aws-iam-user-mfa-disabled": {
    prowler: {
      id: "iam_user_mfa_enabled_console_access",
      title: "IAM user has MFA enabled for console access or no console password is set",
    },
    control: { id: "IAM.5", title: "MFA should be enabled for all IAM users that have a console password" },
    lacework: {
      id: "lacework-global-39",
      legacyId: "AWS_CIS_1_2",
      title:
        "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password",
    },
  },
  "aws-iam-access-key-stale": {
    prowler: {
      id: "iam_rotate_access_key_90_days",
      title: "IAM user does not have active access keys older than 90 days",
    },
    control: { id: "IAM.3", title: "IAM users' access keys should be rotated every 90 days or less" },
    lacework: {
      id: "lacework-global-43",
      legacyId: "AWS_CIS_1_4",
      title: "Ensure access keys are rotated every 90 days or less",
    },
  },
  "aws-sg-ssh-open": {
    prowler: {
      id: "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
      title: "Security group does not allow ingress from 0.0.0.0/0 or ::/0 to TCP port 22 (SSH)",
    },
    control: {
      id: "EC2.13",
      title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
    },
    lacework: {
      id: "lacework-global-68",
      legacyId: "AWS_CIS_4_1",
      title: "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22",
    },
  },
  "aws-ec2-imdsv1-enabled": {
    prowler: {
      id: "ec2_instance_imdsv2_enabled",
      title: "EC2 instance requires IMDSv2 or has the instance metadata service disabled",
    },
    control: { id: "EC2.8", title: "EC2 instances should use IMDSv2" },
  },
  "aws-rds-public": {
    prowler: {
      id: "rds_instance_no_public_access",
      title: "RDS instance is not publicly exposed to the Internet",
    },
    control: {
      id: "RDS.2",
      title:
        "RDS DB instances should prohibit public access, determined by the PubliclyAccessible configuration",
    },
    lacework: {
      id: "lacework-global-93",
      legacyId: "LW_AWS_RDS_1",
      title: "RDS should not have a Public Interface",
    },
  },
  "aws-rds-unencrypted": {
    prowler: { id: "rds_instance_storage_encrypted", title: "RDS DB instance storage is encrypted at rest" },
    // Lacework's nearest policy (LW_AWS_GENERAL_SECURITY_4) asks for a customer-managed key: another problem.
    control: { id: "RDS.3", title: "RDS DB instances should have encryption at-rest enabled" },
  },
  "secret-in-environment-variables": {
    prowler: {
      id: "awslambda_function_no_secrets_in_variables",
      title: "Lambda function environment variables do not contain secrets",
    },
  },
  "aws-kms-key-rotation-disabled": {
    prowler: {
      id: "kms_cmk_rotation_enabled",
      title: "KMS customer-managed symmetric CMK has automatic rotation enabled",
    },
    control: { id: "KMS.4", title: "AWS KMS key rotation should be enabled" },
    lacework: {
      id: "lacework-global-78",
      legacyId: "AWS_CIS_2_8",
      title: "Ensure rotation for customer created CMKs is enabled",
    },
  },
  "aws-cloudtrail-log-validation-disabled": {
    prowler: {
      id: "cloudtrail_log_file_validation_enabled",
      title: "CloudTrail trail has log file validation enabled",
    },
    control: { id: "CloudTrail.4", title: "Ensure CloudTrail log file validation is enabled" },
    lacework: {
      id: "lacework-global-75",
      legacyId: "AWS_CIS_2_2",
      title: "Ensure CloudTrail log file validation is enabled",
    },
  },
  "azure-storage-public-blob": {
    prowler: {
      id: "storage_blob_public_access_level_is_disabled",
      title: "Storage account has 'Allow Blob Anonymous Access' disabled",
    },
    control: { id: "9.3.8", title: "Ensure that 'Allow Blob Anonymous Access' is Set to 'Disabled'" },
    lacework: {
      id: "Azure_CIS_3_7",
      title: "Ensure that 'Public access level' is set to Private for blob containers",
    },
  },
  "azure-storage-https-only-disabled": {
    prowler: {
      id: "storage_secure_transfer_required_is_enabled",
      title: "Storage account has secure transfer required enabled",
    },
    control: { id: "9.3.4", title: "Ensure that 'Secure transfer required' is Set to 'Enabled'" },
    lacework: { id: "Azure_CIS_3_1", title: "Ensure that 'Secure transfer required' is set to 'Enabled'" },
  },
  "azure-nsg-rdp-open": {
    prowler: {
      id: "network_rdp_internet_access_restricted",
      title: "Network security group does not allow inbound RDP (TCP 3389) from the Internet",
    },
    control: { id: "7.1", title: "Ensure that RDP Access from the Internet is Evaluated and Restricted" },
    lacework: { id: "Azure_CIS_6_1", title: "Ensure that RDP access is restricted from the internet" },
  },
  "azure-keyvault-purge-protection-disabled": {
    prowler: { id: "keyvault_recoverable", title: "Key Vault has soft delete and purge protection enabled" },
    control: { id: "8.3.5", title: "Ensure 'Purge protection' is Set to 'Enabled'" },
  },
  "gcp-storage-public-bucket": {
    prowler: {
      id: "cloudstorage_bucket_public_access",
      title: "Cloud Storage bucket is not publicly accessible",
    },
    control: {
      id: "5.1",
      title: "Ensure That Cloud Storage Bucket Is Not Anonymously or Publicly Accessible",
    },
    lacework: {
      id: "GCP_CIS_5_1",
      title: "Ensure that Cloud Storage bucket is not anonymously or publicly accessible",
    },
  },
  "gcp-service-account-key-stale": {
    prowler: { id: "iam_sa_no_user_managed_keys", title: "Service account has no user-managed keys" },
    control: {
      id: "1.5",
      title: "Ensure That There Are Only GCP-Managed Service Account Keys for Each Service Account",
    },
    lacework: {
      id: "GCP_CIS_1_3",
      title: "Ensure that there are only GCP-managed service account keys for each service account",
    },
  },
  "gcp-compute-default-service-account": {
    prowler: {
      id: "compute_instance_default_service_account_in_use",
      title: "Compute Engine instance does not use the default service account",
    },
    control: {
      id: "4.1",
      title: "Ensure That Instances Are Not Configured To Use the Default Service Account",
    },
    lacework: {
      id: "GCP_CIS_4_1",
      title:
        "Ensure that instances are not configured to use the default service account with full access to all Cloud APIs",
    },
  },
  "k8s-privileged-container": {
    prowler: {
      id: "core_minimize_privileged_containers",
      title: "Pod does not contain a privileged container",
    },
    control: { id: "5.2.2", title: "Minimize the admission of privileged containers" },
  },
  "k8s-run-as-root": {
    prowler: {
      id: "core_minimize_root_containers_admission",
      title: "Pod does not run any container as the root user",
    },
    control: { id: "5.2.7", title: "Minimize the admission of root containers" },
  },
  "threat-cryptomining": { guardDuty: "CryptoCurrency:EC2/BitcoinTool.B!DNS" },
  "threat-suspicious-login": {
    guardDuty: "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B",
    laceworkAnomaly: {
      alertType: "LoginFromSourceUsingCalltype",
      title: "AWS account accessed from a new geolocation",
    },
  },
};

/**
 * The name a platform gives an estate rule, from {@link catalogNames}; the estate's own title where the
 * catalogs have nothing for that platform (and for every vulnerability, named by its CVE):
 * - Wiz: the Security Hub control's or CIS requirement's title ("S3 buckets should prohibit public read
 *   access"), or the GuardDuty finding type it mirrors for a threat;
 * - Prisma Cloud: the Prowler check title (Prisma's own catalog is not redistributable; Prowler's titles
 *   are the nearest open stand-in);
 * - Orca: the Prowler check id as words (`S3 Bucket Public Access`), as Orca titles its alert types;
 * - Lacework: the recorded anomaly's name for a threat, else the title of its policy's legacy
 *   recommendation, else the CIS requirement's title.
 * `resourceType` (`kubernetes.pod`) picks GuardDuty's runtime finding type for a threat on a workload.
 * @example
 * vendorRuleName("lacework", rule); // "Ensure the S3 bucket ACL does not grant 'Everyone' READ permission [list S3 objects]"
 */
export function vendorRuleName(platform: BuiltInPlatform, rule: EstateRule, resourceType = ""): string {
  if (rule.vulnerability) return rule.title;
  const names = catalogNames[rule.archetype];
  if (!names) return rule.title;
  switch (platform) {
    case "wiz":
      return guardDutyType(names, resourceType) ?? names.control?.title ?? names.prowler?.title ?? rule.title;
    case "prisma":
      return names.prowler?.title ?? rule.title;
    case "orca":
      return names.prowler ? words(names.prowler.id) : rule.title;
    case "lacework":
      return names.laceworkAnomaly?.title ?? names.lacework?.title ?? names.control?.title ?? rule.title;
  }
}

/**
 * Orca's alert type of an estate rule (`AlertType`, `type`): the Prowler check id, as Orca's alert
 * types are snake-case identifiers of the check (`nacl_allows_all_outbound_ipv4_icmp`), else the
 * archetype id in that form; `vulnerable_package` for a vulnerability.
 */
export function orcaAlertType(rule: EstateRule): string {
  if (rule.vulnerability) return "vulnerable_package";
  return catalogNames[rule.archetype]?.prowler?.id ?? rule.archetype.replace(/-/g, "_");
}

/**
 * Lacework's policy id of an estate rule: the catalog's `lacework-global-N` or legacy id, else the
 * id of a custom policy of the sandbox tenant (`sandbox-<n>`, as Lacework names custom policies after
 * the tenant), stable per archetype.
 */
export function laceworkPolicyId(rule: EstateRule): string {
  return catalogNames[rule.archetype]?.lacework?.id ?? `sandbox-${customPolicyNumber(rule.archetype)}`;
}

/**
 * The `alertType` of the Lacework anomaly a threat is recorded as (`LoginFromSourceUsingCalltype`), or
 * `undefined` when the catalogs record none (the emulation then derives one from the category).
 */
export function laceworkAnomalyType(rule: EstateRule): string | undefined {
  return catalogNames[rule.archetype]?.laceworkAnomaly?.alertType;
}

/**
 * The rule id Wiz gives a threat it mirrors from GuardDuty (`cer-awsguardduty-<type as words>`, as in
 * the recorded Wiz issue events), or `undefined` when the rule mirrors none.
 */
export function wizGuardDutyRuleId(rule: EstateRule, resourceType = ""): string | undefined {
  const names = catalogNames[rule.archetype];
  const type = names && guardDutyType(names, resourceType);
  return (
    type &&
    `cer-awsguardduty-${type
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/-+$/, "")}`
  );
}

// Internal helpers.

/** The GuardDuty finding type of a threat: its runtime form (`CryptoCurrency:Runtime/…`) on a Kubernetes workload. */
function guardDutyType(names: CatalogNames, resourceType: string): string | undefined {
  return resourceType.startsWith("kubernetes.")
    ? names.guardDuty?.replace(":EC2/", ":Runtime/")
    : names.guardDuty;
}

/** Words whose case Orca's titles keep (`API Gateway`, `ICMP IPv4`). */
const acronyms: Readonly<Record<string, string>> = {
  s3: "S3",
  iam: "IAM",
  ec2: "EC2",
  rds: "RDS",
  kms: "KMS",
  cmk: "CMK",
  mfa: "MFA",
  tcp: "TCP",
  imdsv2: "IMDSv2",
  sa: "SA",
  awslambda: "AWS Lambda",
  cloudtrail: "CloudTrail",
  cloudstorage: "Cloud Storage",
  keyvault: "Key Vault",
  rdp: "RDP",
  securitygroup: "Security Group",
};

/** A snake-case id as a title (`s3_bucket_public_access` → `S3 Bucket Public Access`). */
function words(id: string): string {
  return id
    .split("_")
    .map((word) => acronyms[word] ?? `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
    .join(" ");
}

/** A stable small number per key (FNV-1a), for custom policy ids. */
function customPolicyNumber(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return ((hash >>> 0) % 900) + 100;
}
