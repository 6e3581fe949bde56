/**
 * Regenerates the data the archetype matcher and the knowledge base take from public rule catalogs:
 *
 * - `src/core/archetypes/aliases.generated.ts` — rule identifiers that name an archetype on any
 *   platform: Prowler check ids, the AWS Security Hub controls (`S3.8`) and AWS Config rules the checks
 *   cite, and Lacework policy ids (legacy `LW_S3_1` and their `lacework-global-N` successors);
 * - `src/agents/knowledge/catalog/controls.generated.ts` — the CIS benchmark requirements that cite
 *   each archetype's Prowler checks (the CIS versions the knowledge base names);
 * - `test/__fixtures__/catalogs/rule-names.json` — the catalogs' rule names in a compact form, for the
 *   coverage test and the benchmark (so they run where the catalogs are not checked out).
 *
 * The archetype of a Prowler check is what the keyword matcher reads from its title and id with its
 * resource type (aliases off), unless `overrides` below says otherwise. A Security Hub control or
 * Config rule joins its checks' archetype only when they all agree; ambiguous ones are reported and
 * left out, so the keyword matcher decides for them.
 *
 * Usage: `npx tsx scripts/generate-archetype-aliases.ts [--catalogs <dir>] [--list <file>]`
 * (default `../shared/reference/catalogs`; `--list` writes every check with its archetype, for review).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileMatchers, isFallbackArchetype, type MatchInput } from "../src/core/archetypes/match.js";
import { archetypeMatchers } from "../src/core/archetypes/matchers.js";
import { aliasKey } from "../src/core/archetypes/text.js";
import type { Category } from "../src/core/finding.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const catalogs = resolve(root, option("--catalogs") ?? "../shared/reference/catalogs");

/** Checks whose archetype the keywords get wrong or miss, decided by hand. */
const overrides: Record<string, string | null> = {};

interface ProwlerCheck {
  Provider: "aws" | "azure" | "gcp" | "kubernetes";
  CheckID: string;
  CheckTitle: string;
  ServiceName: string;
  ResourceType: string;
  Categories: string[];
  AwsConfigRuleDocSlugs?: string[];
  SecurityHubControlRefs?: string[];
  Compliance: Record<string, string[]>;
}

