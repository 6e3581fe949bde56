import type { Cloud } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/** What {@link mapOrcaAssetType} returns. */
export interface OrcaAssetType {
  cloud: Cloud;
  /** `<cloud>.<service>.<kind>`. */
  type: string;
}

/**
 * Maps an Orca asset type (`AwsS3Bucket`, `AzureStorageAccount`, `GcpVmInstance`, `K8sPod`…, or a
 * first-generation lower-case one such as `vm`, `s3bucket`, `storage`, `vmimage`, `iam_policy`, read with
 * the alert's cloud) to the cloud and `<cloud>.<service>.<kind>` the Wiz adapter uses; an unknown type
 * becomes `<cloud>.other.<native>`, its cloud taken from the type's prefix or, failing that, from
 * `cloudProvider`.
 * @example
 * mapOrcaAssetType("AwsS3Bucket"); // { cloud: "aws", type: "aws.s3.bucket" }
 * mapOrcaAssetType("vm", "aws"); // { cloud: "aws", type: "aws.ec2.instance" }
 * mapOrcaAssetType("AwsQuantumLedger"); // { cloud: "aws", type: "aws.other.quantum-ledger" }
 */
export function mapOrcaAssetType(assetType: string, cloudProvider?: string): OrcaAssetType {
  const known = assetTypes[assetType];
  if (known) return known;
  return unknownAssetType(assetType, cloudProvider ?? "");
}

/** Maps Orca's `cloud_provider` / `CloudProvider` (`aws`, `azure`, `gcp`, `oci`, `alibaba`, `k8s`…); `other` for anything else. */
export function mapOrcaCloud(cloudProvider: string | undefined): Cloud {
  return orcaCloudOf(cloudProvider ?? "") ?? "other";
}

/**
 * The cloud an Orca `cloud_provider` word names, `other` for Orca's non-cloud providers (`shiftleft`, its
 * code and CI sources), `undefined` for a word Orca is not known to send.
 */
export function orcaCloudOf(cloudProvider: string): Cloud | undefined {
  return cloudByName[cloudProvider] ?? cloudByName[cloudProvider.trim().toLowerCase()];
}

/**
 * The cloud of an account id when the alert names no provider (first-generation alerts): a 12-digit AWS
 * account, an Azure subscription GUID; `undefined` otherwise.
 * @example
 * cloudOfAccountId("506464807365"); // "aws"
 */
export function cloudOfAccountId(accountId: string): Cloud | undefined {
  if (/^\d{12}$/.test(accountId)) return "aws";
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(accountId)) return "azure";
  return undefined;
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
  // Code repositories and CI sources (XSOAR and Google SecOps records): no cloud.
  shiftleft: "other",
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
      // Seen in XSOAR's recorded alerts (XSIAM modeling-rule test data).
      ["AwsApiGatewayEndpoint", "aws.apigateway.rest-api"],
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

/**
 * First-generation asset types (lower case, no cloud prefix; XSOAR's and Sentinel's recorded alerts), by the
 * alert's cloud.
 */
const legacyAssetTypes: Record<string, Partial<Record<Cloud, string>>> = {
  vm: { aws: "aws.ec2.instance", azure: "azure.compute.virtual-machine", gcp: "gcp.compute.instance" },
  s3bucket: { aws: "aws.s3.bucket" },
  storage: { aws: "aws.s3.bucket", azure: "azure.storage.account", gcp: "gcp.storage.bucket" },
  vmimage: { aws: "aws.ec2.image", azure: "azure.compute.image", gcp: "gcp.compute.image" },
  iam_policy: { aws: "aws.iam.policy" },
};

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

/** `vm` on AWS → `aws.ec2.instance`, `AwsQuantumLedger` → `aws.other.quantum-ledger` (memoized: asset types repeat). */
const unknownAssetType = memoize((assetType: string, provider: string): OrcaAssetType => {
  const prefix = cloudPrefixes.find(([name]) => assetType.startsWith(name));
  const cloud = prefix?.[1] ?? mapOrcaCloud(provider);
  const legacy = legacyAssetTypes[assetType]?.[cloud];
  if (legacy) return { cloud, type: legacy };
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
