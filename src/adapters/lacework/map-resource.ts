import type { Cloud } from "../../core/finding.js";
import { memoize } from "../../core/memo.js";

/** What a Lacework resource id says about the resource. */
export interface ResourceFacts {
  cloud: Cloud;
  /** `<cloud>.<service>.<kind>`, the vocabulary the Wiz adapter uses. */
  type: string;
  /** The native type as the id spells it (`s3:bucket`, `Microsoft.Storage/storageAccounts`, `compute.googleapis.com/instances`, `Pod`). */
  nativeType: string;
  name: string;
  accountId?: string;
  region?: string;
}

/**
 * Reads the cloud, normalized type, name, account and region from the resource ids Lacework reports: AWS
 * ARNs, Azure resource ids, GCP full resource names and `cluster/namespace/kind/name` Kubernetes paths.
 * `hint` (Lacework's `source`/`csp`: `AWS`, `Azure`, `GCP`, `K8s`) picks the cloud of anything else, whose
 * type becomes `<cloud>.other.<hintType>`.
 * @example
 * resourceFacts("arn:aws:s3:::logs"); // { cloud: "aws", type: "aws.s3.bucket", nativeType: "s3:bucket", name: "logs" }
 */
export function resourceFacts(id: string, hint?: string | null, hintType?: string | null): ResourceFacts {
  // Pure in its three strings, and resources recur across a tenant's alerts: computed once each. An ARN
  // says everything itself (the hints are not read), so it is looked up by the id alone.
  if (id.startsWith("arn:")) return cachedArnFacts(id);
  return cachedFacts(id, hint ?? "", hintType ?? "");
}

// Internal helpers.

/** The facts of a `resourceFacts` key; shared objects, so they are frozen. */
const cachedFacts = memoize(
  (id: string, hint: string, hintType: string): ResourceFacts =>
    Object.freeze(computeFacts(id, hint, hintType)),
  10_000,
);

/** The facts of an ARN (as `computeFacts` reads it, whatever the hints); shared objects, so they are frozen. */
const cachedArnFacts = memoize((id: string): ResourceFacts => Object.freeze(awsFacts(id.trim())), 10_000);

