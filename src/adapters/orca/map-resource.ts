import type { Cloud } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

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
