import type { Cloud } from "../../core/finding.js";

/**
 * The cloud of a `cloudPlatform` value Wiz documents (the list the XSOAR WizDefend integration filters
 * by), case-insensitively: `AWS`, `Azure`, `GCP`, `OCI`, `Alibaba`, the Kubernetes flavours (`EKS`,
 * `AKS`, `GKE`, `OKE`, `ACK`, `LKE`, `OpenShift`) as `kubernetes`, the platforms that are no cloud of ours
 * (`vSphere`, `GitHub`, `Snowflake`, `Okta`…) as `other`; `undefined` for a value Wiz does not
 * document, so the caller can warn about it.
 * @example
 * knownWizCloud("EKS"); // "kubernetes"
 */
export function knownWizCloud(cloudPlatform: string | null | undefined): Cloud | undefined {
  return cloudByPlatform[(cloudPlatform ?? "").trim().toLowerCase()];
}

/**
 * The cloud a Wiz Defend event origin (`AWS_GUARD_DUTY`, `AZURE_ACTIVITY_LOGS`, `GCP_AUDIT_LOGS`,
 * `OCI_AUDIT_LOGS`, `WIZ_KUBERNETES_AUDIT_LOGS_COLLECTOR`…, or a webhook's `tdrSource` such as
 * `GUARD_DUTY`) comes from; `undefined` for origins that name no cloud (the Wiz sensor, Okta, GitHub…).
 * @example
 * cloudOfOrigin("AWS_CLOUDTRAIL"); // "aws"
 */
export function cloudOfOrigin(origin: string | null | undefined): Cloud | undefined {
  const value = (origin ?? "").trim().toUpperCase();
  if (value.startsWith("AWS_") || value === "GUARD_DUTY" || value === "CLOUDTRAIL") return "aws";
  if (value.startsWith("AZURE_")) return "azure";
  if (value.startsWith("GCP_")) return "gcp";
  if (value.startsWith("OCI_")) return "oci";
  if (value.includes("KUBERNETES")) return "kubernetes";
  return undefined;
}

/**
 * The cloud a resource id names without doubt — an AWS ARN (`arn:aws…`), a Wiz Kubernetes id (`k8s/…`),
 * an Azure resource id (`/subscriptions/…`) — else `undefined`. It wins over `cloudPlatform`, which
 * some records set to the cluster flavour (`EKS`) for a cloud account's own resources.
 * @example
 * cloudOfResourceId("arn:aws:iam::998231069301:root"); // "aws"
 */
export function cloudOfResourceId(id: string | undefined): Cloud | undefined {
  if (!id) return undefined;
  if (id.startsWith("arn:aws")) return "aws";
  if (id.startsWith("k8s/")) return "kubernetes";
  if (id.startsWith("/subscriptions/")) return "azure";
  return undefined;
}

/** The `cloudPlatform` value Wiz uses for a cloud. */
export function toWizCloudPlatform(cloud: Cloud): string {
  return wizCloudPlatforms[cloud];
}

/**
 * Maps a Wiz graph type (`BUCKET`, `VIRTUAL_MACHINE`, or the webhook's camel-case `virtualMachine`) and the
 * cloud-native type to `<cloud>.<service>.<kind>`; unknown types become `<cloud>.other.<native>`, and a
 * Kubernetes object `kubernetes.<kind>` from its native kind (`ClusterRole` → `kubernetes.cluster-role`).
 * @example
 * mapWizResourceType("aws", "BUCKET", "bucket"); // "aws.s3.bucket"
 * mapWizResourceType("aws", "QUANTUM_THING", "qx#thing"); // "aws.other.qx-thing"
 */
export function mapWizResourceType(cloud: Cloud, graphType: string, nativeType?: string | null): string {
  const type = toGraphType(graphType);
  const byNative = nativeType ? nativeTypes[nativeType.trim().toLowerCase()] : undefined;
  if (byNative?.startsWith(`${cloud}.`)) return byNative;
  const known = graphTypes[type]?.[cloud];
  if (known) return known;
  if (cloud === "kubernetes") return `kubernetes.${slug(toGraphType(nativeType || type))}`;
  return `${cloud}.other.${slug(nativeType || type)}`;
}

// Internal helpers.

/**
 * Every `cloudPlatform` value in the XSOAR WizDefend integration's list (WizDefend.py, `CloudPlatform`),
 * lower case, and the spellings the adapter accepted before (`amazon web services`, `google cloud`, `k8s`).
 */
const cloudByPlatform: Record<string, Cloud> = {
  aws: "aws",
  "amazon web services": "aws",
  azure: "azure",
  gcp: "gcp",
  "google cloud": "gcp",
  oci: "oci",
  alibaba: "alibaba",
  kubernetes: "kubernetes",
  k8s: "kubernetes",
  eks: "kubernetes",
  aks: "kubernetes",
  gke: "kubernetes",
  oke: "kubernetes",
  ack: "kubernetes",
  lke: "kubernetes",
  openshift: "kubernetes",
  vsphere: "other",
  openstack: "other",
  linode: "other",
  azuredevops: "other",
  github: "other",
  gitlab: "other",
  bitbucket: "other",
  terraform: "other",
  openai: "other",
  snowflake: "other",
  mongodbatlas: "other",
  databricks: "other",
  okta: "other",
  cloudflare: "other",
  microsoft365: "other",
  wiz: "other",
  selfhosted: "other",
};