interface VendorRule {
  platform: "lacework" | "wiz" | "orca";
  id: string;
  name?: string;
  cloud?: string;
  resourceType?: string;
  category?: string;
  alertType?: string;
  idScheme?: string;
  laceworkGlobalIds?: string[];
  legacyIds?: string[];
}

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(catalogs, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

function main(): void {
  const checks = jsonl<ProwlerCheck>("prowler-checks.jsonl");
  const vendorRules = jsonl<VendorRule>("vendor-rules.jsonl");
  const match = compileMatchers(archetypeMatchers, { aliases: false });

  // --- Prowler checks ---------------------------------------------------------------------------------

  const checkArchetype = new Map<string, string>();
  const fixtureChecks: [string, string, string, string, Category][] = [];
  const listing: string[] = [];
  for (const check of checks) {
    const resourceType = prowlerResourceType(check);
    const category = prowlerCategory(check);
    fixtureChecks.push([check.Provider, check.CheckID, check.CheckTitle, resourceType, category]);
    const input: MatchInput = {
      platform: "prowler",
      ruleId: check.CheckID,
      ruleName: check.CheckTitle,
      title: check.CheckTitle,
      category,
      resourceType,
    };
    const matched = specific(match(input));
    const archetype = check.CheckID in overrides ? (overrides[check.CheckID] ?? undefined) : matched;
    if (archetype) checkArchetype.set(check.CheckID, archetype);
    listing.push(`${check.CheckID}\t${resourceType}\t${archetype ?? "-"}\t${check.CheckTitle}`);
  }

  // --- Joins: Security Hub controls and Config rules of the checks ---------------------------------------

  const aliasGroups = new Map<string, Set<string>>();
  const addAlias = (archetype: string, key: string) => {
    const set = aliasGroups.get(archetype) ?? new Set<string>();
    set.add(aliasKey(key));
    aliasGroups.set(archetype, set);
  };
  // A check id joins the table only when its words alone do not already give its archetype.
  for (const check of checks) {
    const archetype = checkArchetype.get(check.CheckID);
    if (!archetype) continue;
    const byWords = match({
      platform: "prowler",
      ruleId: check.CheckID,
      ruleName: check.CheckID,
      title: check.CheckID,
      category: prowlerCategory(check),
      resourceType: `${check.Provider}.other.resource`,
    });
    if (byWords !== archetype) addAlias(archetype, check.CheckID);
  }

  const conflicts: string[] = [];
  const joined = (label: string, idsOf: (check: ProwlerCheck) => string[]) => {
    const votes = new Map<string, Set<string | undefined>>();
    for (const check of checks) {
      for (const id of idsOf(check)) {
        const set = votes.get(id) ?? new Set<string | undefined>();
        set.add(checkArchetype.get(check.CheckID));
        votes.set(id, set);
      }
    }
    for (const [id, archetypes] of votes) {
      const known = [...archetypes];
      if (known.length === 1 && known[0]) addAlias(known[0], id);
      else if (known.length > 1) conflicts.push(`${label} ${id}: ${known.map((a) => a ?? "-").join(", ")}`);
    }
  };
  joined("Security Hub control", (check) => [
    ...(check.SecurityHubControlRefs ?? []),
    ...(check.Compliance["AWS-Foundational-Security-Best-Practices"] ?? []),
  ]);
  joined("AWS Config rule", (check) => check.AwsConfigRuleDocSlugs ?? []);

  // --- Vendor rules --------------------------------------------------------------------------------------

  const fixtureVendor: [string, string, string, string, Category][] = [];
  const legacyArchetype = new Map<string, string>();
  for (const rule of vendorRules) {
    if (!rule.name) continue;
    const resourceType = vendorResourceType(rule);
    const category = vendorCategory(rule);
    fixtureVendor.push([rule.platform, rule.id, rule.name, resourceType, category]);
    if (rule.platform !== "lacework" || rule.idScheme !== "legacy-recommendation-id") continue;
    const archetype = specific(
      match({
        platform: "lacework",
        ruleId: rule.id,
        ruleName: rule.name,
        title: rule.name,
        category,
        resourceType,
      }),
    );
    listing.push(`${rule.id}\t${resourceType}\t${archetype ?? "-"}\t${rule.name}`);
    if (!archetype) continue;
    legacyArchetype.set(rule.id, archetype);
    addAlias(archetype, rule.id);
  }
  // A lacework-global id joins the archetype of the legacy ids it replaced, when they agree.
  const globalVotes = new Map<string, Set<string | undefined>>();
  for (const rule of vendorRules) {
    if (rule.platform !== "lacework") continue;
    const pairs =
      rule.idScheme === "legacy-recommendation-id"
        ? (rule.laceworkGlobalIds ?? []).map((global) => [global, rule.id] as const)
        : (rule.legacyIds ?? []).map((legacy) => [rule.id, legacy] as const);
    for (const [global, legacy] of pairs) {
      const set = globalVotes.get(global) ?? new Set<string | undefined>();
      set.add(legacyArchetype.get(legacy));
      globalVotes.set(global, set);
    }
  }
  for (const [global, archetypes] of globalVotes) {
    const known = [...archetypes];
    if (known.length === 1 && known[0]) addAlias(known[0], global);
    else if (known.length > 1) conflicts.push(`Lacework ${global}: ${known.map((a) => a ?? "-").join(", ")}`);
  }

  // --- CIS requirements per archetype ---------------------------------------------------------------------

  /** The CIS versions the knowledge base names (`frameworks` in agents/knowledge/controls.ts), by Prowler key. */
  const cisVersions: Record<ProwlerCheck["Provider"], { key: string; framework: string; pattern: RegExp }> = {
    aws: { key: "CIS-3.0", framework: "cisAws", pattern: /^[1-5](\.\d{1,2}){1,2}$/ },
    azure: { key: "CIS-2.0", framework: "cisAzure", pattern: /^([1-9]|10)(\.\d{1,2}){1,2}$/ },
    gcp: { key: "CIS-2.0", framework: "cisGcp", pattern: /^[1-8](\.\d{1,2}){1,2}$/ },
    kubernetes: { key: "CIS-1.8", framework: "cisKubernetes", pattern: /^[1-5](\.\d{1,2}){2}$/ },
  };
  const cis = new Map<string, Map<string, Set<string>>>();
  for (const check of checks) {
    const archetype = checkArchetype.get(check.CheckID);
    if (!archetype) continue;
    const { key, framework, pattern } = cisVersions[check.Provider];
    for (const requirement of check.Compliance[key] ?? []) {
      if (!pattern.test(requirement)) continue;
      const byFramework = cis.get(archetype) ?? new Map<string, Set<string>>();
      const set = byFramework.get(framework) ?? new Set<string>();
      set.add(requirement);
      byFramework.set(framework, set);
      cis.set(archetype, byFramework);
    }
  }

  // --- Output ----------------------------------------------------------------------------------------------

  const aliasTable = [...aliasGroups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([archetype, keys]) => `${archetype}:${[...keys].sort().join(" ")}`)
    .join(";");
  writeFileSync(
    join(root, "src/core/archetypes/aliases.generated.ts"),
    `${header}\n/** \`archetype:key key…;…\` (keys are \`aliasKey\`s); parsed by \`builtInAliases\`. */\nexport const aliasTable =\n${chunked(aliasTable)};\n`,
  );

  const controlsTable = [...cis]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([archetype, byFramework]) =>
        `${archetype}=${[...byFramework]
          .map(([framework, ids]) => `${framework}:${[...ids].sort(compareIds).join(",")}`)
          .join("|")}`,
    )
    .join(";");
  writeFileSync(
    join(root, "src/agents/knowledge/catalog/controls.generated.ts"),
    `${header}\n/** \`archetype=framework:id,id|framework:id;…\`, framework keys as in \`frameworks\`; parsed by \`catalogControls\`. */\nexport const catalogControlTable =\n${chunked(controlsTable)};\n`,
  );

  writeFileSync(
    join(root, "test/__fixtures__/catalogs/rule-names.json"),
    `${JSON.stringify(
      {
        source:
          "Generated by scripts/generate-archetype-aliases.ts from ../shared/reference/catalogs (see PROVENANCE.md there and NOTICE): Prowler checks [provider, checkId, title, resourceType, category] and named vendor rules [platform, id, name, resourceType, category].",
        prowler: fixtureChecks,
        vendor: fixtureVendor,
      },
      null,
      0,
    )}\n`,
  );

  // Keep the generated modules in the repository's format, so a re-run with unchanged catalogs is a no-op.
  execFileSync(
    "npx",
    [
      "biome",
      "format",
      "--write",
      "src/core/archetypes/aliases.generated.ts",
      "src/agents/knowledge/catalog/controls.generated.ts",
    ],
    { cwd: root, stdio: "ignore" },
  );

  const listFile = option("--list");
  if (listFile) writeFileSync(resolve(listFile), `${listing.join("\n")}\n`);

  const aliasCount = [...aliasGroups.values()].reduce((sum, keys) => sum + keys.size, 0);
  console.log(
    `${checkArchetype.size}/${checks.length} Prowler checks have an archetype; ${aliasCount} aliases for ${aliasGroups.size} archetypes; CIS requirements for ${cis.size} archetypes.`,
  );
  if (conflicts.length > 0) console.log(`Left out (checks disagree):\n  ${conflicts.join("\n  ")}`);
}

