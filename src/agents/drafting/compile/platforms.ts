import { PolicyError } from "../../../core/errors.js";

/** What each platform calls a normalized resource type. */
export interface PlatformTypeNames {
  /** Wiz cloud configuration rule target native type. */
  wiz: string;
  /** Prisma Cloud RQL `api.name`. */
  prisma: string;
  /** Lacework (FortiCNAPP) LQL configuration datasource. */
  lacework: string;
  /** Orca Sonar model. */
  orca: string;
}

/**
 * The platform names of the resource types the templates use. These are inferred from public
 * examples and naming conventions, not verified against each platform's current catalog; a type
 * missing here gets names derived by the same conventions (see {@link platformTypeNames}).
 */
const known: Record<string, PlatformTypeNames> = {
  "aws.s3.bucket": {
    wiz: "AWS::S3::Bucket",
    prisma: "aws-s3api-get-bucket-acl",
    lacework: "LW_CFG_AWS_S3",
    orca: "AwsS3Bucket",
  },
  "aws.ec2.security-group": {
    wiz: "AWS::EC2::SecurityGroup",
    prisma: "aws-ec2-describe-security-groups",
    lacework: "LW_CFG_AWS_EC2_SECURITY_GROUPS",
    orca: "AwsEc2SecurityGroup",
  },
  "aws.ec2.instance": {
    wiz: "AWS::EC2::Instance",
    prisma: "aws-ec2-describe-instances",
    lacework: "LW_CFG_AWS_EC2_INSTANCES",
    orca: "AwsEc2Instance",
  },
  "aws.ec2.volume": {
    wiz: "AWS::EC2::Volume",
    prisma: "aws-ec2-describe-volumes",
    lacework: "LW_CFG_AWS_EC2_VOLUMES",
    orca: "AwsEc2EbsVolume",
  },
  "aws.ec2.vpc": {
    wiz: "AWS::EC2::VPC",
    prisma: "aws-ec2-describe-vpcs",
    lacework: "LW_CFG_AWS_EC2_VPCS",
    orca: "AwsEc2Vpc",
  },
  "aws.rds.instance": {
    wiz: "AWS::RDS::DBInstance",
    prisma: "aws-rds-describe-db-instances",
    lacework: "LW_CFG_AWS_RDS_DB_INSTANCES",
    orca: "AwsRdsDbInstance",
  },
  "aws.iam.user": {
    wiz: "AWS::IAM::User",
    prisma: "aws-iam-get-credential-report",
    lacework: "LW_CFG_AWS_IAM_USERS",
    orca: "AwsIamUser",
  },
  "aws.iam.role": {
    wiz: "AWS::IAM::Role",
    prisma: "aws-iam-list-roles",
    lacework: "LW_CFG_AWS_IAM_ROLES",
    orca: "AwsIamRole",
  },
  "aws.iam.policy": {
    wiz: "AWS::IAM::ManagedPolicy",
    prisma: "aws-iam-get-policy-version",
    lacework: "LW_CFG_AWS_IAM_POLICIES",
    orca: "AwsIamPolicy",
  },
  "aws.iam.password-policy": {
    wiz: "AWS::IAM::AccountPasswordPolicy",
    prisma: "aws-iam-get-account-password-policy",
    lacework: "LW_CFG_AWS_IAM_ACCOUNT_PASSWORD_POLICY",
    orca: "AwsIamPasswordPolicy",
  },
  "aws.cloudtrail.trail": {
    wiz: "AWS::CloudTrail::Trail",
    prisma: "aws-cloudtrail-describe-trails",
    lacework: "LW_CFG_AWS_CLOUDTRAIL",
    orca: "AwsCloudTrail",
  },
  "aws.kms.key": {
    wiz: "AWS::KMS::Key",
    prisma: "aws-kms-get-key-rotation-status",
    lacework: "LW_CFG_AWS_KMS_KEYS",
    orca: "AwsKmsKey",
  },
  "aws.lambda.function": {
    wiz: "AWS::Lambda::Function",
    prisma: "aws-lambda-list-functions",
    lacework: "LW_CFG_AWS_LAMBDA_FUNCTIONS",
    orca: "AwsLambdaFunction",
  },
  "aws.eks.cluster": {
    wiz: "AWS::EKS::Cluster",
    prisma: "aws-eks-describe-cluster",
    lacework: "LW_CFG_AWS_EKS_CLUSTERS",
    orca: "AwsEksCluster",
  },
  "azure.storage.account": {
    wiz: "Microsoft.Storage/storageAccounts",
    prisma: "azure-storage-account-list",
    lacework: "LW_CFG_AZURE_STORAGE_STORAGEACCOUNTS",
    orca: "AzureStorageAccount",
  },
  "azure.network.security-group": {
    wiz: "Microsoft.Network/networkSecurityGroups",
    prisma: "azure-network-nsg-list",
    lacework: "LW_CFG_AZURE_NETWORK_NETWORKSECURITYGROUPS",
    orca: "AzureNetworkSecurityGroup",
  },
  "azure.keyvault.vault": {
    wiz: "Microsoft.KeyVault/vaults",
    prisma: "azure-key-vault-list",
    lacework: "LW_CFG_AZURE_KEYVAULT_VAULTS",
    orca: "AzureKeyVault",
  },
  "azure.sql.database": {
    wiz: "Microsoft.Sql/servers/databases",
    prisma: "azure-sql-db-list",
    lacework: "LW_CFG_AZURE_SQL_SERVERS_DATABASES",
    orca: "AzureSqlDatabase",
  },
  "gcp.storage.bucket": {
    wiz: "storage#bucket",
    prisma: "gcloud-storage-buckets-list",
    lacework: "LW_CFG_GCP_STORAGE_BUCKET",
    orca: "GcpStorageBucket",
  },
  "gcp.compute.firewall": {
    wiz: "compute#firewall",
    prisma: "gcloud-compute-firewall-rules-list",
    lacework: "LW_CFG_GCP_COMPUTE_FIREWALL",
    orca: "GcpComputeFirewall",
  },
  "gcp.compute.instance": {
    wiz: "compute#instance",
    prisma: "gcloud-compute-instances-list",
    lacework: "LW_CFG_GCP_COMPUTE_INSTANCE",
    orca: "GcpComputeInstance",
  },
  "gcp.iam.service-account": {
    wiz: "iam#serviceAccount",
    prisma: "gcloud-iam-service-accounts-keys-list",
    lacework: "LW_CFG_GCP_IAM_SERVICE_ACCOUNT",
    orca: "GcpServiceAccount",
  },
  "gcp.sql.instance": {
    wiz: "sql#instance",
    prisma: "gcloud-sql-instances-list",
    lacework: "LW_CFG_GCP_SQLADMIN_INSTANCE",
    orca: "GcpSqlInstance",
  },
  "gcp.kms.crypto-key": {
    wiz: "cloudkms#cryptoKey",
    prisma: "gcloud-kms-keyring-list",
    lacework: "LW_CFG_GCP_CLOUDKMS_CRYPTOKEY",
    orca: "GcpKmsCryptoKey",
  },
  "kubernetes.pod": { wiz: "Pod", prisma: "k8s-pods-list", lacework: "LW_CFG_K8S_POD", orca: "K8sPod" },
};