function computeFacts(id: string, hint?: string, hintType?: string): ResourceFacts {
  const trimmed = id.trim();
  if (trimmed.startsWith("arn:")) return awsFacts(trimmed);
  if (/^\/?subscriptions\//i.test(trimmed)) return azureFacts(trimmed);
  if (trimmed.startsWith("//") && trimmed.includes(".googleapis.com/")) return gcpFacts(trimmed);
  const parts = trimmed.split("/");
  // An agent reports Kubernetes objects with source `Agent`: the object kind still says what it is.
  const cloud = kubernetesKinds.has((hintType ?? "").toLowerCase()) ? "kubernetes" : mapLaceworkCloud(hint);
  if (cloud === "kubernetes" && parts.length === 4) {
    const kind = slug(parts[2]!);
    return { cloud, type: `kubernetes.${kind}`, nativeType: parts[2]!, name: parts[3]!, accountId: parts[0] };
  }
  const native = hintType?.trim() || "resource";
  return { cloud, type: `${cloud}.other.${slug(native)}`, nativeType: native, name: parts.at(-1) ?? trimmed };
}

/**
 * Maps Lacework's cloud and event-source names to a cloud, case-insensitively: `AWS`, `Azure`, `GCP`,
 * `OCI`, `K8s`/`Kubernetes` (alerts' `derivedFields.source`, `csp`), and the webhook's and events'
 * sources, which start with their cloud (`AwsCompliance`, `AzureCompliance`, `GcpAuditTrail`,
 * `CloudTrailCep`…); anything else (`Agent`, `LWComposite`, empty) is `other`.
 * @example
 * mapLaceworkCloud("AzureCompliance"); // "azure"
 */
export function mapLaceworkCloud(value: string | null | undefined): Cloud {
  return laceworkCloudOf(value ?? "") ?? "other";
}

/**
 * The cloud a Lacework source word names (see {@link mapLaceworkCloud}), `other` for the sources that are
 * no cloud (`Agent`, `LWComposite`, `App`, `User`, `TestEvent`, `Platform`, empty), `undefined` for a word
 * Lacework is not known to send.
 */
export const laceworkCloudOf = memoize((value: string): Cloud | undefined => {
  const word = value.trim().toLowerCase();
  const exact = cloudByName[word];
  if (exact) return exact;
  const prefix = cloudPrefixes.find(([start]) => word.startsWith(start));
  return prefix?.[1];
}, 256);

const kubernetesKinds = new Set([
  "pod",
  "deployment",
  "daemonset",
  "statefulset",
  "replicaset",
  "job",
  "cronjob",
  "namespace",
  "service",
]);

const cloudByName: Record<string, Cloud> = {
  aws: "aws",
  azure: "azure",
  gcp: "gcp",
  oci: "oci",
  k8s: "kubernetes",
  kubernetes: "kubernetes",
  // Sources that are no cloud: the agent, composite alerts, event categories, the platform itself.
  "": "other",
  agent: "other",
  lwcomposite: "other",
  composite: "other",
  app: "other",
  user: "other",
  testevent: "other",
  platform: "other",
};

/** Event sources and models that begin with their cloud (`AwsCompliance`, `CloudTrailCep`, `GcpAuditTrail`). */
const cloudPrefixes: readonly [string, Cloud][] = [
  ["aws", "aws"],
  ["cloudtrail", "aws"],
  ["azure", "azure"],
  ["gcp", "gcp"],
  ["gke", "gcp"],
  ["oci", "oci"],
  ["k8s", "kubernetes"],
  ["kubernetes", "kubernetes"],
];

/** `service:kind` of an ARN → normalized type (kinds not listed become `aws.<service>.<kind>`). */
const awsTypes: Record<string, string> = {
  "s3:bucket": "aws.s3.bucket",
  "rds:db": "aws.rds.instance",
  "rds:cluster": "aws.rds.cluster",
  "secretsmanager:secret": "aws.secretsmanager.secret",
  "logs:log-group": "aws.logs.log-group",
};

/** `Microsoft.<Provider>/<type>` (lower case) → normalized type. */
const azureTypes: Record<string, string> = {
  "microsoft.storage/storageaccounts": "azure.storage.account",
  "microsoft.compute/virtualmachines": "azure.compute.virtual-machine",
  "microsoft.network/networksecuritygroups": "azure.network.security-group",
  "microsoft.network/virtualnetworks": "azure.network.virtual-network",
  "microsoft.keyvault/vaults": "azure.keyvault.vault",
  "microsoft.sql/servers": "azure.sql.server",
  "microsoft.web/sites": "azure.web.function-app",
  "microsoft.containerservice/managedclusters": "azure.containerservice.cluster",
};

/** `<service>/<collection>` of a GCP full resource name → normalized type. */
const gcpTypes: Record<string, string> = {
  "compute/instances": "gcp.compute.instance",
  "compute/firewalls": "gcp.compute.firewall",
  "compute/networks": "gcp.compute.network",
  "storage/buckets": "gcp.storage.bucket",
  "iam/serviceaccounts": "gcp.iam.service-account",
  "sqladmin/instances": "gcp.sql.instance",
  "container/clusters": "gcp.container.cluster",
  "cloudkms/cryptokeys": "gcp.kms.key",
};

/** The normalized type of an ARN's `service:kind`, memoized: a few dozen pairs cover every record. */
const awsTypeOf = memoize((key: string): string => {
  const known = awsTypes[key];
  if (known) return known;
  const [service = "other", kind = "resource"] = key.split(":");
  return `aws.${slug(service)}.${slug(kind)}`;
}, 1024);

function awsFacts(arn: string): ResourceFacts {
  // arn:partition:service:region:account:resource, where the resource may hold ':' or '/'.
  const parts = arn.split(":");
  const service = (parts[2] ?? "").toLowerCase();
  const region = parts[3] || undefined;
  const accountId = parts[4] || undefined;
  const resource = parts.slice(5).join(":");
  const separator = resource.search(/[:/]/);
  // S3 ARNs name the bucket alone; the others are `kind/name` or `kind:name`.
  const kind = service === "s3" ? "bucket" : separator < 0 ? resource : resource.slice(0, separator);
  const name =
    service === "s3"
      ? resource
      : separator < 0
        ? resource
        : resource.slice(resource.lastIndexOf("/") + 1 || separator + 1);
  const nativeType = `${service}:${kind}`;
  return { cloud: "aws", type: awsTypeOf(nativeType.toLowerCase()), nativeType, name, accountId, region };
}

function azureFacts(id: string): ResourceFacts {
  const parts = id.replace(/^\/+|\/+$/g, "").split("/");
  const providers = parts.findIndex((part) => part.toLowerCase() === "providers");
  const provider = providers >= 0 ? (parts[providers + 1] ?? "") : "";
  const kind = providers >= 0 ? (parts[providers + 2] ?? "") : "";
  const nativeType = `${provider}/${kind}`;
  const type = azureTypes[nativeType.toLowerCase()] ?? `azure.other.${slug(kind || "resource")}`;
  return { cloud: "azure", type, nativeType, name: parts.at(-1) ?? "", accountId: parts[1] };
}

function gcpFacts(id: string): ResourceFacts {
  const host = id.slice(2, id.indexOf("/", 2));
  const service = host.replace(/\.googleapis\.com$/, "");
  const parts = id.slice(host.length + 3).split("/");
  const collection = parts.at(-2) ?? "";
  const projects = parts.indexOf("projects");
  const project = projects >= 0 ? parts[projects + 1] : undefined;
  const zones = parts.findIndex((part) => part === "zones" || part === "regions" || part === "locations");
  const location = zones >= 0 ? parts[zones + 1] : undefined;
  const type =
    gcpTypes[`${service}/${collection.toLowerCase()}`] ?? `gcp.other.${slug(collection || service)}`;
  return {
    cloud: "gcp",
    type,
    nativeType: `${host}/${collection}`,
    name: (parts.at(-1) ?? "").replace(/@.*$/, ""),
    accountId: project === "_" ? undefined : project,
    region: location?.replace(/-[a-z]$/, ""),
  };
}

function slug(value: string): string {
  return (
    value
      .trim()
      .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "unknown"
  );
}