// --- Helpers ---------------------------------------------------------------------------------------------

function specific(archetype: string | undefined): string | undefined {
  return archetype && !isFallbackArchetype(archetype) && !archetype.startsWith("cve:")
    ? archetype
    : undefined;
}

/** The normalized resource type an adapter gives a Prowler check's resource (the lacework adapter's rules). */
function prowlerResourceType(check: ProwlerCheck): string {
  const type = check.ResourceType;
  switch (check.Provider) {
    case "aws": {
      const asff = /^Aws[A-Z]/.test(type);
      const service = asff ? (asffServices[asffServiceOf(type)] ?? slug(asffServiceOf(type))) : undefined;
      return service
        ? `aws.${service}.${slug(type.slice(3 + asffServiceOf(type).length)) || "resource"}`
        : `aws.${awsServices[check.ServiceName] ?? check.ServiceName}.resource`;
    }
    case "azure": {
      const arm = /^microsoft\.([a-z0-9]+)\/(.+)$/i.exec(type);
      return arm
        ? `azure.${arm[1]!.toLowerCase()}.${slug(arm[2]!.split("/").at(-1)!)}`
        : `azure.${azureServices[check.ServiceName] ?? check.ServiceName}.resource`;
    }
    case "gcp": {
      const gcp = /^([a-z0-9]+)\.googleapis\.com\/(.+)$/.exec(type);
      return gcp ? `gcp.${gcp[1]}.${slug(gcp[2]!)}` : `gcp.${check.ServiceName}.${slug(type)}`;
    }
    default:
      return `kubernetes.${slug(type.replace(/^Kubernetes/, "")) || "resource"}`;
  }
}

function asffServiceOf(type: string): string {
  const rest = type.slice(3);
  const known = Object.keys(asffServices)
    .filter((name) => rest.startsWith(name))
    .sort((a, b) => b.length - a.length)[0];
  return known ?? /^[A-Z][a-z0-9]*/.exec(rest)?.[0] ?? rest;
}

function prowlerCategory(check: ProwlerCheck): Category {
  if (check.Categories.includes("secrets") && /secret|credential|password/i.test(check.CheckTitle))
    return "secret";
  if (check.Categories.includes("threat-detection") && /detected|activity/i.test(check.CheckTitle))
    return "threat";
  return "misconfiguration";
}