/**
 * The platform names of a normalized resource type: from the table of known types, else derived
 * (`aws.foo.bar-baz` → Wiz `AWS::Foo::BarBaz`, Prisma `aws-foo-bar-baz`, Lacework `LW_CFG_AWS_FOO_BAR_BAZ`,
 * Orca `AwsFooBarBaz`).
 * @throws {PolicyError} when the type is not `<cloud>.<service>.<kind>`.
 */
export function platformTypeNames(type: string): PlatformTypeNames {
  const names = known[type];
  if (names !== undefined) return names;
  const parts = type.split(".");
  if (parts.length < 3 || parts.some((part) => !/^[a-z0-9-]+$/.test(part))) {
    throw new PolicyError(`Resource type ${JSON.stringify(type)} is not <cloud>.<service>.<kind>`);
  }
  const pascal = (part: string) =>
    part
      .split("-")
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join("");
  return {
    wiz: `${parts[0]?.toUpperCase()}::${parts.slice(1).map(pascal).join("::")}`,
    prisma: parts.join("-"),
    lacework: `LW_CFG_${parts.join("_").replaceAll("-", "_").toUpperCase()}`,
    orca: parts.map(pascal).join(""),
  };
}

/** The cloud of a normalized resource type (`aws`, `azure`, `gcp`, `kubernetes`…). */
export function cloudOf(type: string): string {
  return type.split(".")[0] ?? type;
}

/**
 * A path's segments in PascalCase, the casing Lacework's RESOURCE_CONFIG and Orca's models use; a tag
 * key (the segment after `tags`) keeps its case. Segments that are not identifiers are double-quoted.
 */
export function pascalSegments(path: string): string[] {
  const segments = path.split(".");
  return segments.map((segment, index) => {
    const keep = index > 0 && segments[index - 1] === "tags";
    const name =
      keep || !/^[a-z]/.test(segment) ? segment : segment.charAt(0).toUpperCase() + segment.slice(1);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name}"`;
  });
}
