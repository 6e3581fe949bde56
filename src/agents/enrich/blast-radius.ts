import type { Finding, Resource } from "../../core/finding.js";

/** A blast-radius estimate: 0 (contained) to 10 (the whole estate), with the reasons. */
export interface BlastRadius {
  /** 0 to 10. */
  score: number;
  /** Each factor with its points, e.g. `internet exposed (+3)`. */
  reasons: string[];
}

/**
 * Estimates how far an attacker could reach from a resource: its type (identities, keys and clusters
 * reach furthest, then data stores and network controls, then compute), internet exposure, privilege
 * breadth (admin or wildcard grants in the findings) and the other findings on the same resource.
 * @example
 * estimateBlastRadius({ resource, findings, internetExposed: true }); // { score: 9, reasons: ["identity resource (+4)", …] }
 */
export function estimateBlastRadius(input: {
  resource: Pick<Resource, "type">;
  findings: readonly Pick<Finding, "title" | "description" | "rule" | "category">[];
  internetExposed?: boolean;
}): BlastRadius {
  const reasons: string[] = [];
  let score = 0;
  const add = (points: number, reason: string) => {
    score += points;
    reasons.push(`${reason} (+${points})`);
  };
  const service = input.resource.type.split(".").slice(1).join(".");
  const identity = input.findings.some((finding) => finding.category === "identity");
  const kind =
    resourceKinds.find(([pattern]) => pattern.test(service)) ?? (identity ? resourceKinds[0] : undefined);
  if (kind) add(kind[1], kind[2]);
  else add(1, "other resource");
  if (input.internetExposed === true) add(3, "internet exposed");
  if (
    input.findings.some((finding) =>
      broadPrivilege.test(`${finding.title} ${finding.rule.name} ${finding.description}`),
    )
  )
    add(2, "broad privileges (admin or wildcard)");
  const related = new Set(input.findings.map((finding) => finding.rule.id)).size - 1;
  if (related > 0)
    add(Math.min(related, 2), `${related} related finding${related === 1 ? "" : "s"} on the same resource`);
  return { score: Math.min(10, score), reasons };
}

// Internal helpers.

/** Matched against the type without its cloud (`iam.role`, `s3.bucket`), in order. */
const resourceKinds: readonly [RegExp, number, string][] = [
  [
    /\b(iam|identity|rbac|serviceaccount|service_account|managedidentity|principal|role|user)\b/,
    4,
    "identity resource",
  ],
  [
    /\b(cluster|organization|subscription|account|kms|key|keyvault|vault|secretsmanager)\b/,
    4,
    "cluster, key or account-level resource",
  ],
  [
    /\b(s3|bucket|storage|blob|rds|sql|database|db|dynamodb|cosmosdb|bigquery|redshift|snapshot|efs|disk|volume)\b/,
    3,
    "data store",
  ],
  [
    /\b(securitygroup|security_group|security-group|firewall|nsg|vpc|network|loadbalancer|gateway|subnet)\b/,
    3,
    "network control",
  ],
  [
    /\b(instance|vm|virtualmachine|function|lambda|container|pod|deployment|node|ec2|compute)\b/,
    2,
    "compute workload",
  ],
];

const broadPrivilege =
  /\b(admin|administrator|administratoraccess|wildcard|privileged|full access|owner role)\b|\*:\*|"\*"/i;
