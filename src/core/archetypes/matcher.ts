import type { Category, Platform } from "../finding.js";

/**
 * How a finding is recognised as one archetype. This module holds no prose, so every adapter can
 * import it cheaply; the explanations live in `agents/knowledge`.
 */
export interface ArchetypeMatcher {
  /** Kebab-case archetype id, e.g. `aws-s3-public-read`. */
  id: string;
  /**
   * Resource-type prefixes the archetype applies to, matched on dot boundaries (`aws.s3` matches
   * `aws.s3.bucket`); `*` applies to every type.
   */
  resourceTypes: readonly string[];
  /**
   * Keyword groups tested against the rule name and the title (read as words: `_` and `-` are spaces,
   * camel case is split too): every group must have a hit. A keyword hits where a word starts; one of
   * three characters or fewer must also end where a word ends (`log` does not hit `login`).
   */
  keywords: readonly (readonly string[])[];
  /** Keywords that rule the archetype out when any of them appears. */
  exclude?: readonly string[];
  /** Exact native rule ids per platform (highest precedence). */
  ruleIds?: Partial<Record<Platform, readonly string[]>>;
  /** Exact native rule names per platform, compared case-insensitively (highest precedence). */
  ruleNames?: Partial<Record<Platform, readonly string[]>>;
  /** Categories the archetype is limited to, when keywords alone could be ambiguous. */
  categories?: readonly Category[];
  /**
   * For a matcher of every resource type (`*`): the categories whose findings try it before the
   * resource's own service, e.g. the threat archetypes for a `threat` finding. Otherwise a `*` matcher
   * is tried after the resource's service and the services its rule names.
   */
  preferredFor?: readonly Category[];
}

// Shared keyword lists.

export const OPEN_TO_WORLD = [
  "0.0.0.0/0",
  "::/0",
  "internet",
  "anywhere",
  "any ip",
  "unrestricted",
  "public",
  "world",
  "all sources",
  "any source",
  "from all",
  "open to all",
];
export const SSH = ["ssh", "port 22", "tcp/22", "22/tcp", "port: 22"];
export const RDP = ["rdp", "3389", "remote desktop"];
export const DB_PORTS = [
  "database port",
  "3306",
  "5432",
  "1433",
  "1434",
  "1521",
  "2483",
  "27017",
  "27018",
  "4333",
  "msql",
  "6379",
  "9200",
  "9300",
  "5601",
  "11211",
  "9042",
  "9160",
  "7199",
  "mysql",
  "postgres",
  "mongodb",
  "redis",
  "sql server",
  "sqlserver",
  "oracle",
  "cassandra",
  "memcached",
  "elasticsearch",
  "kibana",
];
export const PUBLIC = [
  "public",
  "anonymous",
  "everyone",
  "allusers",
  "allauthenticatedusers",
  "all users",
  "all authenticated users",
  "world-readable",
  "any principal",
];
export const ENCRYPT = ["encrypt", "unencrypted", "sse", "cmek", "customer-managed key", "kms key"];
export const MFA = ["mfa", "multi-factor", "multifactor", "2fa", "two-factor", "2-step", "two step"];
export const ROTATE = [
  "rotat",
  "90 days",
  "older than",
  "unused",
  "stale",
  "not used",
  "inactive",
  "45 days",
];
export const SECRET = [
  "secret",
  "password",
  "credential",
  "token",
  "api key",
  "access key",
  "private key",
  "cleartext key",
  "plaintext key",
  "cloud key",
  "ssh key",
  "sensitive",
];

/**
 * The problem kinds shared by many services, in precedence order: within one service the first kind
 * whose keyword groups all hit wins, so the narrower kinds (a public snapshot, a customer-managed key,
 * an old TLS version) come before the broader ones (public, encryption, logging). The archetype id of
 * a kind on a service is `<service>-<kind>`, e.g. `aws-rds-deletion-protection-disabled`.
 */
