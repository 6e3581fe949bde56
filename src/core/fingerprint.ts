import * as crypto from "node:crypto";
import type { Resource } from "./finding.js";

/** The resource fields {@link canonicalResourceKey} reads. */
export type ResourceIdentity = Pick<Resource, "id" | "cloud" | "accountId" | "type" | "name" | "region">;

/**
 * The SHA-256 of UTF-8 `text`, as lower-case hex. Uses Node's one-shot `crypto.hash` (20.12+; about
 * 2.5× faster for short inputs because no Hash object is built) and `createHash` on older releases.
 * @example
 * sha256Hex("abc"); // "ba7816bf…"
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

/**
 * A short stable hash of `parts`: SHA-256 over the length-prefixed parts, hex, first 24 characters.
 * Length prefixes (in UTF-8 bytes) make the join unambiguous, so `("ab", "c")` and `("a", "bc")` differ.
 * @example
 * const caseId = `case_${stableHash("wiz", finding.source.nativeId)}`;
 */
export function stableHash(...parts: string[]): string {
  let joined = "";
  for (const part of parts) joined += `${Buffer.byteLength(part, "utf8")}:${part}`;
  return sha256Hex(joined).slice(0, 24);
}

/**
 * The key of the real resource behind a platform's record, equal across platforms that report the
 * same resource: lower-cased AWS ARNs (S3 buckets as `arn:aws:s3:::bucket`; IAM names without their
 * path and EC2 ids without a region, both unique per account; bare EC2/VPC ids and IAM/S3 names
 * completed from `accountId` and `type`), lower-cased Azure resource ids
 * without trailing slashes, GCP resource names without their service prefix, Kubernetes objects as
 * `k8s:cluster/namespace/kind/name`, and otherwise `cloud:accountId:type:name` for opaque ids.
 * @example
 * canonicalResourceKey({ id: "my-bucket", cloud: "aws", accountId: "123456789012", type: "aws.s3.bucket", name: "my-bucket" });
 * // → "arn:aws:s3:::my-bucket", as for { id: "arn:aws:s3:::my-bucket", … }
 */
export function canonicalResourceKey(resource: ResourceIdentity): string {
  // Each reading below compares the id in lower case: lower-cased once here.
  const lower = resource.id.trim().toLowerCase();
  const unslashed = lower.endsWith("/") ? lower.replace(/\/+$/, "") : lower;
  return (
    awsKey(lower, resource) ??
    azureKey(unslashed) ??
    gcpKey(unslashed, resource) ??
    kubernetesKey(lower, resource) ??
    opaqueKey(lower, resource)
  );
}

/**
 * The cross-platform dedup key of a finding: the rule archetype (compared case-insensitively) on
 * the canonical resource.
 * @example
 * const key = dedupKey("s3-bucket-public-read", finding.resource); // "dk_3f9c…"
 */
export function dedupKey(archetype: string, resource: ResourceIdentity): string {
  let byId = dedupKeysByArchetype.get(archetype);
  const cached = byId?.get(resource.id);
  if (
    cached !== undefined &&
    cached.cloud === resource.cloud &&
    cached.accountId === resource.accountId &&
    cached.type === resource.type &&
    cached.name === resource.name
  ) {
    return cached.key;
  }
  const key = flatDedupKey(stableHash(archetype.trim().toLowerCase(), canonicalResourceKey(resource)));
  if (!seenBefore(archetype, resource.id)) return key;
  if (dedupKeyCount >= dedupKeyLimit) {
    dedupKeysByArchetype.clear();
    dedupKeyCount = 0;
    byId = undefined;
  }
  if (byId === undefined) {
    byId = new Map();
    dedupKeysByArchetype.set(archetype, byId);
  }
  const { cloud, accountId, type, name } = resource;
  byId.set(resource.id, { cloud, accountId, type, name, key });
  dedupKeyCount++;
  return key;
}

// Internal helpers.

/**
 * The keys {@link dedupKey} computed, by archetype and resource id, each with the other fields
 * {@link canonicalResourceKey} reads (a hit must match them all, so the key is the same value, cached
 * or not). A platform reports the same rule on the same resource again and again (Lacework's alerts
 * repeat about one pair in two), and the canonical key and its SHA-256 are most of a key's cost: a hit
 * costs two map lookups and four string comparisons, with no key string built. Emptied past
 * {@link dedupKeyLimit} entries, as `memoize` does, so memory stays bounded.
 *
 * Only pairs seen before ({@link seenBefore}) get an entry. An entry outlives a few young-generation
 * collections, so it is promoted to the old generation with the strings it holds, and an emptied map
 * keeps its entries alive until the next full collection: caching every pair of an estate where pairs
 * do not repeat (Wiz issues, Prisma alerts) moved about 270 MB to the old generation per million
 * findings and raised a streaming run's peak RSS from 147 to 195 MB, for no hit.
 */
const dedupKeysByArchetype = new Map<string, Map<string, CachedDedupKey>>();
let dedupKeyCount = 0;
/** The entries {@link dedupKeysByArchetype} holds at most. */
const dedupKeyLimit = 2048;