const wizCloudPlatforms: Record<Cloud, string> = {
  aws: "AWS",
  azure: "Azure",
  gcp: "GCP",
  oci: "OCI",
  alibaba: "Alibaba",
  kubernetes: "Kubernetes",
  other: "Other",
};

/** Graph type → service.kind per cloud (Wiz's cloud-neutral types). */
const graphTypes: Record<string, Partial<Record<Cloud, string>>> = {
  BUCKET: {
    aws: "aws.s3.bucket",
    gcp: "gcp.storage.bucket",
    azure: "azure.storage.container",
    oci: "oci.objectstorage.bucket",
  },
  VIRTUAL_MACHINE: {
    aws: "aws.ec2.instance",
    azure: "azure.compute.virtual-machine",
    gcp: "gcp.compute.instance",
    oci: "oci.compute.instance",
  },
  ACCESS_ROLE: { aws: "aws.iam.role", azure: "azure.authorization.role-definition", gcp: "gcp.iam.role" },
  USER_ACCOUNT: { aws: "aws.iam.user", azure: "azure.entra.user", gcp: "gcp.iam.user" },
  SERVICE_ACCOUNT: {
    aws: "aws.iam.role",
    azure: "azure.entra.service-principal",
    gcp: "gcp.iam.service-account",
  },
  FIREWALL: {
    aws: "aws.ec2.security-group",
    azure: "azure.network.security-group",
    gcp: "gcp.compute.firewall",
  },
  DB_SERVER: { aws: "aws.rds.instance", azure: "azure.sql.server", gcp: "gcp.sql.instance" },
  DATABASE: { aws: "aws.rds.database", azure: "azure.sql.database", gcp: "gcp.sql.database" },
  SERVERLESS: {
    aws: "aws.lambda.function",
    azure: "azure.web.function-app",
    gcp: "gcp.cloudfunctions.function",
  },
  ENCRYPTION_KEY: { aws: "aws.kms.key", azure: "azure.keyvault.key", gcp: "gcp.kms.key" },
  SECRET_CONTAINER: {
    aws: "aws.secretsmanager.secret",
    azure: "azure.keyvault.vault",
    gcp: "gcp.secretmanager.secret",
  },
  STORAGE_ACCOUNT: { azure: "azure.storage.account" },
  CLOUD_LOG_CONFIGURATION: {
    aws: "aws.cloudtrail.trail",
    azure: "azure.monitor.diagnostic-setting",
    gcp: "gcp.logging.sink",
  },
  KUBERNETES_CLUSTER: {
    aws: "aws.eks.cluster",
    azure: "azure.containerservice.cluster",
    gcp: "gcp.container.cluster",
  },
  CONTAINER_IMAGE: {
    aws: "aws.ecr.image",
    azure: "azure.containerregistry.image",
    gcp: "gcp.artifactregistry.image",
  },
  NETWORK_INTERFACE: {
    aws: "aws.ec2.network-interface",
    azure: "azure.network.interface",
    gcp: "gcp.compute.network-interface",
  },
  VIRTUAL_NETWORK: { aws: "aws.ec2.vpc", azure: "azure.network.virtual-network", gcp: "gcp.compute.network" },
  SUBSCRIPTION: {
    aws: "aws.organizations.account",
    azure: "azure.resources.subscription",
    gcp: "gcp.resourcemanager.project",
  },
};

/** Cloud-native type names that pin the service more precisely than the graph type. */
const nativeTypes: Record<string, string> = {
  "microsoft.storage/storageaccounts": "azure.storage.account",
  "microsoft.compute/virtualmachines": "azure.compute.virtual-machine",
  "microsoft.keyvault/vaults": "azure.keyvault.vault",
  "microsoft.network/networksecuritygroups": "azure.network.security-group",
  "rds#dbinstance": "aws.rds.instance",
  "ec2#instance": "aws.ec2.instance",
  "compute#instance": "gcp.compute.instance",
  "storage#bucket": "gcp.storage.bucket",
  "iam.googleapis.com/serviceaccount": "gcp.iam.service-account",
};

const graphTypeCache = new Map<string, string>();

/** `virtualMachine` / `VIRTUAL_MACHINE` / `virtual-machine` → `VIRTUAL_MACHINE` (memoized: types repeat). */
function toGraphType(value: string): string {
  let type = graphTypeCache.get(value);
  if (type === undefined) {
    type = value
      .trim()
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/[\s-]+/g, "_")
      .toUpperCase();
    if (graphTypeCache.size < 1024) graphTypeCache.set(value, type);
  }
  return type;
}

function slug(value: string): string {
  return (
    value
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .replace(/_/g, "-") || "unknown"
  );
}