export const kindKeywords = {
  "public-snapshot": [
    ["snapshot", "ami", "image", "backup"],
    [...PUBLIC, "publicly shared", "shared publicly", "restorable by anyone", "shared with all"],
  ],
  "snapshot-unencrypted": [["snapshot"], ["encrypt"]],
  "copy-tags-disabled": [["copy tags"]],
  "cert-expiring": [
    ["certificate", "cert", "certificates"],
    ["expir", "validity", "valid for"],
  ],
  "cross-account-access": [
    [
      "cross account",
      "other accounts",
      "other aws accounts",
      "external account",
      "external aws account",
      "third party",
      "trusted account",
      "trusted aws account",
      "any aws account",
      "outside the organization",
      "outside your organization",
      "cross tenant",
      "shared within organization",
      "shared only within",
    ],
  ],
  "cmk-disabled": [
    [
      "customer managed",
      "customermanaged",
      "cmk",
      "cmks",
      "cmek",
      "csek",
      "customer supplied",
      "aws managed key",
      "managed keys",
      "byok",
      "own key",
    ],
  ],
  "tls-outdated": [
    [
      "tls 1.2",
      "tls 1.3",
      "tls version",
      "tls versions",
      "minimum tls",
      "minimal tls",
      "min tls",
      "tls 1.0",
      "tls 1.1",
      "tlsv1",
      "sslv3",
      "ssl protocol",
      "deprecated ssl",
      "insecure ssl",
      "ssl cipher",
      "secure cipher",
      "insecure cipher",
      "cipher",
      "ssl policy",
      "tls policy",
      "security policy",
      "poodle",
      "heartbleed",
    ],
  ],
  "insecure-transport": [
    [
      "in transit",
      "in-transit",
      "https",
      "ssl",
      "tls",
      "secure transport",
      "securetransport",
      "node to node",
      "inter container",
      "traffic encryption",
      "secure transfer",
      "encrypted connection",
      "unencrypted connection",
      "http endpoint",
      "redirect http",
      "plain http",
      "ftps",
      "encryption over",
    ],
  ],
  unencrypted: [
    ["encrypt", "unencrypted", "sse", "server side encryption", "kms", "tde", "transparent data encryption"],
  ],
  "iam-auth-disabled": [
    [
      "iam authentication",
      "iam database authentication",
      "iam db authentication",
      "iam auth",
      "iam authorization",
      "entra id authentication",
      "entra authentication",
      "azure ad authentication",
      "azure active directory",
      "aad",
      "active directory admin",
      "active directory administrator",
      "entra id admin",
      "entra admin",
    ],
  ],
  "auth-disabled": [
    [
      "authorizer",
      "authentication",
      "authenticated",
      "anonymous",
      "unauthenticated",
      "auth token",
      "auth enabled",
      "requires auth",
      "guest access",
      "unrestricted access",
      "api key authentication",
      "client certificate",
      "access control",
    ],
  ],
  "public-ip": [["public ip", "public ipv4", "public address", "assign public", "public ips"]],
  public: [
    [
      ...PUBLIC,
      "publicly",
      "anyone",
      "world",
      "0.0.0.0/0",
      "internet",
      "exposed",
      "allow all",
      "wildcard principal",
    ],
  ],
  "public-network": [
    [
      ...PUBLIC,
      "publicly",
      "anyone",
      "0.0.0.0/0",
      "internet",
      "exposed",
      "all networks",
      "any network",
      "selected networks",
      "public network",
    ],
  ],
  "private-endpoint-missing": [["private endpoint", "private link", "privatelink", "private endpoints"]],
  "waf-disabled": [["waf", "web application firewall", "web acl"]],
  "default-admin": [
    [
      "default admin",
      "default master",
      "master username",
      "admin username",
      "default username",
      "default user name",
      "default database name",
      "default db name",
    ],
  ],
  "default-port": [["default port", "non default port"]],
  "deletion-protection-disabled": [["deletion protection", "termination protection", "delete protection"]],
  "soft-delete-disabled": [["soft delete", "purge protection", "recoverable", "object lock"]],
  "versioning-disabled": [["versioning"]],
  "log-retention-short": [
    ["retention", "retain", "maxage", "max age"],
    ["log", "logs", "audit", "auditing"],
  ],
  "backup-disabled": [
    [
      "backup",
      "backups",
      "snapshot",
      "snapshots",
      "point in time",
      "pitr",
      "recovery point",
      "retention period",
    ],
  ],
  "cross-zone-disabled": [["cross zone"]],
  "multi-az-disabled": [
    [
      "multi az",
      "multiaz",
      "multiple availability zones",
      "availability zones",
      "more than one availability zone",
      "high availability",
      "zone redundan",
      "zone awareness",
      "failover",
      "standby",
      "multiple zones",
      "redundan",
      "fault tolerant",
    ],
  ],
  "auto-upgrade-disabled": [
    [
      "minor version upgrade",
      "auto minor",
      "automatic minor",
      "automatic upgrade",
      "auto upgrade",
      "automatic version upgrade",
      "managed updates",
      "managed platform updates",
      "automatic updates",
      "auto update",
      "autoupgrade",
      "node upgrade",
      "node upgrades",
    ],
  ],
  "outdated-version": [
    [
      "supported version",
      "supported runtime",
      "supported engine",
      "supported kubernetes",
      "deprecated",
      "latest version",
      "latest platform",
      "latest supported",
      "latest runtime",
      "latest service software",
      "latest kafka",
      "end of life",
      "outdated",
      "extended support",
      "bootstrap version",
      "runtime version",
      "engine version",
      "unsupported",
      "old version",
    ],
  ],
  "key-rotation-disabled": [["rotat"]],
  "expiry-missing": [["expiration", "expiry", "expire", "expires"]],
  "mfa-disabled": [MFA],
  "tracing-disabled": [["tracing", "x ray", "xray"]],
  "monitoring-disabled": [
    ["monitoring", "container insights", "insights", "metrics", "health reporting", "azure monitor"],
  ],
  "logging-disabled": [
    [
      "logging",
      "logs",
      "log",
      "audit",
      "auditing",
      "log export",
      "log forwarding",
      "log delivery",
      "recorded by cloudtrail",
    ],
  ],
  "not-in-vpc": [
    ["vpc", "vnet", "virtual network", "private network", "network isolation", "subnet", "subnets"],
  ],
  unused: [
    [
      "unused",
      "not used",
      "not been used",
      "never used",
      "inactive",
      "stale",
      "unassigned",
      "not in use",
      "unattached",
      "not associated",
      "no longer used",
      "is in use",
      "in use",
    ],
  ],
} as const satisfies Record<string, readonly (readonly string[])[]>;