/**
 * `dk_` and `hash` as one flat string. The template literal gave a rope of `dk_` and a slice of the
 * 64-digit SHA-256, about 150 bytes of heap held by every finding (in the Store's cache, the MCP
 * index, triage's samples) against 48 for the flat string, and `String.fromCharCode` is no slower.
 */
function flatDedupKey(hash: string): string {
  for (let index = 0; index < hash.length; index++) dedupKeyCodes[3 + index] = hash.charCodeAt(index);
  return String.fromCharCode.apply(null, dedupKeyCodes);
}

/** `dk_` and 24 hex digits, as char codes ({@link flatDedupKey} fills the digits). */
const dedupKeyCodes = [0x64, 0x6b, 0x5f, ...new Array<number>(24).fill(0x30)];

/**
 * Whether {@link dedupKey} was asked for this archetype and resource id lately, as far as a table of
 * {@link dedupKeyLimit} pair hashes remembers (a typed array: nothing for the garbage collector to
 * trace or promote). As many slots as the cache holds entries: a pair that comes back only after
 * thousands of others (an estate read again) would have left the cache before its next sighting, so
 * it is not cached (caching it cost Wiz's normalize 0.5 µs a record for no hit). A hash collision
 * or an overwritten slot only moves a pair's first cache entry one sighting earlier or later.
 */
function seenBefore(archetype: string, resourceId: string): boolean {
  const hash = fnv1a(resourceId, fnv1a(archetype));
  const slot = hash & (seenPairs.length - 1);
  if (seenPairs[slot] === hash) return true;
  seenPairs[slot] = hash;
  return false;
}

const seenPairs = new Int32Array(dedupKeyLimit);

/**
 * FNV-1a over the UTF-16 code units of `value`, as a signed 32-bit integer; another `seed`, another
 * hash (pass one hash as the seed of the next to hash several strings).
 * @example
 * fnv1a("arn:aws:s3:::my-bucket"); // a number in [-2^31, 2^31)
 */
export function fnv1a(value: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let index = 0; index < value.length; index++) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** A computed dedup key and the resource fields besides the id it was computed from. */
interface CachedDedupKey {
  cloud: string;
  accountId: string;
  type: string;
  name: string;
  key: string;
}

/** AWS services whose ARNs carry no region (and, for S3, no account). */
const globalAwsServices = new Set(["iam", "s3", "cloudfront", "route53", "organizations", "waf"]);

/** Bare AWS ids (as Prisma and Lacework report them) and the ARN resource type they stand for. */
const awsIdPrefixes: readonly [RegExp, string, string][] = [
  [/^i-[0-9a-f]{8,17}$/, "ec2", "instance"],
  [/^sg-[0-9a-f]{8,17}$/, "ec2", "security-group"],
  [/^vpc-[0-9a-f]{8,17}$/, "ec2", "vpc"],
  [/^subnet-[0-9a-f]{8,17}$/, "ec2", "subnet"],
  [/^vol-[0-9a-f]{8,17}$/, "ec2", "volume"],
  [/^snap-[0-9a-f]{8,17}$/, "ec2", "snapshot"],
  [/^eni-[0-9a-f]{8,17}$/, "ec2", "network-interface"],
];

/** Resource types whose bare name is enough to build the ARN. */
const awsNamedTypes: Record<string, (name: string, account: string) => string> = {
  "aws.s3.bucket": (name) => `arn:aws:s3:::${name}`,
  "aws.iam.role": (name, account) => `arn:aws:iam::${account}:role/${name}`,
  "aws.iam.user": (name, account) => `arn:aws:iam::${account}:user/${name}`,
  "aws.iam.policy": (name, account) => `arn:aws:iam::${account}:policy/${name}`,
  "aws.iam.group": (name, account) => `arn:aws:iam::${account}:group/${name}`,
};

