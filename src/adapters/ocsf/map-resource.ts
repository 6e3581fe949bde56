import { type Finding, memoize, toTags } from "../../toolkit.js";

type Cloud = Finding["resource"]["cloud"];

/**
 * Maps a cloud name as OCSF producers write it (`cloud.provider`, `resources[].provider`, Prowler's
 * provider, a partition such as `aws-us-gov`) to a cloud, case-insensitively; `undefined` when it names
 * none of ours (`m365`, `github`, `iac`…), so the caller can look further.
 * @example
 * mapOcsfCloud("AWS"); // "aws"
 * mapOcsfCloud("oraclecloud"); // "oci"
 */
export function mapOcsfCloud(value: string | undefined): Cloud | undefined {
  if (value === undefined) return undefined;
  const lower = value.trim().toLowerCase();
  return cloudByName[lower] ?? (/^aws(-[a-z-]+)?$/.test(lower) ? "aws" : undefined);
}

/** The cloud a native type or a resource id is written for (`AWS::S3::Bucket`, `AwsS3Bucket`, an ARN, an Azure id…). */
export function cloudOfResource(nativeType: string, id: string): Cloud | undefined {
  const type = nativeType.trim();
  if (/^AWS::/i.test(type) || /^Aws[A-Z]/.test(type) || id.startsWith("arn:")) return "aws";
  if (/^microsoft\./i.test(type) || /^Azure[A-Z]/.test(type) || /^\/?subscriptions\//i.test(id))
    return "azure";
  if (
    /\.googleapis\.com\//i.test(type) ||
    /^Gcp[A-Z]/.test(type) ||
    /^\/\/[a-z0-9.-]+\.googleapis\.com\//.test(id)
  )
    return "gcp";
  if (/^(Kubernetes|K8s)[A-Z]/.test(type)) return "kubernetes";
  return undefined;
}

/**
 * Maps an OCSF resource type to `<cloud>.<service>.<kind>`: CloudFormation names (`AWS::S3::Bucket`, as
 * Security Hub writes them), ASFF names (`AwsS3Bucket`, as Prowler writes them), Azure ARM types
 * (`Microsoft.Storage/storageAccounts`), GCP asset types (`storage.googleapis.com/Bucket`) and Kubernetes
 * kinds (`Pod`) — the names the other adapters share where they overlap (`aws.rds.instance`,
 * `azure.storage.account`). A type that says nothing (`Other`, `NotDefined`, none) is read from the
 * resource id (an ARN, an Azure id, a GCP full name); what is left becomes `<cloud>.other.<native or
 * service>`. Memoized: a file repeats a few dozen types.
 * @example
 * mapOcsfResourceType("aws", "AwsS3Bucket", "arn:aws:s3:::logs"); // "aws.s3.bucket"
 * mapOcsfResourceType("aws", "Other", "arn:aws:iam::123456789012:root"); // "aws.account"
 * mapOcsfResourceType("gcp", "FirewallRule", "fw-1"); // "gcp.other.firewall-rule"
 */
export function mapOcsfResourceType(cloud: Cloud, nativeType: string, id: string, service = ""): string {
  return resourceTypeOf(cloud, nativeType.trim(), idShape(id), service);
}

/** What an ARN says: the account, region, and the resource's name. */
export interface ArnFacts {
  service: string;
  region?: string;
  accountId?: string;
  name: string;
}

/**
 * Reads an ARN (`arn:partition:service:region:account:resource`); `undefined` for anything else.
 * @example
 * parseArn("arn:aws:s3:::logs"); // { service: "s3", name: "logs" }
 */
export function parseArn(id: string): ArnFacts | undefined {
  if (!id.startsWith("arn:")) return undefined;
  const parts = id.split(":");
  if (parts.length < 6) return undefined;
  const service = parts[2]!.toLowerCase();
  const resource = parts.slice(5).join(":");
  const name = service === "s3" ? resource : resource.slice(resource.lastIndexOf("/") + 1) || resource;
  const facts: ArnFacts = {
    service,
    name: name.includes(":") ? name.slice(name.lastIndexOf(":") + 1) : name,
  };
  if (parts[3]) facts.region = parts[3];
  if (parts[4]) facts.accountId = parts[4];
  return facts;
}

/**
 * A resource's tags from OCSF `tags` (a `{ name, value }` list, or an object map) and `labels`, which
 * Prowler writes as `key:value` strings (a label without a colon becomes a tag with an empty value; an
 * AWS-reserved key such as `aws:cloudformation:stack-name` keeps its own colons). `tags` win over labels.
 * @example
 * ocsfTags(["Name:test", "aws:cloudformation:stack-name:web"], [{ name: "team", value: "data" }]);
 * // { Name: "test", "aws:cloudformation:stack-name": "web", team: "data" }
 */
export function ocsfTags(labels: readonly string[] | undefined, tags: unknown): Record<string, string> {
  const fromLabels = (labels ?? []).flatMap((label) => {
    if (label.startsWith(nativeTypeLabel)) return [];
    const separator = label.startsWith("aws:") ? nthIndexOf(label, ":", 3) : label.indexOf(":");
    if (separator < 0) return label.trim() === "" ? [] : [{ key: label.trim(), value: "" }];
    return [{ key: label.slice(0, separator).trim(), value: label.slice(separator + 1).trim() }];
  });
  return { ...toTags(fromLabels), ...toTags(tags) };
}

/**
 * The native type `toOcsf` keeps in a `native_type:<type>` label (OCSF resources have no field for it).
 * @example
 * nativeTypeLabelOf(["native_type:BUCKET"]); // "BUCKET"
 */
export function nativeTypeLabelOf(labels: readonly string[] | undefined): string | undefined {
  const label = labels?.find((entry) => entry.startsWith(nativeTypeLabel));
  return label === undefined ? undefined : label.slice(nativeTypeLabel.length) || undefined;
}

// Internal helpers.

const nativeTypeLabel = "native_type:";

const cloudByName: Record<string, Cloud> = {
  aws: "aws",
  amazon: "aws",
  "amazon web services": "aws",
  azure: "azure",
  "microsoft azure": "azure",
  microsoft: "azure",
  gcp: "gcp",
  google: "gcp",
  "google cloud": "gcp",
  "google cloud platform": "gcp",
  oci: "oci",
  oracle: "oci",
  oraclecloud: "oci",
  "oracle cloud": "oci",
  alibaba: "alibaba",
  alibabacloud: "alibaba",
  alicloud: "alibaba",
  "alibaba cloud": "alibaba",
  kubernetes: "kubernetes",
  k8s: "kubernetes",
};

/** Native types (lower case) whose name in our vocabulary is not what the general rules would give. */
const knownTypes: Record<string, string> = {
  "aws::rds::dbinstance": "aws.rds.instance",
  "aws::rds::dbcluster": "aws.rds.cluster",
  awsrdsdbinstance: "aws.rds.instance",
  awsrdsdbcluster: "aws.rds.cluster",
  "aws::::account": "aws.account",
  awsaccount: "aws.account",
  "microsoft.storage/storageaccounts": "azure.storage.account",
  "microsoft.compute/virtualmachines": "azure.compute.virtual-machine",
  "microsoft.network/networksecuritygroups": "azure.network.security-group",
  "microsoft.network/virtualnetworks": "azure.network.virtual-network",
  "microsoft.keyvault/vaults": "azure.keyvault.vault",
  "microsoft.sql/servers": "azure.sql.server",
  "microsoft.web/sites": "azure.web.function-app",
  "microsoft.containerservice/managedclusters": "azure.containerservice.cluster",
  "microsoft.resources/subscriptions": "azure.resources.subscription",
  "compute.googleapis.com/instance": "gcp.compute.instance",
  "compute.googleapis.com/firewall": "gcp.compute.firewall",
  "compute.googleapis.com/network": "gcp.compute.network",
  "storage.googleapis.com/bucket": "gcp.storage.bucket",
  "iam.googleapis.com/serviceaccount": "gcp.iam.service-account",
  "sqladmin.googleapis.com/instance": "gcp.sql.instance",
  "container.googleapis.com/cluster": "gcp.container.cluster",
  "cloudkms.googleapis.com/cryptokey": "gcp.kms.key",
  "cloudresourcemanager.googleapis.com/project": "gcp.resourcemanager.project",
};

/**
 * ASFF service names (`Aws<Service><Kind>`), longest first, as Security Hub's resource types and Prowler's
 * check metadata spell them; the rest of the name is the kind.
 */
const asffServices = [
  "SecretsManager",
  "CertificateManager",
  "ElasticBeanstalk",
  "NetworkFirewall",
  "OpenSearchService",
  "StepFunction",
  "ApiGatewayV2",
  "ApiGateway",
  "AutoScaling",
  "CloudFormation",
  "CloudFront",
  "CloudTrail",
  "CloudWatch",
  "CodeBuild",
  "DynamoDb",
  "ElastiCache",
  "Elasticsearch",
  "GuardDuty",
  "AmazonMQ",
  "SageMaker",
  "Redshift",
  "Route53",
  "Kinesis",
  "Lambda",
  "Backup",
  "Cognito",
  "WafRegional",
  "Wafv2",
  "Waf",
  "Elbv2",
  "Athena",
  "Glue",
  "Ec2",
  "Ecr",
  "Ecs",
  "Efs",
  "Eks",
  "Elb",
  "Emr",
  "Iam",
  "Kms",
  "Msk",
  "Rds",
  "Sns",
  "Sqs",
  "Ssm",
  "Dms",
  "S3",
].sort((a, b) => b.length - a.length);

/** A type as cloudsteward writes it, `<cloud>.<service>.<kind>`. */
const ownType = /^(aws|azure|gcp|oci|alibaba|kubernetes|other)(\.[a-z0-9_-]+)+$/;

/** Types that say nothing about the resource. */
const opaqueTypes = new Set(["", "other", "notdefined", "not defined", "unknown", "resource"]);

/** What the id says, reduced to the part type mapping needs (so the memo key is small). */
function idShape(id: string): string {
  const trimmed = id.trim();
  if (trimmed.startsWith("arn:")) {
    const parts = trimmed.split(":");
    const service = (parts[2] ?? "").toLowerCase();
    const resource = parts.slice(5).join(":");
    const kind = service === "s3" ? "bucket" : (resource.split(/[:/]/)[0] ?? "");
    return `arn:${service}:${kind.toLowerCase()}`;
  }
  if (/^\/?subscriptions\//i.test(trimmed)) {
    const parts = trimmed.replace(/^\/+|\/+$/g, "").split("/");
    const providers = parts.findIndex((part) => part.toLowerCase() === "providers");
    if (providers < 0) return "azure:";
    return `azure:${parts[providers + 1] ?? ""}/${parts[providers + 2] ?? ""}`.toLowerCase();
  }
  const gcp = /^\/\/([a-z0-9.-]+\.googleapis\.com)\/(.+)$/.exec(trimmed);
  if (gcp) {
    const parts = gcp[2]!.split("/");
    return `gcp:${gcp[1]}/${parts.at(-2) ?? ""}`.toLowerCase();
  }
  return "";
}

const resourceTypeOf = memoize((cloud: Cloud, nativeType: string, shape: string, service: string): string => {
  const lower = nativeType.toLowerCase();
  const known = knownTypes[lower];
  if (known) return known;
  // Already in our vocabulary (`toOcsf` writes it so): kept as it is.
  if (ownType.test(nativeType) && nativeType.startsWith(`${cloud}.`)) return nativeType;
  const cloudFormation = /^AWS::([A-Za-z0-9]+)::([A-Za-z0-9]+)$/i.exec(nativeType);
  if (cloudFormation) return `aws.${slug(cloudFormation[1]!)}.${kebab(cloudFormation[2]!)}`;
  if (/^Aws[A-Z]/.test(nativeType)) {
    const rest = nativeType.slice(3);
    const asffService = asffServices.find((name) => rest.startsWith(name) && rest.length > name.length);
    return asffService
      ? `aws.${slug(asffService)}.${kebab(rest.slice(asffService.length))}`
      : `aws.other.${kebab(rest)}`;
  }
  const arm = /^microsoft\.([a-z0-9]+)\/(.+)$/i.exec(nativeType);
  if (arm) return `azure.${slug(arm[1]!)}.${kebab(arm[2]!.split("/").at(-1)!)}`;
  const asset = /^([a-z0-9-]+)\.googleapis\.com\/([A-Za-z0-9]+)$/i.exec(nativeType);
  if (asset) return `gcp.${slug(asset[1]!)}.${kebab(asset[2]!)}`;
  if (cloud === "kubernetes" && !opaqueTypes.has(lower)) {
    return `kubernetes.${kebab(nativeType.replace(/^(Kubernetes|K8s)(?=[A-Z])/, ""))}`;
  }
  if (opaqueTypes.has(lower)) {
    const byId = typeFromIdShape(shape);
    if (byId) return byId;
    return `${cloud}.other.${slug(service) || "resource"}`;
  }
  return `${cloud}.other.${kebab(nativeType.replace(/^(Aws|Azure|Gcp|Oci)(?=[A-Z])/, "")) || "resource"}`;
}, 1024);

function typeFromIdShape(shape: string): string | undefined {
  if (shape.startsWith("arn:")) {
    const [, service = "", kind = ""] = shape.split(":");
    if (service === "iam" && kind === "root") return "aws.account";
    if (service === "rds" && kind === "db") return "aws.rds.instance";
    if (service === "rds" && kind === "cluster") return "aws.rds.cluster";
    return `aws.${slug(service) || "other"}.${slug(kind) || "resource"}`;
  }
  if (shape.startsWith("azure:")) {
    const native = shape.slice(6);
    if (native === "/") return undefined;
    return (
      knownTypes[`microsoft.${native.replace(/^microsoft\./, "")}`] ??
      `azure.other.${kebab(native.split("/").at(-1)!)}`
    );
  }
  if (shape.startsWith("gcp:")) {
    const [host = "", collection = ""] = shape.slice(4).split("/");
    const service = host.replace(/\.googleapis\.com$/, "");
    const byCollection: Record<string, string> = {
      "compute/instances": "gcp.compute.instance",
      "compute/firewalls": "gcp.compute.firewall",
      "compute/networks": "gcp.compute.network",
      "storage/buckets": "gcp.storage.bucket",
      "iam/serviceaccounts": "gcp.iam.service-account",
      "sqladmin/instances": "gcp.sql.instance",
      "container/clusters": "gcp.container.cluster",
    };
    return (
      byCollection[`${service}/${collection}`] ??
      `gcp.${slug(service) || "other"}.${slug(collection) || "resource"}`
    );
  }
  return undefined;
}

/** `SecurityGroup` → `security-group`, `DBInstance` → `db-instance`, `API Key` → `api-key`. */
function kebab(value: string): string {
  return slug(value.replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2").replace(/([a-z0-9])([A-Z])/g, "$1-$2"));
}

function slug(value: string): string {
  return (
    value
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || ""
  );
}

function nthIndexOf(text: string, search: string, n: number): number {
  let index = -1;
  for (let count = 0; count < n; count++) {
    index = text.indexOf(search, index + 1);
    if (index < 0) return -1;
  }
  return index;
}
