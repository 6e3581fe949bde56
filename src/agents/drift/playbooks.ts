import { isFields } from "../../adapters/shared/fields.js";
import { ConfigurationError } from "../../core/errors.js";
import type { Finding } from "../../core/finding.js";
import { type RenderContext, renderTemplate } from "../knowledge/render.js";
import type { Drift } from "./detect.js";
import { wildcard } from "./pattern.js";

/** How a fix reaches the cloud. */
export type FixRoute = "native" | "pipeline" | "pull-request" | "webhook";
/** How a fix's steps are written. */
export type FixFormat = "cli" | "terraform" | "cloudformation" | "console";

/** An attribute a precondition or verification reads, and the value it wants. */
export interface AttributeCheck {
  /** Dotted attribute path, as in {@link Drift.path}. */
  path: string;
  /** The value the attribute must have (compared as JSON). */
  equals: unknown;
}

/**
 * A fix as Terraform resource arguments. When `type` is the type of the drifted resource's
 * address, the arguments are set on that resource (an override file); otherwise they make a
 * companion resource of `type` whose `reference` argument points at the drifted resource's id
 * (e.g. an `aws_s3_bucket_public_access_block` whose `bucket` is the bucket).
 */
export interface TerraformFix {
  type: string;
  arguments: Record<string, unknown>;
  reference?: string;
}

/**
 * A fix for one drift archetype, as data: where it applies, what must hold first, the steps per
 * format, what each route sends, how to verify and how to roll back. Templates take
 * `{{resource.id}}`, `{{resource.name}}`, `{{resource.region}}`, `{{resource.accountId}}`,
 * `{{drift.path}}`, `{{drift.before}}` and `{{drift.after}}`, escaped for where they land.
 */
export interface Playbook {
  id: string;
  title: string;
  /** The knowledge-base archetypes it fixes; findings of these archetypes on the resource close with it. */
  archetypes: string[];
  /** Resource types it applies to (`*` matches any run of characters). */
  resourceTypes: string[];
  /** Drift paths it fixes: a path equal to one of these or below it. */
  paths: string[];
  /**
   * `low`: it cannot cut anyone off, so the policy may mark it automatic (outside production, IAM and
   * network); `high`: always a named human.
   */
  risk: "low" | "high";
  /** What the change touches; `network` and `identity` changes always wait for a human. */
  domain: "storage" | "network" | "identity" | "logging" | "encryption" | "key";
  /** What must hold on the resource before the fix runs, in words and as checks. */
  preconditions: { description: string; check?: AttributeCheck }[];
  /** The steps per format. */
  steps: Record<FixFormat, string[]>;
  /** How to undo the fix, per format. */
  rollback: Record<FixFormat, string[]>;
  /** What each route sends (templates). */
  routes: {
    /** The CNAPP's native remediation: the operation and its input, for `cnappRemediation`. */
    native: { operation: string; input: Record<string, string> };
    /** A CI/CD run: GitHub `workflow_dispatch` inputs or GitLab trigger variables. */
    pipeline: { inputs: Record<string, string> };
    /**
     * A pull request against the IaC: its title and, where the fix is plain Terraform, the
     * {@link TerraformFix} the default file writes (absent when it is not, e.g. removing one
     * ingress rule: then the PR needs your own `file`).
     */
    pullRequest: { title: string; terraform?: TerraformFix };
    /** A signed webhook: the event type the receiver acts on. */
    webhook: { event: string };
  };
  /** Verification: re-read the resource until every check passes or the deadline passes. */
  verify: { checks: AttributeCheck[]; deadlineMinutes: number; intervalSeconds: number };
  /** What the fix could break: dependents of these types, and why. */
  breaks: { dependentTypes: string[]; why: string }[];
}

/** A resource that depends on another (from the blast-radius context or your inventory graph). */
export interface Dependent {
  id: string;
  type: string;
  /** How it depends, e.g. `origin of`, `attached to`. */
  relation: string;
}