/** `lower`: the id, trimmed and lower-cased. */
function awsKey(lower: string, resource: ResourceIdentity): string | undefined {
  if (lower.startsWith("arn:")) return canonicalArn(lower);
  if (resource.cloud !== "aws") return undefined;
  const account = resource.accountId.trim().toLowerCase();
  for (const [pattern, service, kind] of awsIdPrefixes) {
    if (pattern.test(lower) && account !== "") return `arn:aws:${service}::${account}:${kind}/${lower}`;
  }
  const build = awsNamedTypes[resource.type];
  if (build === undefined) return undefined;
  // The name is the bucket/role name on every platform (a bare id stands in when `name` is empty);
  // an IAM path in front of it is dropped, as canonicalArn does.
  const name = (resource.name.trim().toLowerCase() || (isPlainName(lower) ? lower : "")).replace(/^.*\//, "");
  if (name === "" || (account === "" && resource.type !== "aws.s3.bucket")) return undefined;
  return build(name, account);
}

/**
 * Lower-cases an ARN and drops what some platforms add or omit: the region (and the account for S3)
 * of global services, the region of EC2 ids (unique per account), and IAM paths (IAM names are
 * unique per account whatever their path).
 */
function canonicalArn(arn: string): string {
  // arn:partition:service:region:account:resource, where the resource part may contain colons.
  const partitionEnd = arn.indexOf(":", 4);
  const serviceEnd = partitionEnd < 0 ? -1 : arn.indexOf(":", partitionEnd + 1);
  const regionEnd = serviceEnd < 0 ? -1 : arn.indexOf(":", serviceEnd + 1);
  const accountEnd = regionEnd < 0 ? -1 : arn.indexOf(":", regionEnd + 1);
  if (accountEnd < 0) return arn; // not a complete ARN: compared as written
  const partition = arn.slice(4, partitionEnd);
  const service = arn.slice(partitionEnd + 1, serviceEnd);
  const resourcePart = arn.slice(accountEnd + 1);
  if (service === "s3") return `arn:${partition}:s3:::${resourcePart}`;
  const resource = service === "iam" ? resourcePart.replace(iamPathPattern, "$1/") : resourcePart;
  const regionless = globalAwsServices.has(service) || (service === "ec2" && ec2IdPattern.test(resource));
  if ((!regionless || regionEnd === serviceEnd + 1) && resource === resourcePart) return arn; // already canonical
  const region = regionless ? "" : arn.slice(serviceEnd + 1, regionEnd);
  return `arn:${partition}:${service}:${region}:${arn.slice(regionEnd + 1, accountEnd)}:${resource}`;
}

/** `role/service-role/Admin` → `role/Admin` (the path is everything between the kind and the name). */
const iamPathPattern = /^(role|user|group|policy|instance-profile)\/(?:[^/]*\/)+/;

const ec2IdPattern = /^[a-z-]+\/(?:i|sg|vpc|subnet|vol|snap|eni)-[0-9a-f]{8,17}$/;

/** True for a bare name or path (`my-bucket`, `service-role/Admin`), false for a UUID or a URL. */
function isPlainName(value: string): boolean {
  return /^[a-z0-9][\w.+=,@/-]*$/.test(value) && !isUuid(value);
}

/** `lower`: the id, trimmed, lower-cased, without trailing slashes. */
function azureKey(lower: string): string | undefined {
  const path = lower.startsWith("subscriptions/") ? `/${lower}` : lower;
  if (!path.startsWith("/subscriptions/")) return undefined;
  return `azure:${path.replace(/\/{2,}/g, "/")}`;
}

/** `lower`: the id, trimmed, lower-cased, without trailing slashes. */
function gcpKey(lower: string, resource: ResourceIdentity): string | undefined {
  // `//compute.googleapis.com/projects/…`, a selfLink `https://www.googleapis.com/compute/v1/projects/…`,
  // or a relative name `projects/…`.
  const match =
    /^(?:\/\/[a-z0-9.-]+\.googleapis\.com\/|https:\/\/[a-z0-9.-]+\.googleapis\.com\/(?:[a-z]+\/v[0-9a-z]+\/)?)?((?:projects|organizations|folders)\/.+)$/.exec(
      lower,
    );
  if (match?.[1] !== undefined) return `gcp:${match[1]}`;
  if (resource.cloud !== "gcp") return undefined;
  if (resource.type === "gcp.storage.bucket") {
    const bucket = lower.startsWith("gs://") ? lower.slice(5) : lower;
    const name = resource.name.trim().toLowerCase() || (isPlainName(bucket) ? bucket : "");
    if (name !== "") return `gcp:projects/_/buckets/${name}`;
  }
  return undefined;
}

/** `lower`: the id, trimmed and lower-cased. */
function kubernetesKey(lower: string, resource: ResourceIdentity): string | undefined {
  if (resource.cloud !== "kubernetes") return undefined;
  const parts = lower
    .replace(/^k8s:\/\//, "")
    .split("/")
    .filter((part) => part !== "");
  if (parts.length === 4) return `k8s:${parts.join("/")}`;
  // `cluster/kind/name`: a cluster-scoped object.
  if (parts.length === 3) return `k8s:${parts[0]}/_/${parts[1]}/${parts[2]}`;
  // An opaque uid: cluster from the account, kind from the type, `namespace/name` from the name.
  const cluster = resource.accountId.trim().toLowerCase();
  const kind = resource.type.split(".").at(-1) ?? "";
  const nameParts = resource.name.trim().toLowerCase().split("/");
  const name = nameParts.at(-1) ?? "";
  if (cluster === "" || name === "" || nameParts.length > 2) return undefined;
  const namespace = nameParts.length === 2 ? nameParts[0] : "_";
  return `k8s:${cluster}/${namespace}/${kind}/${name}`;
}

/** `lower`: the id, trimmed and lower-cased. */
function opaqueKey(lower: string, resource: ResourceIdentity): string {
  const name = resource.name.trim().toLowerCase();
  const head = `${resource.cloud}:${resource.accountId.trim().toLowerCase()}:${resource.type}`;
  return name === "" ? `${head}:id:${lower}` : `${head}:${name}`;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}