function vendorResourceType(rule: VendorRule): string {
  const cloud =
    rule.cloud && ["aws", "azure", "gcp", "kubernetes"].includes(rule.cloud) ? rule.cloud : "other";
  const type = rule.resourceType ?? "";
  if (rule.platform === "orca") {
    const known: Record<string, string> = {
      AwsEc2NetworkAcl: "aws.ec2.network-acl",
      vm: `${cloud}.${cloud === "gcp" ? "compute" : cloud === "azure" ? "compute" : "ec2"}.instance`,
      AwsUser: "aws.iam.user",
      AwsApiGatewayEndpoint: "aws.apigateway.endpoint",
      storage: "aws.s3.bucket",
      gke: "gcp.container.cluster",
    };
    return known[type] ?? `${cloud}.other.${slug(type) || "resource"}`;
  }
  if (rule.platform === "wiz") return "aws.ec2.instance";
  return `${cloud}.other.resource`;
}

function vendorCategory(rule: VendorRule): Category {
  if (rule.platform === "wiz") return "threat";
  if (rule.platform === "orca") {
    if (/malware/i.test(rule.category ?? "")) return "threat";
    if (/vulnerab/i.test(rule.category ?? "")) return "vulnerability";
  }
  return "misconfiguration";
}

function slug(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function compareIds(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? -1) - (right[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A long string literal split over lines of about 100 characters, joined with `+`. */
function chunked(text: string): string {
  if (text === "") return '  ""';
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += 96)
    pieces.push(JSON.stringify(text.slice(index, index + 96)));
  return pieces.map((piece) => `  ${piece}`).join(" +\n");
}

const header =
  "// Generated by scripts/generate-archetype-aliases.ts from the rule catalogs; do not edit by hand.";

/** ASFF service names (`AwsRdsDbInstance` → `Rds`) → the ARN service adapters use in resource types. */
const asffServices: Record<string, string> = {
  Rds: "rds",
  Ec2: "ec2",
  S3: "s3",
  Iam: "iam",
  CloudWatch: "cloudwatch",
  Logs: "logs",
  CloudFront: "cloudfront",
  CloudTrail: "cloudtrail",
  Elbv2: "elasticloadbalancing",
  Elb: "elasticloadbalancing",
  Lambda: "lambda",
  OpenSearchService: "es",
  Kms: "kms",
  CodeBuild: "codebuild",
  GuardDuty: "guardduty",
  Redshift: "redshift",
  AutoScaling: "autoscaling",
  Ecs: "ecs",
  Eks: "eks",
  Msk: "kafka",
  ApiGatewayV2: "apigateway",
  ApiGateway: "apigateway",
  DynamoDb: "dynamodb",
  Ecr: "ecr",
  NetworkFirewall: "network-firewall",
  Efs: "elasticfilesystem",
  AmazonMQ: "mq",
  SageMaker: "sagemaker",
  SecretsManager: "secretsmanager",
  CertificateManager: "acm",
  Wafv2: "wafv2",
  WafRegional: "waf-regional",
  Waf: "waf",
  Dms: "dms",
  Athena: "athena",
  CloudFormation: "cloudformation",
  ElasticBeanstalk: "elasticbeanstalk",
  Kinesis: "kinesis",
  Route53: "route53",
  Sns: "sns",
  Sqs: "sqs",
  Ssm: "ssm",
  StepFunction: "states",
  AppSync: "appsync",
  Backup: "backup",
  Events: "events",
  EventSchemas: "schemas",
  AcmPca: "acm-pca",
  Amplify: "amplify",
  Batch: "batch",
  CodeCommit: "codecommit",
  CodePipeline: "codepipeline",
  Config: "config",
  DataPipeline: "datapipeline",
  FSx: "fsx",
  Glue: "glue",
  RolesAnywhere: "rolesanywhere",
  SecurityHub: "securityhub",
  Transfer: "transfer",
};

/** Prowler AWS service names → ARN services, for checks whose resource type is `Other`. */
const awsServices: Record<string, string> = {
  awslambda: "lambda",
  accessanalyzer: "access-analyzer",
  apigatewayv2: "apigateway",
  elbv2: "elasticloadbalancing",
  elb: "elasticloadbalancing",
  efs: "elasticfilesystem",
  emr: "elasticmapreduce",
  stepfunctions: "states",
  eventbridge: "events",
  directoryservice: "ds",
  networkfirewall: "network-firewall",
  macie: "macie2",
  documentdb: "rds",
  neptune: "rds",
  vpc: "ec2",
  opensearch: "es",
  cognito: "cognito-idp",
  resourceexplorer2: "resource-explorer-2",
  ssmincidents: "ssm-incidents",
};

/** Prowler Azure service names → resource-provider segments, for checks without an ARM type. */
const azureServices: Record<string, string> = {
  entra: "entra",
  recovery: "recoveryservices",
  defender: "security",
  vm: "compute",
  app: "web",
};

main();
