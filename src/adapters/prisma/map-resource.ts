import type { Cloud } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/** Maps `cloudType` (`aws`, `azure`, `gcp`, `alibaba_cloud`, `oci`, and `kubernetes` for workload alerts) to a cloud. */
export function mapPrismaCloud(cloudType: string | null | undefined): Cloud {
  return cloudByPrisma[(cloudType ?? "").trim().toLowerCase()] ?? "other";
}

/**
 * Maps a Prisma Cloud resource to `<cloud>.<service>.<kind>` (the Wiz adapter's vocabulary): by its
 * `resourceApiName` (e.g. `aws-s3api-get-bucket-acl`) when known, else by `resourceType` (e.g.
 * `MANAGED_BUCKET`) within the cloud, else `<cloud>.other.<api name or type>`. Memoized.
 * @example
 * mapPrismaResourceType("aws", "MANAGED_BUCKET", "aws-s3api-get-bucket-acl"); // "aws.s3.bucket"
 * mapPrismaResourceType("aws", "QUANTUM_THING"); // "aws.other.quantum-thing"
 */
export function mapPrismaResourceType(
  cloud: Cloud,
  resourceType: string | null | undefined,
  apiName?: string | null,
): string {
  return resourceTypeOf(cloud, resourceType ?? "", apiName ?? "");
}

/**
 * Maps an asset's `assetType` as Prisma Cloud's asset inventory words it (`EC2 Instance`, `Azure Virtual
 * Machine`, `AWS IAM Credential Report`) to `<cloud>.<service>.<kind>`, else `<cloud>.other.<asset type>`.
 * @example
 * mapPrismaAssetType("aws", "EC2 Instance"); // "aws.ec2.instance"
 */
export function mapPrismaAssetType(cloud: Cloud, assetType: string | null | undefined): string {
  const known = typeByAssetType[(assetType ?? "").trim().toLowerCase()];
  return known?.startsWith(`${cloud}.`) ? known : `${cloud}.other.${kebab(assetType ?? "")}`;
}

// Internal helpers.

/** Asset inventory type names (Elastic's misconfiguration samples), lower case. */
const typeByAssetType: Record<string, string> = {
  "ec2 instance": "aws.ec2.instance",
  "aws iam credential report": "aws.iam.user",
  "azure virtual machine": "azure.compute.virtual-machine",
  "azure log analytics workspace": "azure.operationalinsights.workspace",
};

const cloudByPrisma: Record<string, Cloud> = {
  aws: "aws",
  azure: "azure",
  gcp: "gcp",
  oci: "oci",
  alibaba_cloud: "alibaba",
  alibaba: "alibaba",
  kubernetes: "kubernetes",
  k8s: "kubernetes",
};

/** `resourceApiName` → type; the API name pins the cloud and service. */
const typeByApiName: Record<string, string> = {
  "aws-s3api-get-bucket-acl": "aws.s3.bucket",
  "aws-ec2-security-groups": "aws.ec2.security-group",
  "aws-ec2-describe-instances": "aws.ec2.instance",
  "aws-ec2-describe-security-groups": "aws.ec2.security-group",
  "aws-ec2-describe-vpcs": "aws.ec2.vpc",
  "aws-iam-list-roles": "aws.iam.role",
  "aws-iam-list-users": "aws.iam.user",
  "aws-iam-get-credential-report": "aws.iam.user",
  "aws-rds-describe-db-instances": "aws.rds.instance",
  "aws-lambda-list-functions": "aws.lambda.function",
  "aws-acm-describe-certificate": "aws.acm.certificate",
  "aws-kms-get-key-rotation-status": "aws.kms.key",
  "aws-cloudtrail-describe-trails": "aws.cloudtrail.trail",
  "aws-eks-describe-cluster": "aws.eks.cluster",
  "azure-storage-account-list": "azure.storage.account",
  "azure-vm-list": "azure.compute.virtual-machine",
  "azure-network-nsg-list": "azure.network.security-group",
  "azure-key-vault-list": "azure.keyvault.vault",
  "azure-sql-server-list": "azure.sql.server",
  "gcloud-compute-instances-list": "gcp.compute.instance",
  "gcloud-storage-buckets-list": "gcp.storage.bucket",
  "gcloud-iam-service-accounts-list": "gcp.iam.service-account",
  "gcloud-compute-firewall-rules-list": "gcp.compute.firewall",
  "gcloud-sql-instances-list": "gcp.sql.instance",
};