/** A problem kind shared by many services (see {@link kindKeywords}). */
export type ArchetypeKind = keyof typeof kindKeywords;

const kindOrder = Object.keys(kindKeywords) as ArchetypeKind[];

/** Keywords that rule a kind out, whatever the service. */
const kindExclude: Partial<Record<ArchetypeKind, readonly string[]>> = {
  "backup-disabled": ["encrypt", "public"],
  "logging-disabled": ["encrypt", "retention"],
  "auth-disabled": ["multi factor", "mfa", "2fa", "two factor"],
  "public-ip": ["shodan"],
  "cmk-disabled": ["vnet", "virtual network"],
  "not-in-vpc": ["flow log", "public ip", "endpoint", "peering"],
  unused: ["public", "encrypt"],
  "multi-az-disabled": ["cross zone"],
};

/** How a service's family of matchers is built. */
export interface FamilyOptions {
  /** Words one of which must appear too (a service that shares its resource type with others, e.g. Neptune on `aws.rds`). */
  require?: readonly string[];
  /** Keywords that rule the whole family out. */
  exclude?: readonly string[];
}

/**
 * The matchers of one service for the given problem kinds, ordered by the kinds' precedence, with
 * ids `<service>-<kind>`.
 * @example
 * family("aws-mq", ["aws.mq"], ["public-network", "logging-disabled", "auto-upgrade-disabled"]);
 */