/** What a fix closes and what it could break, shown before anyone approves it. */
export interface FixImpact {
  /** The findings the fix resolves: the drift's own and those of the playbook's archetypes on the resource. */
  closes: { findingIds: string[]; caseIds: string[] };
  /** Dependents the change could cut off, each with why. */
  mayBreak: (Dependent & { why: string })[];
}

/** A playbook rendered for one drift, route and format: exactly what would be done. */
export interface FixPlan {
  playbook: string;
  title: string;
  route: FixRoute;
  format: FixFormat;
  risk: Playbook["risk"];
  domain: Playbook["domain"];
  preconditions: string[];
  steps: string[];
  rollback: string[];
  /** What the route sends: the native operation and input, the pipeline inputs, the PR, the webhook event. */
  request: Record<string, unknown>;
  verify: Playbook["verify"];
}

/**
 * The built-in playbooks: block public access, restrict an ingress rule, enable encryption, enable
 * logging, rotate a key, disable a key, detach an over-broad policy. Copy and change them, or write
 * your own: they are plain data.
 */
export const defaultPlaybooks: readonly Playbook[] = [
  {
    id: "s3-block-public-access",
    title: "Turn S3 Block Public Access back on",
    archetypes: ["aws-s3-block-public-access-disabled", "aws-s3-public-read", "aws-s3-public-write"],
    resourceTypes: ["aws.s3.bucket"],
    paths: ["publicAccessBlock", "acl", "rule:*public*"],
    risk: "low",
    domain: "storage",
    preconditions: [
      { description: "The bucket is not a website origin served without CloudFront Origin Access Control." },
      {
        description: "The bucket is not tagged as an intended public share.",
        check: { path: "tags.public", equals: undefined },
      },
    ],
    steps: {
      cli: [
        "aws s3api put-public-access-block --bucket {{resource.name}} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      ],
      terraform: [
        'resource "aws_s3_bucket_public_access_block" "this" {\n  bucket                  = "{{resource.name}}"\n  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}',
      ],
      cloudformation: [
        "PublicAccessBlockConfiguration:\n  BlockPublicAcls: true\n  IgnorePublicAcls: true\n  BlockPublicPolicy: true\n  RestrictPublicBuckets: true",
      ],
      console: [
        "Open S3 → Buckets → {{resource.name}} → Permissions.",
        "Under Block public access (bucket settings) choose Edit, tick Block all public access, and save.",
      ],
    },
    rollback: {
      cli: ["aws s3api delete-public-access-block --bucket {{resource.name}}"],
      terraform: [
        "Revert the commit that added aws_s3_bucket_public_access_block for {{resource.name}} and apply.",
      ],
      cloudformation: ["Remove PublicAccessBlockConfiguration from the bucket and update the stack."],
      console: ["S3 → Buckets → {{resource.name}} → Permissions → Block public access → Edit: untick, save."],
    },
    routes: {
      native: {
        operation: "s3:PutPublicAccessBlock",
        input: {
          bucket: "{{resource.name}}",
          configuration: "BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets",
        },
      },
      pipeline: { inputs: { playbook: "s3-block-public-access", resource: "{{resource.id}}" } },
      pullRequest: {
        title: "Block public access on {{resource.name}}",
        terraform: {
          type: "aws_s3_bucket_public_access_block",
          reference: "bucket",
          arguments: {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
          },
        },
      },
      webhook: { event: "drift.fix.s3-block-public-access" },
    },
    verify: {
      checks: [
        { path: "publicAccessBlock.BlockPublicAcls", equals: true },
        { path: "publicAccessBlock.BlockPublicPolicy", equals: true },
      ],
      deadlineMinutes: 30,
      intervalSeconds: 60,
    },
    breaks: [
      {
        dependentTypes: ["aws.cloudfront.distribution"],
        why: "a distribution reading the bucket as a public origin (without OAC) stops serving",
      },
      { dependentTypes: ["*"], why: "anything reading the bucket anonymously loses access" },
    ],
  },
  {
    id: "sg-restrict-ingress",
    title: "Close an ingress rule open to the internet",
    archetypes: [
      "aws-sg-ssh-open",
      "aws-sg-rdp-open",
      "aws-sg-database-port-open",
      "aws-sg-all-ports-open",
      "aws-default-security-group-open",
    ],
    resourceTypes: ["aws.ec2.security-group"],
    paths: ["ingress", "sshOpenToWorld", "rule:*"],
    risk: "high",
    domain: "network",
    preconditions: [
      {
        description:
          "A bastion, VPN or SSM Session Manager path exists for the people who used the open rule.",
      },
    ],
    steps: {
      cli: [
        "aws ec2 revoke-security-group-ingress --group-id {{resource.name}} --protocol tcp --port 22 --cidr 0.0.0.0/0",
      ],
      terraform: [
        'In the aws_security_group for {{resource.name}}, replace cidr_blocks = ["0.0.0.0/0"] on port 22 with your admin range, and apply.',
      ],
      cloudformation: [
        "In the SecurityGroupIngress of {{resource.name}}, replace CidrIp: 0.0.0.0/0 on port 22 with your admin range, and update the stack.",
      ],
      console: [
        "EC2 → Security Groups → {{resource.name}} → Inbound rules → Edit: delete the rule for port 22 from 0.0.0.0/0, save.",
      ],
    },
    rollback: {
      cli: [
        "aws ec2 authorize-security-group-ingress --group-id {{resource.name}} --protocol tcp --port 22 --cidr 0.0.0.0/0",
      ],
      terraform: ["Revert the commit and apply."],
      cloudformation: ["Restore the previous template and update the stack."],
      console: [
        "EC2 → Security Groups → {{resource.name}} → Inbound rules → Edit: add port 22 from 0.0.0.0/0, save.",
      ],
    },
    routes: {
      native: {
        operation: "ec2:RevokeSecurityGroupIngress",
        input: { groupId: "{{resource.name}}", port: "22", cidr: "0.0.0.0/0" },
      },
      pipeline: { inputs: { playbook: "sg-restrict-ingress", resource: "{{resource.id}}" } },
      pullRequest: { title: "Close SSH to the internet on {{resource.name}}" },
      webhook: { event: "drift.fix.sg-restrict-ingress" },
    },
    verify: { checks: [{ path: "sshOpenToWorld", equals: false }], deadlineMinutes: 30, intervalSeconds: 60 },
    breaks: [
      {
        dependentTypes: ["aws.ec2.instance", "aws.elb.load-balancer"],
        why: "attached instances and load balancers lose the traffic the rule let in",
      },
    ],
  },
  {
    id: "s3-enable-encryption",
    title: "Turn default encryption back on",
    archetypes: ["aws-s3-unencrypted"],
    resourceTypes: ["aws.s3.bucket"],
    paths: ["encryption"],
    risk: "low",
    domain: "encryption",
    preconditions: [{ description: "The KMS key (if one is named) lets the bucket's readers decrypt." }],
    steps: {
      cli: [
        'aws s3api put-bucket-encryption --bucket {{resource.name}} --server-side-encryption-configuration \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}\'',
      ],
      terraform: [
        'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n  bucket = "{{resource.name}}"\n  rule {\n    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }\n  }\n}',
      ],
      cloudformation: [
        "BucketEncryption:\n  ServerSideEncryptionConfiguration:\n    - ServerSideEncryptionByDefault:\n        SSEAlgorithm: aws:kms",
      ],
      console: ["S3 → Buckets → {{resource.name}} → Properties → Default encryption → Edit: SSE-KMS, save."],
    },
    rollback: {
      cli: ["aws s3api delete-bucket-encryption --bucket {{resource.name}}"],
      terraform: ["Revert the commit and apply."],
      cloudformation: ["Remove BucketEncryption and update the stack."],
      console: [
        "S3 → Buckets → {{resource.name}} → Properties → Default encryption → Edit: previous setting, save.",
      ],
    },
    routes: {
      native: {
        operation: "s3:PutBucketEncryption",
        input: { bucket: "{{resource.name}}", algorithm: "aws:kms" },
      },
      pipeline: { inputs: { playbook: "s3-enable-encryption", resource: "{{resource.id}}" } },
      pullRequest: {
        title: "Encrypt {{resource.name}} by default",
        terraform: {
          type: "aws_s3_bucket_server_side_encryption_configuration",
          reference: "bucket",
          arguments: { rule: { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } } },
        },
      },
      webhook: { event: "drift.fix.s3-enable-encryption" },
    },
    verify: {
      checks: [{ path: "encryption.enabled", equals: true }],
      deadlineMinutes: 30,
      intervalSeconds: 60,
    },
    breaks: [
      {
        dependentTypes: ["aws.iam.role"],
        why: "readers without kms:Decrypt on the key can no longer read new objects",
      },
    ],
  },
  {
    id: "s3-enable-logging",
    title: "Turn server access logging back on",
    archetypes: ["aws-s3-access-logging-disabled"],
    resourceTypes: ["aws.s3.bucket"],
    paths: ["logging"],
    risk: "low",
    domain: "logging",
    preconditions: [{ description: "The target log bucket exists and accepts log delivery." }],
    steps: {
      cli: [
        'aws s3api put-bucket-logging --bucket {{resource.name}} --bucket-logging-status \'{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"{{resource.name}}/"}}\'',
      ],
      terraform: [
        'resource "aws_s3_bucket_logging" "this" {\n  bucket        = "{{resource.name}}"\n  target_bucket = "<log-bucket>"\n  target_prefix = "{{resource.name}}/"\n}',
      ],
      cloudformation: [
        "LoggingConfiguration:\n  DestinationBucketName: <log-bucket>\n  LogFilePrefix: {{resource.name}}/",
      ],
      console: [
        "S3 → Buckets → {{resource.name}} → Properties → Server access logging → Edit: enable, choose the log bucket, save.",
      ],
    },
    rollback: {
      cli: ["aws s3api put-bucket-logging --bucket {{resource.name}} --bucket-logging-status '{}'"],
      terraform: ["Revert the commit and apply."],
      cloudformation: ["Remove LoggingConfiguration and update the stack."],
      console: [
        "S3 → Buckets → {{resource.name}} → Properties → Server access logging → Edit: disable, save.",
      ],
    },
    routes: {
      native: { operation: "s3:PutBucketLogging", input: { bucket: "{{resource.name}}" } },
      pipeline: { inputs: { playbook: "s3-enable-logging", resource: "{{resource.id}}" } },
      pullRequest: { title: "Log access to {{resource.name}}" },
      webhook: { event: "drift.fix.s3-enable-logging" },
    },
    verify: { checks: [{ path: "logging.enabled", equals: true }], deadlineMinutes: 30, intervalSeconds: 60 },
    breaks: [],
  },
  {
    id: "kms-rotate-key",
    title: "Turn key rotation back on",
    archetypes: ["aws-kms-key-rotation-disabled"],
    resourceTypes: ["aws.kms.key"],
    paths: ["KeyRotationEnabled"],
    risk: "low",
    domain: "key",
    preconditions: [
      { description: "The key is a symmetric customer-managed key (rotation applies to no other)." },
    ],
    steps: {
      cli: ["aws kms enable-key-rotation --key-id {{resource.id}}"],
      terraform: ["Set enable_key_rotation = true on the aws_kms_key for {{resource.id}} and apply."],
      cloudformation: ["Set EnableKeyRotation: true on the AWS::KMS::Key and update the stack."],
      console: [
        "KMS → Customer managed keys → {{resource.name}} → Key rotation: tick Automatically rotate, save.",
      ],
    },
    rollback: {
      cli: ["aws kms disable-key-rotation --key-id {{resource.id}}"],
      terraform: ["Revert the commit and apply."],
      cloudformation: ["Restore the previous template and update the stack."],
      console: ["KMS → Customer managed keys → {{resource.name}} → Key rotation: untick, save."],
    },
    routes: {
      native: { operation: "kms:EnableKeyRotation", input: { keyId: "{{resource.id}}" } },
      pipeline: { inputs: { playbook: "kms-rotate-key", resource: "{{resource.id}}" } },
      pullRequest: {
        title: "Rotate key {{resource.name}}",
        terraform: { type: "aws_kms_key", arguments: { enable_key_rotation: true } },
      },
      webhook: { event: "drift.fix.kms-rotate-key" },
    },
    verify: {
      checks: [{ path: "KeyRotationEnabled", equals: true }],
      deadlineMinutes: 30,
      intervalSeconds: 60,
    },
    breaks: [],
  },
  {
    id: "iam-disable-access-key",
    title: "Disable a stale or exposed access key",
    archetypes: ["aws-iam-access-key-stale", "aws-root-access-key"],
    resourceTypes: ["aws.iam.user"],
    paths: ["accessKeys", "rule:*"],
    risk: "high",
    domain: "identity",
    preconditions: [
      { description: "Nothing in production still signs requests with the key (check its last use)." },
    ],
    steps: {
      cli: [
        "aws iam update-access-key --user-name {{resource.name}} --access-key-id <key-id> --status Inactive",
      ],
      terraform: ['Set status = "Inactive" on the aws_iam_access_key of {{resource.name}} and apply.'],
      cloudformation: ["Set Status: Inactive on the AWS::IAM::AccessKey and update the stack."],
      console: ["IAM → Users → {{resource.name}} → Security credentials → the key → Actions → Deactivate."],
    },
    rollback: {
      cli: [
        "aws iam update-access-key --user-name {{resource.name}} --access-key-id <key-id> --status Active",
      ],
      terraform: ["Revert the commit and apply."],
      cloudformation: ["Set Status: Active and update the stack."],
      console: ["IAM → Users → {{resource.name}} → Security credentials → the key → Actions → Activate."],
    },
    routes: {
      native: {
        operation: "iam:UpdateAccessKey",
        input: { userName: "{{resource.name}}", status: "Inactive" },
      },
      pipeline: { inputs: { playbook: "iam-disable-access-key", resource: "{{resource.id}}" } },
      pullRequest: {
        title: "Disable the access key of {{resource.name}}",
        terraform: { type: "aws_iam_access_key", arguments: { status: "Inactive" } },
      },
      webhook: { event: "drift.fix.iam-disable-access-key" },
    },
    verify: { checks: [{ path: "accessKeys.active", equals: 0 }], deadlineMinutes: 30, intervalSeconds: 60 },
    breaks: [{ dependentTypes: ["*"], why: "jobs and services still using the key start failing" }],
  },
  {
    id: "iam-detach-admin-policy",
    title: "Detach an over-broad policy",
    archetypes: ["aws-iam-wildcard-admin"],
    resourceTypes: ["aws.iam.role", "aws.iam.user", "aws.iam.group"],
    paths: ["attachedPolicies", "rule:*"],
    risk: "high",
    domain: "identity",
    preconditions: [
      { description: "A least-privilege policy covering what the principal really does is attached first." },
    ],
    steps: {
      cli: [
        "aws iam detach-role-policy --role-name {{resource.name}} --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
      ],
      terraform: [
        "Remove the aws_iam_role_policy_attachment of AdministratorAccess to {{resource.name}} and apply.",
      ],
      cloudformation: [
        "Remove AdministratorAccess from ManagedPolicyArns of {{resource.name}} and update the stack.",
      ],
      console: ["IAM → Roles → {{resource.name}} → Permissions → AdministratorAccess → Detach."],
    },
    rollback: {
      cli: [
        "aws iam attach-role-policy --role-name {{resource.name}} --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
      ],
      terraform: ["Revert the commit and apply."],
      cloudformation: ["Restore the previous template and update the stack."],
      console: ["IAM → Roles → {{resource.name}} → Permissions → Add permissions → AdministratorAccess."],
    },
    routes: {
      native: {
        operation: "iam:DetachRolePolicy",
        input: { roleName: "{{resource.name}}", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      },
      pipeline: { inputs: { playbook: "iam-detach-admin-policy", resource: "{{resource.id}}" } },
      pullRequest: { title: "Detach AdministratorAccess from {{resource.name}}" },
      webhook: { event: "drift.fix.iam-detach-admin-policy" },
    },
    verify: {
      checks: [{ path: "attachedPolicies.admin", equals: false }],
      deadlineMinutes: 30,
      intervalSeconds: 60,
    },
    breaks: [
      {
        dependentTypes: ["*"],
        why: "workloads assuming the role lose every permission the narrower policy lacks",
      },
    ],
  },
];

/**
 * The first playbook that fixes a drift: its resource type and path match (a `rule:` drift matches
 * a playbook listing `rule:*` patterns).
 * @example
 * const playbook = playbookFor(drift); // "s3-block-public-access" for publicAccessBlock.BlockPublicAcls on a bucket
 */
export function playbookFor(
  drift: Pick<Drift, "resourceType" | "path">,
  playbooks: readonly Playbook[] = defaultPlaybooks,
): Playbook | undefined {
  return playbooks.find(
    (playbook) =>
      playbook.resourceTypes.some((pattern) => wildcard(pattern).test(drift.resourceType)) &&
      playbook.paths.some((path) =>
        path.includes("*")
          ? wildcard(path).test(drift.path)
          : drift.path === path || drift.path.startsWith(`${path}.`),
      ),
  );
}

/**
 * A playbook rendered for a drift: the preconditions, steps and rollback in `format`, and what
 * `route` sends, with the resource's values escaped for where they land. Shown by a dry run and in
 * approval requests and tickets.
 * @example
 * const plan = planFix(playbook, drift, { route: "pipeline", format: "terraform" });
 */
export function planFix(
  playbook: Playbook,
  drift: Drift,
  choice: { route: FixRoute; format: FixFormat },
): FixPlan {
  const variables = variablesOf(drift);
  const context: RenderContext = formatContext[choice.format];
  const render = (template: string, where: RenderContext = "text") =>
    renderTemplate(template, variables, where);
  const renderAll = (input: Record<string, string>) =>
    Object.fromEntries(Object.entries(input).map(([key, value]) => [key, render(value)]));
  const request: Record<string, unknown> = (() => {
    switch (choice.route) {
      case "native":
        return {
          operation: playbook.routes.native.operation,
          input: renderAll(playbook.routes.native.input),
        };
      case "pipeline":
        return { inputs: { ...renderAll(playbook.routes.pipeline.inputs), drift: drift.id } };
      case "pull-request":
        return {
          title: render(playbook.routes.pullRequest.title),
          ...(drift.baseline.iac ? { address: drift.baseline.iac.address } : {}),
          ...(playbook.routes.pullRequest.terraform
            ? { terraform: playbook.routes.pullRequest.terraform }
            : {}),
        };
      case "webhook":
        return { event: playbook.routes.webhook.event, resource: drift.resourceId, drift: drift.id };
    }
  })();
  return {
    playbook: playbook.id,
    title: playbook.title,
    route: choice.route,
    format: choice.format,
    risk: playbook.risk,
    domain: playbook.domain,
    preconditions: playbook.preconditions.map((item) => item.description),
    steps: playbook.steps[choice.format].map((step) => render(step, context)),
    rollback: playbook.rollback[choice.format].map((step) => render(step, context)),
    request,
    verify: playbook.verify,
  };
}

/**
 * The preconditions of a playbook that a snapshot fails (only those with a check).
 * @example
 * const failed = unmetPreconditions(playbook, snapshot.attributes); // [] when the fix may run
 */
export function unmetPreconditions(playbook: Playbook, attributes: Record<string, unknown>): string[] {
  return playbook.preconditions
    .filter((item) => item.check !== undefined && !checkPasses(item.check, attributes))
    .map((item) => item.description);
}

/** True when every verification check of `playbook` passes on `attributes`. */
export function verificationPasses(playbook: Playbook, attributes: Record<string, unknown>): boolean {
  return playbook.verify.checks.every((check) => checkPasses(check, attributes));
}

/**
 * What a fix closes and could break, before approval: the drift's findings and the open findings on
 * the resource whose archetype the playbook fixes (with their cases), and the dependents whose type
 * the playbook says the change can cut off.
 * @example
 * const impact = fixImpact(drift, playbook, { findings, dependents: graph.dependentsOf(drift.resourceId) });
 */
export function fixImpact(
  drift: Drift,
  playbook: Playbook,
  context: {
    /** Open findings, with the archetype each maps to (e.g. from `matchArchetype`). */
    findings?: readonly { finding: Finding; archetype?: string; caseId?: string }[];
    dependents?: readonly Dependent[];
  } = {},
): FixImpact {
  const findingIds = new Set(drift.findingIds);
  const caseIds = new Set<string>();
  for (const { finding, archetype, caseId } of context.findings ?? []) {
    if (finding.resource.id !== drift.resourceId || finding.status !== "open") continue;
    if (!findingIds.has(finding.id) && (archetype === undefined || !playbook.archetypes.includes(archetype)))
      continue;
    findingIds.add(finding.id);
    if (caseId) caseIds.add(caseId);
  }
  const mayBreak: FixImpact["mayBreak"] = [];
  for (const dependent of context.dependents ?? []) {
    const rule = playbook.breaks.find((item) =>
      item.dependentTypes.some((pattern) => wildcard(pattern).test(dependent.type)),
    );
    if (rule) mayBreak.push({ ...dependent, why: rule.why });
  }
  return { closes: { findingIds: [...findingIds], caseIds: [...caseIds] }, mayBreak };
}

/**
 * Checks that playbooks are whole: unique ids, every format and route filled in, a verification.
 * @throws ConfigurationError naming the playbook and what is missing.
 */
export function validatePlaybooks(playbooks: readonly Playbook[]): void {
  const seen = new Set<string>();
  for (const playbook of playbooks) {
    const missing = (what: string) =>
      new ConfigurationError(`playbook "${playbook.id}": ${what}.`, { option: "playbooks" });
    if (!playbook.id) throw missing("has no id");
    if (seen.has(playbook.id)) throw missing("is defined twice");
    seen.add(playbook.id);
    for (const format of fixFormats) {
      if (!playbook.steps[format]?.length) throw missing(`has no ${format} steps`);
      if (!playbook.rollback[format]?.length) throw missing(`has no ${format} rollback`);
    }
    if (!playbook.verify.checks.length) throw missing("has no verification check");
    if (!(playbook.verify.deadlineMinutes > 0)) throw missing("needs a positive verification deadline");
  }
}

/** The formats a playbook writes its steps in. */
export const fixFormats: readonly FixFormat[] = ["cli", "terraform", "cloudformation", "console"];

// Internal helpers.

const formatContext: Record<FixFormat, RenderContext> = {
  cli: "bash",
  terraform: "hcl",
  cloudformation: "yaml",
  console: "text",
};

function variablesOf(drift: Drift): Record<string, string | undefined> {
  const parts = drift.resourceId.split(":");
  // `arn:aws:s3:::bucket` → `bucket`; `arn:aws:iam::1:role/path/name` → `name`.
  const resource = parts[0] === "arn" ? parts.slice(5).join(":") : drift.resourceId;
  const name = resource.split("/").filter(Boolean).pop() ?? resource;
  return {
    "resource.id": drift.resourceId,
    "resource.name": name,
    "resource.region": parts[0] === "arn" ? parts[3] || undefined : undefined,
    "resource.accountId": parts[0] === "arn" ? parts[4] || undefined : undefined,
    "drift.path": drift.path,
    "drift.before": JSON.stringify(drift.before) ?? "absent",
    "drift.after": JSON.stringify(drift.after) ?? "absent",
  };
}

/** The value at a dotted path (`undefined` when any step is missing). */
export function valueAt(attributes: Record<string, unknown>, path: string): unknown {
  let value: unknown = attributes;
  for (const part of path.split(".")) {
    if (!isFields(value)) return undefined;
    value = value[part];
  }
  return value;
}

function checkPasses(check: AttributeCheck, attributes: Record<string, unknown>): boolean {
  return JSON.stringify(valueAt(attributes, check.path)) === JSON.stringify(check.equals);
}