/** `resourceType` → service.kind per cloud (Prisma's cloud-neutral resource types). */
const typeByResourceType: Record<string, Partial<Record<Cloud, string>>> = {
  MANAGED_BUCKET: { aws: "aws.s3.bucket", gcp: "gcp.storage.bucket", oci: "oci.objectstorage.bucket" },
  STORAGE_BUCKET: { aws: "aws.s3.bucket", gcp: "gcp.storage.bucket", oci: "oci.objectstorage.bucket" },
  // Account-level checks (`resourceApiName` `account-agg-entity`): the account itself is the resource.
  PSEUDO_RESOURCE: {
    aws: "aws.organizations.account",
    azure: "azure.resources.subscription",
    gcp: "gcp.resourcemanager.project",
  },
  BUCKET: { aws: "aws.s3.bucket", gcp: "gcp.storage.bucket", oci: "oci.objectstorage.bucket" },
  INSTANCE: {
    aws: "aws.ec2.instance",
    azure: "azure.compute.virtual-machine",
    gcp: "gcp.compute.instance",
    oci: "oci.compute.instance",
  },
  SECURITY_GROUP: {
    aws: "aws.ec2.security-group",
    azure: "azure.network.security-group",
    gcp: "gcp.compute.firewall",
  },
  IAM_ROLE: { aws: "aws.iam.role", gcp: "gcp.iam.role" },
  IAM_USER: { aws: "aws.iam.user", azure: "azure.entra.user", gcp: "gcp.iam.user" },
  SERVICE_ACCOUNT: { gcp: "gcp.iam.service-account", azure: "azure.entra.service-principal" },
  MANAGED_DB: { aws: "aws.rds.instance", azure: "azure.sql.server", gcp: "gcp.sql.instance" },
  LAMBDA_FUNCTION: { aws: "aws.lambda.function" },
  SERVERLESS_FUNCTION: {
    aws: "aws.lambda.function",
    azure: "azure.web.function-app",
    gcp: "gcp.cloudfunctions.function",
  },
  KMS_KEY: { aws: "aws.kms.key", azure: "azure.keyvault.key", gcp: "gcp.kms.key" },
  TRAIL: { aws: "aws.cloudtrail.trail" },
  STORAGE_ACCOUNT: { azure: "azure.storage.account" },
  KEY_VAULT: { azure: "azure.keyvault.vault" },
  VPC: { aws: "aws.ec2.vpc", azure: "azure.network.virtual-network", gcp: "gcp.compute.network" },
  K8S_POD: { kubernetes: "kubernetes.pod" },
  K8S_DEPLOYMENT: { kubernetes: "kubernetes.deployment" },
};

const resourceTypeOf = memoize((cloud: Cloud, resourceType: string, apiName: string): string => {
  const byApi = typeByApiName[apiName.trim().toLowerCase()];
  if (byApi?.startsWith(`${cloud}.`)) return byApi;
  const normalized = resourceType
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");
  const known = typeByResourceType[normalized]?.[cloud];
  if (known) return known;
  if (cloud === "kubernetes" && normalized.startsWith("K8S_"))
    return `kubernetes.${kebab(normalized.slice(4))}`;
  return `${cloud}.other.${kebab(apiName || resourceType)}`;
}, 4096);

function kebab(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "unknown"
  );
}