export function family(
  service: string,
  resourceTypes: readonly string[],
  kinds: readonly ArchetypeKind[],
  options: FamilyOptions = {},
): ArchetypeMatcher[] {
  const wanted = new Set(kinds);
  return kindOrder
    .filter((kind) => wanted.has(kind))
    .map((kind) => {
      const exclude = [...(kindExclude[kind] ?? []), ...(options.exclude ?? [])];
      return {
        id: `${service}-${kind}`,
        resourceTypes,
        keywords: options.require ? [options.require, ...kindKeywords[kind]] : kindKeywords[kind],
        ...(exclude.length > 0 ? { exclude } : {}),
      };
    });
}

/**
 * Ports and protocols a firewall rule can open to the internet, in precedence order (a named service
 * before its protocol: SQL Server on UDP 1434 is a database port, not "UDP"). The archetype id of a port
 * on a firewall service is `<service>-<port>-open`, e.g. `aws-sg-telnet-open`.
 */
export const portKeywords = {
  ssh: SSH,
  rdp: RDP,
  "database-port": DB_PORTS,
  telnet: ["telnet", "port 23"],
  ftp: ["ftp", "port 21", "port 20", "ftp data"],
  smb: ["smb", "cifs", "netbios", "port 445", "port 139", "port 137", "port 138"],
  ldap: ["ldap", "port 389", "port 636"],
  kerberos: ["kerberos", "port 88"],
  kafka: ["kafka", "9092"],
  vnc: ["vnc", "5900", "5500"],
  smtp: ["smtp", "port 25"],
  dns: ["dns", "port 53"],
  rpc: ["rpc", "port 135"],
  etcd: ["etcd", "2379", "2380"],
  http: ["port 80", "http port", "http (port 80)", "tcp/80"],
  icmp: ["icmp"],
  udp: ["udp"],
  "high-risk-ports": ["high risk", "non standard ports", "vsock"],
  "all-ports": [
    "all ports",
    "all traffic",
    "all protocols",
    "any port",
    "ingress",
    "inbound",
    "unrestricted security group",
    "open to all",
  ],
} as const satisfies Record<string, readonly string[]>;

/** A port or protocol a firewall rule can open (see {@link portKeywords}). */
export type PortKind = keyof typeof portKeywords;

/**
 * The port matchers of one firewall service, with ids `<service>-<port>-open`; each needs the port
 * and an open-to-the-world word.
 * @example
 * portFamily("aws-nacl", ["aws.ec2", "aws.vpc"], ["ssh", "rdp", "all-ports"], { require: ["network acl", "nacl"] });
 */
export function portFamily(
  service: string,
  resourceTypes: readonly string[],
  ports: readonly PortKind[],
  options: FamilyOptions = {},
): ArchetypeMatcher[] {
  const wanted = new Set(ports);
  return (Object.keys(portKeywords) as PortKind[])
    .filter((port) => wanted.has(port))
    .map((port) => ({
      id: `${service}-${port}-open`,
      resourceTypes,
      keywords: [...(options.require ? [options.require] : []), portKeywords[port], OPEN_TO_WORLD],
      ...(options.exclude ? { exclude: options.exclude } : {}),
    }));
}

/** One hand-written matcher: `m(id, resourceTypes, keywords, extra)`. */
export function m(
  id: string,
  resourceTypes: readonly string[],
  keywords: readonly (readonly string[])[],
  extra: Omit<ArchetypeMatcher, "id" | "resourceTypes" | "keywords"> = {},
): ArchetypeMatcher {
  return { id, resourceTypes, keywords, ...extra };
}
