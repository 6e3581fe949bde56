import { describe, expect, it } from "vitest";
import {
  canonicalResourceKey,
  dedupKey,
  type ResourceIdentity,
  sha256Hex,
  stableHash,
} from "../../src/core/fingerprint.js";

const account = "123456789012";

function resource(overrides: Partial<ResourceIdentity> & Pick<ResourceIdentity, "id">): ResourceIdentity {
  return { cloud: "aws", accountId: account, type: "aws.s3.bucket", name: "", ...overrides };
}

function keysOf(variants: ResourceIdentity[]): Set<string> {
  return new Set(variants.map(canonicalResourceKey));
}

describe("sha256Hex", () => {
  it("is SHA-256 of the UTF-8 text in hex (FIPS 180-2 vectors)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});

describe("stableHash", () => {
  it("keeps the digests of earlier releases (ids and dedup keys stored by users stay valid)", () => {
    // SHA-256 over `<utf8 byte length>:<part>` for each part, first 24 hex characters.
    expect(stableHash("wiz", "issue-1")).toBe(sha256Hex("3:wiz7:issue-1").slice(0, 24));
    expect(stableHash("é", "x")).toBe(sha256Hex("2:é1:x").slice(0, 24));
    expect(stableHash("wiz", "issue-1")).toBe("fdc485b1f67daefc46adc724");
  });

  it("is 24 lower-case hex characters and deterministic", () => {
    const hash = stableHash("wiz", "issue-1");
    expect(hash).toMatch(/^[0-9a-f]{24}$/);
    expect(stableHash("wiz", "issue-1")).toBe(hash);
  });

  it("joins parts unambiguously", () => {
    expect(stableHash("ab", "c")).not.toBe(stableHash("a", "bc"));
    expect(stableHash("a:b")).not.toBe(stableHash("a", "b"));
    expect(stableHash("")).not.toBe(stableHash());
    expect(stableHash("", "")).not.toBe(stableHash(""));
  });

  it("matches a known SHA-256 of the length-prefixed parts", () => {
    // `printf "3:abc" | sha256sum`
    expect(stableHash("abc")).toBe("aab5f9ae99b2e38fb462025c");
  });
});

describe("canonicalResourceKey", () => {
  it("gives one key for an S3 bucket as Wiz, Prisma, Orca and Lacework report it", () => {
    const keys = keysOf([
      resource({ id: "arn:aws:s3:::Customer-Exports", name: "customer-exports" }),
      resource({ id: "customer-exports", name: "customer-exports" }),
      resource({ id: "arn:aws:s3:us-east-1:123456789012:customer-exports", region: "us-east-1", name: "" }),
      resource({ id: "AwsS3Bucket_123456789012_customer-exports", name: "customer-exports" }),
      resource({ id: "customer-exports", name: "" }),
      resource({ id: " ARN:AWS:S3:::customer-exports ", name: "customer-exports" }),
    ]);
    expect([...keys]).toEqual(["arn:aws:s3:::customer-exports"]);
  });

  it("gives one key for an IAM role, with or without a region in the ARN", () => {
    const keys = keysOf([
      resource({ id: "arn:aws:iam::123456789012:role/Deployer", type: "aws.iam.role", name: "Deployer" }),
      resource({
        id: "arn:aws:iam:us-east-1:123456789012:role/deployer",
        type: "aws.iam.role",
        name: "deployer",
      }),
      resource({ id: "Deployer", type: "aws.iam.role", name: "Deployer" }),
      resource({ id: "8a4e2b1c-0d3f-4e5a-9b6c-7d8e9f0a1b2c", type: "aws.iam.role", name: "Deployer" }),
      resource({
        id: "arn:aws:iam::123456789012:role/ci/deploy/Deployer",
        type: "aws.iam.role",
        name: "Deployer",
      }),
      resource({ id: "ci/deploy/Deployer", type: "aws.iam.role", name: "" }),
    ]);
    expect([...keys]).toEqual(["arn:aws:iam::123456789012:role/deployer"]);
  });

  it("gives one key for an EC2 instance given as an ARN or a bare instance id, with or without a region", () => {
    const keys = keysOf([
      resource({
        id: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc123def4567890",
        type: "aws.ec2.instance",
        name: "web-1",
        region: "eu-west-1",
      }),
      resource({ id: "i-0abc123def4567890", type: "aws.ec2.instance", name: "web-1", region: "eu-west-1" }),
      resource({ id: "I-0ABC123DEF4567890", type: "aws.ec2.instance", name: "", region: "EU-WEST-1" }),
      resource({ id: "i-0abc123def4567890", type: "aws.ec2.instance", name: "" }),
    ]);
    expect([...keys]).toEqual(["arn:aws:ec2::123456789012:instance/i-0abc123def4567890"]);
  });

  it("gives one key for an Azure storage account in any case and with trailing slashes", () => {
    const base = { cloud: "azure" as const, type: "azure.storage.account", accountId: "sub", name: "stdata" };
    const keys = keysOf([
      {
        ...base,
        id: "/subscriptions/0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0/resourceGroups/RG-Data/providers/Microsoft.Storage/storageAccounts/stdata",
      },
      {
        ...base,
        id: "/subscriptions/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/resourcegroups/rg-data/providers/microsoft.storage/storageaccounts/stdata/",
      },
      {
        ...base,
        id: "subscriptions/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata",
      },
    ]);
    expect([...keys]).toEqual([
      "azure:/subscriptions/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/resourcegroups/rg-data/providers/microsoft.storage/storageaccounts/stdata",
    ]);
  });

  it("gives one key for a GCP VM as a full name, a relative name and a selfLink", () => {
    const base = { cloud: "gcp" as const, type: "gcp.compute.instance", accountId: "prod-123", name: "vm-1" };
    const keys = keysOf([
      { ...base, id: "//compute.googleapis.com/projects/prod-123/zones/us-central1-a/instances/vm-1" },
      { ...base, id: "projects/prod-123/zones/us-central1-a/instances/vm-1" },
      {
        ...base,
        id: "https://www.googleapis.com/compute/v1/projects/prod-123/zones/us-central1-a/instances/vm-1",
      },
    ]);
    expect([...keys]).toEqual(["gcp:projects/prod-123/zones/us-central1-a/instances/vm-1"]);
  });

  it("gives one key for a GCS bucket as a full name or a bare bucket name", () => {
    const base = { cloud: "gcp" as const, type: "gcp.storage.bucket", accountId: "prod-123" };
    const keys = keysOf([
      { ...base, id: "//storage.googleapis.com/projects/_/buckets/logs-prod", name: "logs-prod" },
      { ...base, id: "logs-prod", name: "logs-prod" },
      { ...base, id: "gs://logs-prod", name: "" },
    ]);
    expect([...keys]).toEqual(["gcp:projects/_/buckets/logs-prod"]);
  });

  it("gives one key for a Kubernetes object as a path or as an opaque uid with cluster and name", () => {
    const base = { cloud: "kubernetes" as const, type: "kubernetes.apps.deployment", accountId: "prod-eks" };
    const keys = keysOf([
      { ...base, id: "prod-eks/payments/deployment/api", name: "api" },
      { ...base, id: "k8s://PROD-EKS/payments/Deployment/api", name: "api" },
      { ...base, id: "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", name: "payments/api" },
    ]);
    expect([...keys]).toEqual(["k8s:prod-eks/payments/deployment/api"]);
  });

  it("keys a cluster-scoped Kubernetes object with `_` as its namespace", () => {
    const base = { cloud: "kubernetes" as const, type: "kubernetes.rbac.clusterrole", accountId: "prod-eks" };
    expect(canonicalResourceKey({ ...base, id: "prod-eks/clusterrole/admin", name: "admin" })).toBe(
      "k8s:prod-eks/_/clusterrole/admin",
    );
    expect(canonicalResourceKey({ ...base, id: "0a1b2c3d-0000-4000-8000-000000000000", name: "admin" })).toBe(
      "k8s:prod-eks/_/clusterrole/admin",
    );
  });

  it("builds the key from cloud, account, type and name when the id is opaque", () => {
    const base = { cloud: "oci" as const, type: "oci.objectstorage.bucket", accountId: "tenancy-1" };
    expect(canonicalResourceKey({ ...base, id: "opaque-1", name: "Backups" })).toBe(
      canonicalResourceKey({ ...base, id: "opaque-2", name: "backups" }),
    );
    expect(canonicalResourceKey({ ...base, id: "opaque-1", name: "" })).not.toBe(
      canonicalResourceKey({ ...base, id: "opaque-2", name: "" }),
    );
  });

  it("keeps ARNs that are already canonical, and compares an incomplete ARN as written (lower-cased)", () => {
    const lambda = "arn:aws:lambda:eu-west-1:123456789012:function:handler:live";
    expect(canonicalResourceKey(resource({ id: lambda, type: "aws.lambda.function" }))).toBe(lambda);
    expect(canonicalResourceKey(resource({ id: "ARN:AWS:S3", type: "aws.s3.bucket" }))).toBe("arn:aws:s3");
  });

  it("gives different keys to different resources", () => {
    const keys = [
      resource({ id: "arn:aws:s3:::customer-exports" }),
      resource({ id: "arn:aws:s3:::customer-export" }),
      resource({ id: "arn:aws:s3:::customer-exports/key.csv" }),
      resource({ id: "arn:aws:iam::123456789012:role/deployer", type: "aws.iam.role" }),
      resource({ id: "arn:aws:iam::210987654321:role/deployer", type: "aws.iam.role" }),
      resource({ id: "deployer", type: "aws.iam.user", name: "deployer" }),
      resource({ id: "i-0abc123def4567890", type: "aws.ec2.instance", region: "eu-west-1" }),
      resource({ id: "i-0abc123def4567890", type: "aws.ec2.instance", accountId: "210987654321" }),
      resource({ id: "arn:aws:lambda:eu-west-1:123456789012:function:handler", type: "aws.lambda.function" }),
      resource({ id: "arn:aws:lambda:us-east-1:123456789012:function:handler", type: "aws.lambda.function" }),
      resource({
        id: "arn:aws:lambda:us-east-1:123456789012:function:handler:live",
        type: "aws.lambda.function",
      }),
      resource({
        id: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc123def4567891",
        type: "aws.ec2.instance",
      }),
      {
        cloud: "gcp",
        type: "gcp.compute.instance",
        accountId: "p",
        name: "",
        id: "projects/p/zones/a/instances/vm-1",
      },
      {
        cloud: "gcp",
        type: "gcp.compute.instance",
        accountId: "p",
        name: "",
        id: "projects/p/zones/b/instances/vm-1",
      },
      {
        cloud: "azure",
        type: "azure.storage.account",
        accountId: "s",
        name: "",
        id: "/subscriptions/s/resourceGroups/a/providers/Microsoft.Storage/storageAccounts/x",
      },
      {
        cloud: "azure",
        type: "azure.storage.account",
        accountId: "s",
        name: "",
        id: "/subscriptions/s/resourceGroups/b/providers/Microsoft.Storage/storageAccounts/x",
      },
      { cloud: "kubernetes", type: "kubernetes.core.pod", accountId: "c", name: "", id: "c/ns-a/pod/web" },
      { cloud: "kubernetes", type: "kubernetes.core.pod", accountId: "c", name: "", id: "c/ns-b/pod/web" },
    ].map((value) => canonicalResourceKey(value as ResourceIdentity));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("dedupKey", () => {
  it("is the same for one archetype on one bucket reported by two platforms", () => {
    const fromWiz = resource({ id: "arn:aws:s3:::customer-exports", name: "customer-exports" });
    const fromPrisma = resource({ id: "customer-exports", name: "customer-exports" });
    const key = dedupKey("s3-public-read", fromWiz);
    expect(key).toMatch(/^dk_[0-9a-f]{24}$/);
    expect(dedupKey("s3-public-read", fromPrisma)).toBe(key);
    expect(dedupKey("S3-Public-Read ", fromPrisma)).toBe(key);
  });

  it("differs across archetypes and across resources", () => {
    const bucket = resource({ id: "arn:aws:s3:::customer-exports" });
    const other = resource({ id: "arn:aws:s3:::other-bucket" });
    expect(dedupKey("s3-public-read", bucket)).not.toBe(dedupKey("s3-unencrypted", bucket));
    expect(dedupKey("s3-public-read", bucket)).not.toBe(dedupKey("s3-public-read", other));
  });

  it("keys a resource id again when the fields the canonical key reads differ", () => {
    const opaque = {
      id: "vm-7",
      cloud: "gcp",
      accountId: "proj-a",
      type: "gcp.compute.instance",
      name: "web",
    } as const;
    const first = dedupKey("vm-public-ip", opaque);
    expect(dedupKey("vm-public-ip", { ...opaque })).toBe(first);
    for (const change of [
      { name: "db" },
      { accountId: "proj-b" },
      { type: "gcp.compute.disk" },
      { cloud: "azure" },
    ] as const) {
      const changed = { ...opaque, ...change };
      expect(dedupKey("vm-public-ip", changed)).toBe(
        `dk_${stableHash("vm-public-ip", canonicalResourceKey(changed))}`,
      );
      expect(dedupKey("vm-public-ip", changed)).not.toBe(first);
    }
    expect(dedupKey("vm-public-ip", opaque)).toBe(first);
  });

  it("keeps the keys of earlier releases, computed or cached (dedup keys stored by users stay valid)", () => {
    const bucket = resource({ id: "arn:aws:s3:::customer-exports" });
    const role = resource({ id: "arn:aws:iam::123456789012:role/Admin", type: "aws.iam.role" });
    const pinned: [string, ResourceIdentity, string][] = [
      ["s3-public-read", bucket, "dk_2291e5fe392115852237a853"],
      ["s3-unencrypted", bucket, "dk_66ad770e3581a3cee2e3cb0f"],
      ["iam-admin-policy", role, "dk_420af7f56d7a7a09cb87a5e9"],
    ];
    // A pair is cached on its second sighting: the third pass reads the cache.
    for (let pass = 0; pass < 3; pass++) {
      for (const [archetype, identity, key] of pinned) expect(dedupKey(archetype, identity)).toBe(key);
    }
    // The key is SHA-256 over the length-prefixed lower-cased archetype and canonical resource key.
    expect(dedupKey("S3-Public-Read", bucket)).toBe(
      `dk_${stableHash("s3-public-read", "arn:aws:s3:::customer-exports")}`,
    );
  });
});
