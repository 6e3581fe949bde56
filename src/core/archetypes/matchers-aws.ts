import {
  type ArchetypeMatcher,
  DB_PORTS,
  ENCRYPT,
  family,
  MFA,
  m,
  OPEN_TO_WORLD,
  PUBLIC,
  portFamily,
  ROTATE,
} from "./matcher.js";

// Resource-type prefixes, with the spellings the adapters produce (ARN service names and friendlier ones).
const S3 = ["aws.s3"];
const EC2 = ["aws.ec2", "aws.vpc"];
const EBS = ["aws.ec2", "aws.ebs"];
const IAM = ["aws.iam"];
const ACCOUNT = ["aws.account", "aws.organizations"];
const RDS = ["aws.rds"];
const DOCDB = ["aws.docdb", "aws.rds"];
const NEPTUNE = ["aws.neptune", "aws.rds"];
const CLOUDTRAIL = ["aws.cloudtrail"];
const CLOUDWATCH = ["aws.cloudwatch", "aws.logs", "aws.account"];
const KMS = ["aws.kms"];
const LAMBDA = ["aws.lambda"];
const APIGATEWAY = ["aws.apigateway", "aws.apigatewayv2", "aws.execute-api"];
const CLOUDFRONT = ["aws.cloudfront"];
const ELB = ["aws.elasticloadbalancing", "aws.elb", "aws.elbv2"];
const EKS = ["aws.eks"];
const ECS = ["aws.ecs"];
const ECR = ["aws.ecr"];
const EFS = ["aws.elasticfilesystem", "aws.efs"];
const DYNAMODB = ["aws.dynamodb"];
const DAX = ["aws.dax", "aws.dynamodb"];
const ELASTICACHE = ["aws.elasticache"];
const REDSHIFT = ["aws.redshift"];
const OPENSEARCH = ["aws.opensearch", "aws.es", "aws.elasticsearch"];
const SAGEMAKER = ["aws.sagemaker"];
const BEDROCK = ["aws.bedrock"];
const GLUE = ["aws.glue"];
const GUARDDUTY = ["aws.guardduty", "aws.account"];
const WAF = ["aws.waf", "aws.wafv2", "aws.waf-regional"];
const MSK = ["aws.kafka", "aws.msk", "aws.kafkaconnect"];

/** Built-in AWS matchers, in precedence order within each resource type. */
export const awsMatchers: readonly ArchetypeMatcher[] = [
  m(
    "aws-shield-protection-missing",
    [
      "aws.shield",
      "aws.ec2",
      "aws.elasticloadbalancing",
      "aws.elb",
      "aws.cloudfront",
      "aws.route53",
      "aws.globalaccelerator",
    ],
    [["shield"]],
  ),
  m(
    "aws-bedrock-api-key-overprivileged",
    ["aws.bedrock", "aws.iam"],
    [["bedrock"], ["api key"], ["administrative", "privilege", "full"]],
  ),
  m("aws-bedrock-api-key-long-term", ["aws.bedrock", "aws.iam"], [["bedrock"], ["long term", "expired"]]),

  // --- S3 ---
  m(
    "aws-s3-block-public-access-disabled",
    ["aws.s3", "aws.account"],
    [["block public access", "public access block", "blockpublic", "public access blocks"]],
  ),
  m("aws-s3-acls-enabled", S3, [
    ["bucket acls disabled", "acls disabled", "acl prohibited", "object ownership"],
  ]),
  m("aws-s3-shadow-bucket", S3, [["shadow resource", "shadow bucket"]]),
  m("aws-s3-cross-account-access", S3, [["cross account", "other accounts", "external account"]]),
  m("aws-s3-public-write", S3, [
    [...PUBLIC, "global 'put'", "global 'delete'", "aws users", "any aws customer", "authenticated users"],
    ["write", "put", "upload", "full control", "full_control", "delete"],
  ]),
  m("aws-s3-public-read", S3, [
    [
      ...PUBLIC,
      "publicly readable",
      "exposed",
      "global 'get'",
      "global 'list'",
      "aws users",
      "authenticated users",
    ],
  ]),
  m("aws-s3-insecure-transport", S3, [
    [
      "ssl",
      "tls",
      "https",
      "secure transport",
      "insecure transport",
      "in transit",
      "http request",
      "securetransport",
      "transported",
    ],
  ]),
  m("aws-s3-unencrypted", S3, [ENCRYPT]),
  m("aws-s3-access-logging-disabled", S3, [["logging", "access log", "server access"]]),
  m("aws-s3-mfa-delete-disabled", S3, [["mfa delete", "mfa to delete"]]),
  m("aws-s3-versioning-disabled", S3, [["versioning"]]),
  m("aws-s3-object-lock-disabled", S3, [["object lock"]]),
  m("aws-s3-lifecycle-missing", S3, [["lifecycle"]]),
  m("aws-s3-replication-disabled", S3, [["replication"]]),
  m("aws-s3-event-notifications-disabled", S3, [["event notification", "event notifications"]]),
  m("aws-s3-ip-restriction-missing", S3, [["whitelist", "allowlist", "ip networks"]]),
  m("aws-glacier-vault-public", ["aws.glacier"], [[...PUBLIC, "everyone"]]),

  // --- EBS, AMIs and snapshots ---
  m("aws-ebs-snapshot-block-public-access-disabled", EBS, [
    ["snapshot", "snapshots", "ami", "image"],
    ["block public access", "public access blocked"],
  ]),
  m("aws-ebs-snapshot-public", EBS, [
    ["snapshot", "ami", "image"],
    [...PUBLIC, "restorable by anyone", "shared with all"],
  ]),
  m(
    "aws-ebs-default-encryption-disabled",
    ["aws.ec2", "aws.ebs", "aws.account"],
    [["ebs"], ["default encryption", "encryption by default"]],
  ),
  m("aws-ebs-snapshot-unencrypted", EBS, [["snapshot"], ["encrypt"]]),
  m("aws-ebs-unencrypted", ["aws.ec2", "aws.ebs", "aws.account"], [["ebs", "volume", "disk"], ENCRYPT]),
  m("aws-ebs-backup-plan-missing", EBS, [["ebs", "volume"], ["backup plan"]]),
  m("aws-ebs-backup-disabled", EBS, [
    ["ebs", "volume"],
    ["snapshot", "snapshots", "backup"],
  ]),

  // --- Network: NACLs, security groups, VPC ---
  ...portFamily("aws-nacl", EC2, ["ssh", "rdp", "all-ports"], {
    require: ["network acl", "network acls", "nacl", "nacls", "networkacl"],
  }),
  m("aws-nacl-unrestricted-egress", EC2, [
    ["network acl", "network acls", "nacl", "networkacl"],
    ["outbound", "egress"],
  ]),
  m("aws-nacl-unused", EC2, [
    ["network acl", "nacl", "networkacl"],
    ["unused", "associated"],
  ]),
  m("aws-default-security-group-open", EC2, [["default security group"]], {
    ruleIds: { prisma: ["2378dbf4-b104-4bda-9b05-7417affbba3f"] },
    ruleNames: { prisma: ["AWS Default Security Group Does Not Restrict All Traffic"] },
  }),
  m("aws-sg-specific-public-ip-open", EC2, [["specific public ip"]]),
  m("aws-sg-wide-cidr-open", EC2, [["cidr"], ["public", "wide open"]]),
  m("aws-sg-launch-wizard", EC2, [["launch wizard"]]),
  m("aws-sg-too-many-rules", EC2, [["50 or fewer", "many rules", "number of rules", "too many rules"]]),
  m("aws-sg-ssh-open", EC2, [["ssh", "port 22", "tcp/22", "22/tcp", "port: 22"], OPEN_TO_WORLD], {
    ruleNames: { prisma: ["AWS Security Group allows all traffic on SSH port (22)"] },
  }),
  m("aws-sg-database-port-open", EC2, [DB_PORTS, OPEN_TO_WORLD], {
    ruleNames: {
      prisma: ["AWS Security Groups allow internet traffic from internet to PostgreSQL port (5432)"],
    },
  }),
  ...portFamily("aws-sg", EC2, [
    "rdp",
    "telnet",
    "ftp",
    "smb",
    "ldap",
    "kerberos",
    "kafka",
    "vnc",
    "smtp",
    "dns",
    "rpc",
    "etcd",
    "http",
    "icmp",
    "udp",
    "high-risk-ports",
  ]),
  m("aws-sg-unrestricted-egress", EC2, [["egress", "outbound"]], {
    exclude: ["outbound rules attached", "should have outbound"],
  }),
  m(
    "aws-sg-all-ports-open",
    EC2,
    [
      [
        "all ports",
        "all traffic",
        "all protocols",
        "any port",
        "ingress",
        "inbound",
        "unrestricted security group",
        "open to all",
      ],
      OPEN_TO_WORLD,
    ],
    {
      ruleNames: { prisma: ["AWS Security Groups With Inbound Rule Overly Permissive To All Traffic"] },
    },
  ),
  m("aws-sg-unused", EC2, [
    ["security group", "securitygroup"],
    ["not used", "in use", "unused"],
  ]),
  m("aws-vpc-flow-logs-disabled", EC2, [["flow log", "flow logs", "flow logging"]]),
  m("aws-vpc-default-vpc-exists", EC2, [["default vpc"]]),
  m("aws-vpc-transit-gateway-auto-accept", EC2, [["transit gateway"]]),
  m("aws-vpc-peering-routes-broad", EC2, [["peering"]]),
  m("aws-vpc-vpn-tunnel-down", EC2, [["vpn"], ["tunnel", "tunnels"]]),
  m("aws-vpc-client-vpn-logging-disabled", EC2, [["client vpn"], ["logging", "log"]]),
  m("aws-vpc-endpoint-exposed", EC2, [
    ["vpc endpoint", "vpc endpoints"],
    ["exposed", "public"],
  ]),
  m("aws-vpc-endpoint-cross-account-access", EC2, [
    ["endpoint", "endpoint service"],
    ["trusted", "principals", "trust boundaries"],
  ]),
  m("aws-vpc-single-az", EC2, [
    ["subnet", "subnets", "vpc endpoint", "interface endpoint"],
    ["availability zone", "availability zones"],
  ]),
  m("aws-vpc-endpoint-missing", EC2, [["vpc endpoint", "vpc endpoints"]]),
  m("aws-vpc-subnet-public-ip-by-default", EC2, [["subnet"], ["public ip"]]),
  m(
    "aws-networkfirewall-missing",
    ["aws.network-firewall", "aws.networkfirewall", "aws.ec2", "aws.vpc"],
    [["network firewall"], ["vpc has", "in all vpc", "enabled in"]],
  ),

  // --- EC2 instances and launch templates ---
  m(
    "aws-ec2-imdsv1-enabled",
    ["aws.ec2", "aws.autoscaling", "aws.account"],
    [["imds", "imdsv2", "imdsv1", "metadata service", "instance metadata", "http tokens"]],
  ),
  m("aws-ec2-public-instance-profile", EC2, [["internet facing", "public"], ["instance profile"]]),
  m("aws-ec2-instance-profile-missing", EC2, [["instance profile", "instance roles", "instance role"]]),
  m("aws-ec2-ssm-unmanaged", EC2, [["systems manager", "ssm"]]),
  m("aws-ec2-stopped-instance", EC2, [["stopped"]]),
  m("aws-ec2-instance-too-old", EC2, [["older than", "maximum age"]]),
  m("aws-ec2-paravirtual", EC2, [["paravirtual", "virtualization type", "hvm"]]),
  m("aws-ec2-multiple-enis", EC2, [
    ["network interface", "network interfaces", "eni"],
    ["one", "single", "more than"],
  ]),
  m("aws-ec2-elastic-ip-unused", EC2, [
    ["elastic ip", "eip"],
    ["unassigned", "associated", "unused"],
  ]),
  m("aws-ec2-ami-outdated", EC2, [
    ["ami", "image"],
    ["deprecated", "outdated", "old"],
  ]),
  m(
    "aws-ec2-public-ip",
    ["aws.ec2", "aws.vpc", "aws.autoscaling"],
    [["public ip", "public ipv4", "public address", "public ips", "assign public"]],
    { exclude: ["shodan"] },
  ),
  m("aws-ec2-detailed-monitoring-disabled", EC2, [["detailed monitoring"]]),
  m("aws-ec2-not-in-vpc", EC2, [["ec2 vpc", "ec2-vpc", "ec2 classic", "in a vpc"]]),
  m("aws-ec2-tags-missing", EC2, [
    ["tags", "tag"],
    ["does not have any", "missing", "no tags"],
  ]),
  m("aws-autoscaling-elb-health-check-disabled", ["aws.autoscaling"], [["health check", "health checks"]]),
  m("aws-autoscaling-single-instance-type", ["aws.autoscaling"], [["instance types"]]),
  m("aws-autoscaling-launch-configuration-used", ["aws.autoscaling"], [["launch template"]]),
  m("aws-autoscaling-capacity-rebalance-disabled", ["aws.autoscaling"], [["capacity rebalanc"]]),
  ...family("aws-autoscaling", ["aws.autoscaling"], ["public-ip", "multi-az-disabled"]),

  // --- IAM and the root user ---
  m("aws-root-access-key", ["aws.iam", "aws.account"], [["root"], ["access key", "access keys"]]),
  m("aws-root-mfa-disabled", ["aws.iam", "aws.account"], [["root"], MFA]),
  m(
    "aws-root-account-usage",
    ["aws.iam", "aws.account"],
    [["root"], ["usage", "used", "login", "activity", "sign-in", "signin", "use of"]],
  ),
  m(
    "aws-organizations-root-credentials-management-disabled",
    ["aws.iam", "aws.organizations", "aws.account"],
    [["root credentials management", "centralized root", "root access management"]],
  ),
  m("aws-iam-user-mfa-disabled", IAM, [MFA]),
  m("aws-iam-privilege-escalation", IAM, [["privilege escalation"]]),
  m("aws-iam-service-full-access", IAM, [
    ["cloudtrail:*", "kms:*", "full access", "fullaccess", "cloudshell"],
  ]),
  m("aws-iam-marketplace-subscribe-wildcard", IAM, [["marketplace"]]),
  m("aws-iam-assume-role-wildcard", IAM, [["role assumption", "assumerole", "assume role"]]),
  m("aws-iam-wildcard-admin", IAM, [
    [
      "*:*",
      "administratoraccess",
      "administrator access",
      "full admin",
      "full administrative",
      "admin privileges",
      "administrative privileges",
      "wildcard",
      "all actions",
      "admin access",
    ],
  ]),
  m("aws-iam-confused-deputy", IAM, [["confused deputy"]]),
  m("aws-iam-unused-permissions", IAM, [["actively used", "unused permissions", "last accessed"]]),
  m("aws-iam-access-key-at-setup", IAM, [
    ["access key", "access keys"],
    ["initial", "never been used", "setup"],
  ]),
  m("aws-iam-user-multiple-access-keys", IAM, [
    ["access key", "access keys"],
    ["two active", "at most one", "one active"],
  ]),
  m("aws-iam-ssh-key-stale", IAM, [
    ["ssh key", "ssh keys", "ssh public key"],
    ["rotat", "older"],
  ]),
  m("aws-iam-access-key-stale", IAM, [["access key", "access keys", "credential", "credentials"], ROTATE]),
  m("aws-iam-user-inactive", IAM, [
    ["console", "user", "iam user"],
    ["inactive", "unused", "not used", "used within", "inactivity"],
  ]),
  m("aws-iam-user-console-password", IAM, [
    ["password based console", "console password", "password-based console"],
  ]),
  m("aws-iam-long-lived-credentials", IAM, [["long lived", "temporary credentials"]]),
  m(
    "aws-iam-password-policy-weak",
    ["aws.iam", "aws.account"],
    [["password policy", "password length", "password reuse", "passwords"]],
    {
      ruleNames: {
        prisma: [
          "AWS IAM password policy allows password reuse",
          "AWS IAM password policy does not have a minimum of 14 characters",
          "AWS IAM Password policy is insecure",
        ],
      },
    },
  ),
  m("aws-iam-role-cross-account-trust", IAM, [
    ["trust", "external aws accounts", "external accounts", "readonlyaccess"],
    ["external", "cross-account", "cross account", "any principal", "any aws account", "third party"],
  ]),
  m("aws-iam-user-direct-policy", IAM, [
    [
      "attached only to groups",
      "attached only to group",
      "inline or attached policies",
      "policies attached to users",
    ],
  ]),
  m("aws-iam-support-role-missing", IAM, [["support role", "awssupportaccess", "support access"]]),
  m("aws-iam-security-audit-role-missing", IAM, [["securityaudit", "security audit"]]),
  m("aws-iam-identity-federation-missing", IAM, [["saml", "identity provider", "identity providers"]]),
  m("aws-iam-ip-restriction-missing", IAM, [["whitelist", "allowlist", "ip networks"]]),
  m(
    "aws-iam-server-certificate-heartbleed",
    ["aws.iam", "aws.acm"],
    [["server certificate"], ["heartbleed"]],
  ),
  m(
    "aws-iam-server-certificate-expired",
    ["aws.iam", "aws.acm"],
    [["server certificate"], ["expired", "expir"]],
  ),
  m(
    "aws-iam-access-analyzer-findings",
    ["aws.accessanalyzer", "aws.access-analyzer", "aws.iam"],
    [["access analyzer", "analyzer"], ["findings"]],
  ),
  m(
    "aws-iam-access-analyzer-disabled",
    ["aws.accessanalyzer", "aws.access-analyzer", "aws.iam", "aws.account"],
    [["access analyzer"]],
  ),
  m("aws-account-contacts-missing", ACCOUNT, [["contact", "contacts"]]),
  m("aws-organizations-membership-missing", ACCOUNT, [["organization"], ["member of", "part of"]]),
  m("aws-organizations-untrusted-delegated-admin", ACCOUNT, [
    ["delegated administrators", "trusted delegated"],
  ]),
  m("aws-organizations-ai-opt-out-missing", ACCOUNT, [["opted out", "opt out"], ["ai services"]]),
  m("aws-organizations-region-restriction-missing", ACCOUNT, [["regions"], ["scp", "restrict"]]),
  m("aws-organizations-tag-policies-missing", ACCOUNT, [["tag policies", "tag policy"]]),

  // --- Logging and detection ---
  m("aws-cloudtrail-bucket-mfa-delete-disabled", CLOUDTRAIL, [["mfa delete"]]),
  m("aws-cloudtrail-bucket-public", CLOUDTRAIL, [["bucket"], [...PUBLIC, "publicly"]]),
  m("aws-cloudtrail-bucket-logging-disabled", CLOUDTRAIL, [
    ["bucket"],
    ["access logging", "access log", "logging"],
  ]),
  m("aws-cloudtrail-log-validation-disabled", CLOUDTRAIL, [["validation", "integrity"]], {
    ruleNames: { prisma: ["AWS CloudTrail Trail Log Validation Is Not Enabled In All Regions"] },
  }),
  m("aws-cloudtrail-cloudwatch-integration-disabled", CLOUDTRAIL, [["cloudwatch"]]),
  m("aws-cloudtrail-insights-disabled", CLOUDTRAIL, [["insights"]]),
  m(
    "aws-cloudtrail-data-events-disabled",
    ["aws.cloudtrail", "aws.account"],
    [["data events", "object level", "api calls"]],
  ),
  m("aws-cloudtrail-management-events-disabled", CLOUDTRAIL, [["management events"]]),
  m("aws-cloudtrail-unencrypted", CLOUDTRAIL, [[...ENCRYPT, "kms", "cmk", "cmks"]]),
  m("aws-cloudtrail-disabled", ["aws.cloudtrail", "aws.account"], [["cloudtrail", "trail"]], {
    exclude: [...ENCRYPT, "cloudwatch", "s3 bucket", "data event", "object-level", "threat", "detected"],
    ruleNames: {
      prisma: [
        "AWS CloudTrail is not enabled in all regions",
        "AWS CloudTrail is not enabled on the account",
      ],
    },
  }),
  ...cloudWatchAlarms(),
  m("aws-cloudwatch-alarm-actions-missing", CLOUDWATCH, [["alarm"], ["actions", "action"]]),
  ...family("aws-cloudwatch", CLOUDWATCH, [
    "cross-account-access",
    "unencrypted",
    "public",
    "log-retention-short",
  ]),
  m("aws-kms-key-disabled", KMS, [
    ["enabled or scheduled", "key is disabled", "disabled key", "disabled keys"],
  ]),
  m("aws-kms-key-pending-deletion", KMS, [["deletion", "deleted", "scheduled"]]),
  m("aws-kms-multi-region-key", KMS, [["multi region", "single region"]]),
  m("aws-kms-enclave-attestation-bypassable", KMS, [["attestation"], ["bypass"]]),
  m("aws-kms-enclave-attestation-unbound", KMS, [["attestation"], ["deployment", "binding"]]),
  m("aws-kms-enclave-attestation-not-enforced", KMS, [
    ["attestation", "recipientattestation"],
    ["requires", "enforced", "conditions"],
  ]),
  m("aws-kms-enclave-attestation-pcr-mismatch", KMS, [["pcr", "pcrs"]]),
  m("aws-kms-enclave-unknown-image", KMS, [["enclave"], ["unknown image"]]),
  m("aws-kms-enclave-debug-attestation", KMS, [["enclave"], ["debug"]]),
  m("aws-kms-key-rotation-disabled", KMS, [["rotat"]]),
  m("aws-kms-key-public", KMS, [[...PUBLIC, "publicly"]]),
  m("aws-guardduty-findings-open", GUARDDUTY, [["guardduty", "guard duty"], ["findings"]]),
  m("aws-guardduty-not-centrally-managed", GUARDDUTY, [
    ["guardduty", "guard duty"],
    ["administrator", "delegated admin", "centrally managed", "managed by"],
  ]),
  m("aws-guardduty-malware-protection-disabled", GUARDDUTY, [["guardduty", "guard duty"], ["malware"]]),
  m("aws-guardduty-eks-runtime-monitoring-disabled", GUARDDUTY, [
    ["guardduty", "guard duty"],
    ["runtime monitoring"],
  ]),
  m("aws-guardduty-eks-audit-log-monitoring-disabled", GUARDDUTY, [
    ["guardduty", "guard duty"],
    ["eks audit", "audit log"],
  ]),
  m("aws-guardduty-lambda-protection-disabled", GUARDDUTY, [["guardduty", "guard duty"], ["lambda"]]),
  m("aws-guardduty-rds-protection-disabled", GUARDDUTY, [["guardduty", "guard duty"], ["rds"]]),
  m("aws-guardduty-s3-protection-disabled", GUARDDUTY, [["guardduty", "guard duty"], ["s3"]]),
  m("aws-guardduty-disabled", GUARDDUTY, [["guardduty", "guard duty"]]),
  m(
    "aws-config-recorder-role",
    ["aws.config", "aws.account"],
    [["config"], ["service role", "service linked role"]],
  ),
  m(
    "aws-config-aggregator-missing",
    ["aws.config", "aws.account"],
    [["config"], ["aggregator", "delegated administrator"]],
  ),
  m(
    "aws-config-recorder-disabled",
    ["aws.config", "aws.account"],
    [["aws config", "config recorder", "configuration recorder"]],
  ),
  m(
    "aws-securityhub-not-centrally-managed",
    ["aws.securityhub", "aws.account"],
    [
      ["security hub", "securityhub"],
      ["delegated admin", "administrator"],
    ],
  ),
  m("aws-securityhub-disabled", ["aws.securityhub", "aws.account"], [["security hub", "securityhub"]]),
  m(
    "aws-macie-auto-discovery-disabled",
    ["aws.macie", "aws.macie2", "aws.account"],
    [["macie"], ["automated", "discovery"]],
  ),
  m("aws-macie-disabled", ["aws.macie", "aws.macie2", "aws.account"], [["macie"]]),
  m(
    "aws-inspector-findings-open",
    ["aws.inspector2", "aws.inspector", "aws.account"],
    [["inspector"], ["findings"]],
  ),
  m("aws-inspector-disabled", ["aws.inspector2", "aws.inspector", "aws.account"], [["inspector"]]),
  m("aws-ssm-patch-noncompliant", ["aws.ssm", "aws.ec2"], [["patch", "patching"]]),
  ...family("aws-ssm", ["aws.ssm"], ["public"]),

  // --- Databases ---
  ...family(
    "aws-docdb",
    DOCDB,
    [
      "public-snapshot",
      "unencrypted",
      "deletion-protection-disabled",
      "backup-disabled",
      "multi-az-disabled",
      "logging-disabled",
    ],
    { require: ["documentdb", "docdb", "document db"] },
  ),
  ...family(
    "aws-neptune",
    NEPTUNE,
    [
      "public-snapshot",
      "snapshot-unencrypted",
      "unencrypted",
      "iam-auth-disabled",
      "deletion-protection-disabled",
      "backup-disabled",
      "multi-az-disabled",
      "logging-disabled",
      "copy-tags-disabled",
    ],
    { require: ["neptune"] },
  ),
  m("aws-neptune-public-subnet", NEPTUNE, [["neptune"], ["public subnet", "public subnets"]]),
  m("aws-rds-snapshot-public", RDS, [["snapshot"], PUBLIC]),
  m("aws-rds-backtrack-disabled", RDS, [["backtrack"]]),
  m("aws-rds-event-notifications-missing", RDS, [
    ["event subscription", "event notification", "event notifications"],
  ]),
  ...family("aws-rds", RDS, [
    "snapshot-unencrypted",
    "cmk-disabled",
    "insecure-transport",
    "iam-auth-disabled",
    "default-admin",
    "default-port",
    "deletion-protection-disabled",
    "cert-expiring",
  ]),
  m("aws-rds-unencrypted", RDS, [[...ENCRYPT, "storage encryption"]]),
  m("aws-rds-public", RDS, [[...PUBLIC, "publicly accessible", "internet", "public ip", "publicly exposed"]]),
  m("aws-rds-backup-plan-missing", RDS, [["backup plan"]]),
  m("aws-rds-backup-disabled", RDS, [["backup", "retention"]]),
  ...family("aws-rds", RDS, [
    "multi-az-disabled",
    "auto-upgrade-disabled",
    "outdated-version",
    "monitoring-disabled",
    "logging-disabled",
    "not-in-vpc",
    "copy-tags-disabled",
  ]),
  ...family("aws-dax", DAX, ["insecure-transport", "unencrypted", "multi-az-disabled"], {
    require: ["dax", "accelerator"],
  }),
  m("aws-dynamodb-cmk-disabled", DYNAMODB, [["kms", "cmk", "customer managed"]]),
  m("aws-dynamodb-pitr-disabled", DYNAMODB, [["point in time", "pitr"]]),
  m("aws-dynamodb-autoscaling-disabled", DYNAMODB, [["auto scaling", "autoscaling", "on demand"]]),
  ...family("aws-dynamodb", DYNAMODB, [
    "cross-account-access",
    "unencrypted",
    "public",
    "deletion-protection-disabled",
    "backup-disabled",
  ]),
  m("aws-elasticache-public-subnet", ELASTICACHE, [["public subnet", "public subnets"]]),
  ...family("aws-elasticache", ELASTICACHE, [
    "insecure-transport",
    "unencrypted",
    "auth-disabled",
    "backup-disabled",
    "multi-az-disabled",
    "auto-upgrade-disabled",
  ]),
  ...family("aws-memorydb", ["aws.memorydb"], ["auto-upgrade-disabled"]),
  m("aws-redshift-default-database-name", REDSHIFT, [["database name"]]),
  m("aws-redshift-enhanced-vpc-routing-disabled", REDSHIFT, [["enhanced vpc routing"]]),
  ...family("aws-redshift", REDSHIFT, [
    "cmk-disabled",
    "insecure-transport",
    "unencrypted",
    "public-network",
    "default-admin",
    "backup-disabled",
    "multi-az-disabled",
    "auto-upgrade-disabled",
    "logging-disabled",
  ]),
  m("aws-opensearch-dashboards-auth-disabled", OPENSEARCH, [
    ["kibana", "dashboards"],
    ["cognito", "saml", "authentication"],
  ]),
  m("aws-opensearch-node-to-node-unencrypted", OPENSEARCH, [["node to node"]]),
  m("aws-opensearch-audit-logging-disabled", OPENSEARCH, [["audit"]]),
  m("aws-opensearch-internal-user-database", OPENSEARCH, [["internal user database"]]),
  m("aws-opensearch-dedicated-masters-missing", OPENSEARCH, [["master nodes", "dedicated master"]]),
  ...family("aws-opensearch", OPENSEARCH, [
    "cmk-disabled",
    "insecure-transport",
    "unencrypted",
    "auth-disabled",
    "public-network",
    "multi-az-disabled",
    "outdated-version",
    "logging-disabled",
    "not-in-vpc",
  ]),
  ...family(
    "aws-dms",
    ["aws.dms"],
    [
      "insecure-transport",
      "iam-auth-disabled",
      "auth-disabled",
      "public-network",
      "multi-az-disabled",
      "auto-upgrade-disabled",
      "logging-disabled",
    ],
  ),
  m("aws-kinesis-retention-short", ["aws.kinesis"], [["retain", "retention"]]),
  ...family("aws-kinesis", ["aws.kinesis"], ["unencrypted"]),
  ...family("aws-firehose", ["aws.firehose"], ["unencrypted"]),
  m("aws-msk-auth-disabled", MSK, [["authentication", "unrestricted access"]]),
  ...family("aws-msk", MSK, [
    "cmk-disabled",
    "insecure-transport",
    "unencrypted",
    "public-network",
    "outdated-version",
    "monitoring-disabled",
  ]),
  ...family(
    "aws-mq",
    ["aws.mq"],
    ["public-network", "multi-az-disabled", "auto-upgrade-disabled", "logging-disabled"],
  ),

  // --- Backup, files ---
  m("aws-backup-report-plan-missing", ["aws.backup"], [["report plan", "report plans"]]),
  ...family("aws-backup", ["aws.backup"], ["unencrypted"]),
  m("aws-backup-plan-missing", ["aws.backup"], [["backup plan", "backup plans"]]),
  m("aws-backup-vault-missing", ["aws.backup"], [["vault", "vaults"]]),
  m("aws-efs-access-point-root-directory", EFS, [["root directory"]]),
  m("aws-efs-access-point-user-identity", EFS, [["posix user", "user identity"]]),
  m("aws-efs-policy-open", EFS, [["any client"]]),
  ...family("aws-efs", EFS, ["unencrypted", "public-network", "backup-disabled", "multi-az-disabled"]),
  ...family(
    "aws-fsx",
    ["aws.fsx"],
    ["unencrypted", "backup-disabled", "multi-az-disabled", "copy-tags-disabled"],
  ),
  m("aws-storagegateway-hosted-on-ec2", ["aws.storagegateway"], [["hosted on ec2", "not hosted"]]),
  ...family("aws-storagegateway", ["aws.storagegateway"], ["cmk-disabled", "unencrypted"]),

  // --- Compute, containers, serverless ---
  m("aws-lambda-cross-account-layers", LAMBDA, [["layer", "layers"], ["cross account"]]),
  m("aws-lambda-url-cors-wildcard", LAMBDA, [["cors"]]),
  m("aws-lambda-public-url", LAMBDA, [
    ["function url", "url"],
    ["public", "publicly", "unauthenticated", "anyone", "any principal", "auth type none", "accessible"],
  ]),
  m("aws-lambda-dead-letter-queue-missing", LAMBDA, [["dead letter"]]),
  m("aws-lambda-admin-privileges", LAMBDA, [["admin", "administrative", "full access"]]),
  m("aws-lambda-shared-role", LAMBDA, [["same iam role", "shared role", "more than one"]]),
  ...family(
    "aws-lambda",
    LAMBDA,
    [
      "cross-account-access",
      "cmk-disabled",
      "public",
      "multi-az-disabled",
      "outdated-version",
      "tracing-disabled",
      "logging-disabled",
      "not-in-vpc",
    ],
    { exclude: ["should not have vpc"] },
  ),
  m("aws-eks-secrets-unencrypted", EKS, [
    ["secrets encryption", "kubernetes secrets", "secret encryption", "envelope encryption"],
  ]),
  m("aws-eks-network-policy-disabled", EKS, [["network policy"]]),
  ...family("aws-eks", EKS, ["deletion-protection-disabled", "outdated-version", "logging-disabled"]),
  m("aws-eks-public-endpoint", EKS, [["public", "endpoint", "api server", "internet", "publicly"]]),
  m("aws-ecs-logging-blocking", ECS, [["non blocking", "blocking mode"]]),
  m("aws-ecs-host-network-root", ECS, [["host network"]]),
  m("aws-ecs-host-namespace-shared", ECS, [
    ["process namespace", "pid mode", "host's process", "host namespace"],
  ]),
  m("aws-ecs-root-filesystem-writable", ECS, [
    ["read only root", "readonly root", "read only filesystem", "root filesystem", "root file system"],
  ]),
  m("aws-ecs-privileged-container", ECS, [["privileged"]]),
  ...family("aws-ecs", ECS, ["public-ip", "outdated-version", "monitoring-disabled", "logging-disabled"]),
  m("aws-ecr-image-vulnerable", ECR, [["vulnerabilit"]]),
  m("aws-ecr-image-scanning-disabled", ECR, [["scan", "scanning"]]),
  m("aws-ecr-lifecycle-policy-missing", ECR, [["lifecycle"]]),
  m("aws-ecr-tag-mutable", ECR, [["immutab"]]),
  ...family("aws-ecr", ECR, ["cross-account-access", "public"]),
  m("aws-apigateway-client-certificate-disabled", APIGATEWAY, [["client certificate"]]),
  ...family("aws-apigateway", APIGATEWAY, [
    "tls-outdated",
    "insecure-transport",
    "unencrypted",
    "auth-disabled",
    "public-network",
    "waf-disabled",
    "tracing-disabled",
    "logging-disabled",
  ]),
  m("aws-apigateway-public-network", APIGATEWAY, [
    ["endpoint is private", "private api", "private endpoint"],
  ]),
  ...family("aws-appsync", ["aws.appsync"], ["auth-disabled", "logging-disabled"]),
  ...family("aws-stepfunctions", ["aws.states", "aws.stepfunctions"], ["cmk-disabled", "logging-disabled"]),
  m(
    "aws-eventbridge-replication-disabled",
    ["aws.events", "aws.eventbridge", "aws.schemas"],
    [["replication"]],
  ),
  ...family(
    "aws-eventbridge",
    ["aws.events", "aws.eventbridge", "aws.schemas"],
    ["cross-account-access", "public"],
  ),
  ...family("aws-sns", ["aws.sns"], ["insecure-transport", "unencrypted", "public"]),
  ...family("aws-sqs", ["aws.sqs"], ["unencrypted", "public"]),
  m("aws-secretsmanager-unused", ["aws.secretsmanager"], [["accessed within", "not accessed", "unused"]]),
  ...family("aws-secretsmanager", ["aws.secretsmanager"], ["public", "key-rotation-disabled"]),
  m(
    "aws-secretsmanager-policy-permissive",
    ["aws.secretsmanager"],
    [["restrictive", "resource based policy"]],
  ),
  m("aws-elasticbeanstalk-health-reporting-disabled", ["aws.elasticbeanstalk"], [["health"]]),
  ...family("aws-elasticbeanstalk", ["aws.elasticbeanstalk"], ["auto-upgrade-disabled", "logging-disabled"]),
  ...family(
    "aws-cloudformation",
    ["aws.cloudformation"],
    ["deletion-protection-disabled", "outdated-version"],
  ),
  m("aws-codebuild-public", ["aws.codebuild"], [["visibility", "public", "publicly"]]),
  m("aws-codebuild-project-unused", ["aws.codebuild"], [["invoked", "90 days"]]),
  m("aws-codebuild-user-buildspec", ["aws.codebuild"], [["buildspec"]]),
  m("aws-codebuild-untrusted-source", ["aws.codebuild"], [["github organization", "allowed github"]]),
  m("aws-codebuild-webhook-filter-unanchored", ["aws.codebuild"], [["webhook"]]),
  ...family("aws-codebuild", ["aws.codebuild"], ["unencrypted", "logging-disabled"]),
  m(
    "aws-codeartifact-dependency-confusion",
    ["aws.codeartifact"],
    [["external public", "public sources", "publishing"]],
  ),
  m(
    "aws-codepipeline-public-source",
    ["aws.codepipeline"],
    [
      ["repository", "repo"],
      ["private", "authenticated"],
    ],
  ),
  m("aws-sagemaker-network-isolation-disabled", SAGEMAKER, [["network isolation"]]),
  m("aws-sagemaker-notebook-root-access", SAGEMAKER, [["root access"]]),
  m("aws-sagemaker-domain-sso-disabled", SAGEMAKER, [["sso"]]),
  m("aws-sagemaker-endpoint-single-instance", SAGEMAKER, [["initial instances", "production variants"]]),
  ...family("aws-sagemaker", SAGEMAKER, [
    "insecure-transport",
    "unencrypted",
    "public-network",
    "monitoring-disabled",
    "not-in-vpc",
  ]),
  m("aws-bedrock-guardrail-filter-weak", BEDROCK, [["guardrail"], ["filter", "blocks", "masks"]]),
  m("aws-bedrock-guardrail-missing", BEDROCK, [["guardrail", "guardrails"]]),
  m("aws-bedrock-agent-role-shared", BEDROCK, [["role"], ["dedicated", "shared", "not shared"]]),
  m("aws-bedrock-agent-role-overprivileged", BEDROCK, [["role"], ["least privilege"]]),
  ...family("aws-bedrock", BEDROCK, ["cmk-disabled", "unencrypted", "logging-disabled"]),
  m("aws-glue-connection-password-unencrypted", GLUE, [["password", "passwords"], ["encrypt"]]),
  ...family("aws-glue", GLUE, ["insecure-transport", "unencrypted", "public", "logging-disabled"]),
  m(
    "aws-athena-workgroup-configuration-overridable",
    ["aws.athena"],
    [["enforce", "overridden", "override"]],
  ),
  ...family("aws-athena", ["aws.athena"], ["unencrypted", "logging-disabled"]),
  m("aws-emr-block-public-access-disabled", ["aws.elasticmapreduce", "aws.emr"], [["block public access"]]),
  ...family("aws-emr", ["aws.elasticmapreduce", "aws.emr"], ["unencrypted", "public-ip", "public-network"]),
  m(
    "aws-cognito-advanced-security-disabled",
    ["aws.cognito", "aws.cognito-idp", "aws.cognito-identity"],
    [["advanced security", "compromised credentials", "malicious sign in", "threat protection"]],
  ),
  m("aws-cognito-user-existence-errors", ["aws.cognito", "aws.cognito-idp"], [["user existence"]]),
  m("aws-cognito-token-revocation-disabled", ["aws.cognito", "aws.cognito-idp"], [["token revocation"]]),
  m(
    "aws-cognito-password-policy-weak",
    ["aws.cognito", "aws.cognito-idp"],
    [["password policy", "temporary password", "password"]],
  ),
  m(
    "aws-cognito-self-registration-enabled",
    ["aws.cognito", "aws.cognito-idp"],
    [["self registration", "self sign up"]],
  ),
  ...family(
    "aws-cognito",
    ["aws.cognito", "aws.cognito-idp", "aws.cognito-identity"],
    ["auth-disabled", "waf-disabled", "deletion-protection-disabled", "mfa-disabled"],
  ),

  // --- Edge, load balancing, DNS, certificates ---
  m("aws-cloudfront-custom-certificate-missing", CLOUDFRONT, [
    ["custom ssl", "custom certificate", "custom ssl/tls"],
  ]),
  m("aws-cloudfront-origin-access-control-missing", CLOUDFRONT, [
    ["origin access control", "oac", "origin access identity"],
  ]),
  m("aws-cloudfront-origin-bucket-missing", CLOUDFRONT, [
    ["existing bucket", "existing buckets", "non existent", "nonexistent"],
  ]),
  m("aws-cloudfront-origin-tls-outdated", CLOUDFRONT, [
    ["origin"],
    ["sslv3", "tlsv1", "cipher", "ssl protocols", "deprecated"],
  ]),
  m("aws-cloudfront-origin-insecure-transport", CLOUDFRONT, [
    ["origin"],
    ["encrypt", "https", "protocol policy", "traffic"],
  ]),
  m("aws-cloudfront-sni-disabled", CLOUDFRONT, [["sni"]]),
  m("aws-cloudfront-default-root-object-missing", CLOUDFRONT, [["default root object"]]),
  m("aws-cloudfront-field-level-encryption-disabled", CLOUDFRONT, [["field level"]]),
  m("aws-cloudfront-geo-restriction-disabled", CLOUDFRONT, [["geo"]]),
  ...family("aws-cloudfront", CLOUDFRONT, [
    "tls-outdated",
    "insecure-transport",
    "waf-disabled",
    "multi-az-disabled",
    "logging-disabled",
  ]),
  m("aws-elb-certificate-not-acm", ELB, [["acm"]]),
  m("aws-elb-desync-mitigation-disabled", ELB, [["desync"]]),
  m("aws-elb-invalid-headers-allowed", ELB, [["invalid header", "invalid http header"]]),
  m("aws-elb-connection-draining-disabled", ELB, [["connection draining"]]),
  ...family("aws-elb", ELB, [
    "tls-outdated",
    "insecure-transport",
    "public-network",
    "waf-disabled",
    "deletion-protection-disabled",
    "cross-zone-disabled",
    "multi-az-disabled",
    "cert-expiring",
    "logging-disabled",
  ]),
  m("aws-route53-dangling-record", ["aws.route53"], [["dangling", "subdomain takeover"]]),
  m("aws-route53-domain-privacy-disabled", ["aws.route53", "aws.route53domains"], [["privacy"]]),
  m("aws-route53-domain-transfer-lock-disabled", ["aws.route53", "aws.route53domains"], [["transfer lock"]]),
  ...family("aws-route53", ["aws.route53"], ["logging-disabled"]),
  m("aws-acm-weak-key-algorithm", ["aws.acm", "aws.acm-pca"], [["key algorithm", "rsa 1024", "weak key"]]),
  ...family("aws-acm", ["aws.acm"], ["cert-expiring", "logging-disabled"]),
  m("aws-waf-rules-missing", WAF, [
    ["rule", "rules", "condition", "conditions"],
    ["at least one", "empty"],
  ]),
  ...family("aws-waf", WAF, ["monitoring-disabled", "logging-disabled"]),
  ...family(
    "aws-networkfirewall",
    ["aws.network-firewall", "aws.networkfirewall"],
    ["deletion-protection-disabled", "multi-az-disabled", "logging-disabled"],
  ),
  m(
    "aws-networkfirewall-fragmented-packets-default",
    ["aws.network-firewall", "aws.networkfirewall"],
    [["fragmented"]],
  ),
  m(
    "aws-networkfirewall-full-packets-default",
    ["aws.network-firewall", "aws.networkfirewall"],
    [["full packets"]],
  ),
  m(
    "aws-networkfirewall-rule-groups-missing",
    ["aws.network-firewall", "aws.networkfirewall"],
    [["rule group"]],
  ),

  // --- Smaller services ---
  m("aws-appstream-session-limits-long", ["aws.appstream"], [["session"], ["timeout", "duration"]]),
  ...family("aws-appstream", ["aws.appstream"], ["public-network"]),
  ...family("aws-transfer", ["aws.transfer"], ["tls-outdated", "insecure-transport"]),
  ...family("aws-workspaces", ["aws.workspaces"], ["unencrypted", "not-in-vpc"]),
  ...family("aws-lightsail", ["aws.lightsail"], ["public-network", "backup-disabled", "unused"]),
  m(
    "aws-directoryservice-notifications-disabled",
    ["aws.ds", "aws.directoryservice"],
    [["notification", "notifications"]],
  ),
  m(
    "aws-directoryservice-radius-weak-protocol",
    ["aws.ds", "aws.directoryservice"],
    [["radius"], ["protocol", "chap"]],
  ),
  ...family(
    "aws-directoryservice",
    ["aws.ds", "aws.directoryservice"],
    ["cert-expiring", "mfa-disabled", "logging-disabled"],
  ),
  ...family("aws-datasync", ["aws.datasync"], ["logging-disabled"]),
  ...family("aws-directconnect", ["aws.directconnect"], ["multi-az-disabled"]),
  m("aws-ses-dkim-disabled", ["aws.ses"], [["dkim"]]),
  ...family("aws-ses", ["aws.ses"], ["public"]),
  ...family("aws-servicecatalog", ["aws.servicecatalog"], ["cross-account-access"]),
  m(
    "aws-rolesanywhere-session-permissions-broad",
    ["aws.rolesanywhere"],
    [["session permissions", "scope down"]],
  ),
];

/** The CIS "log metric filter and alarm" checks: one archetype per event the alarm watches. */
function cloudWatchAlarms(): ArchetypeMatcher[] {
  const alarm = ["metric filter", "alarm", "alarms"];
  const events: [string, string[]][] = [
    ["console-signin-without-mfa", ["without mfa", "sign in without", "signin without"]],
    ["console-authentication-failures", ["authentication failure", "authentication failures"]],
    ["unauthorized-api-calls", ["unauthorized api"]],
    ["root-usage", ["root"]],
    ["s3-policy-changes", ["s3 bucket policy", "bucket policy"]],
    ["config-changes", ["aws config", "config configuration"]],
    ["cloudtrail-changes", ["cloudtrail"]],
    ["kms-key-deletion", ["kms", "cmk", "cmks", "customer created"]],
    ["organizations-changes", ["organizations", "organization"]],
    ["nacl-changes", ["network acl", "nacl", "network access control"]],
    ["network-gateway-changes", ["network gateway", "network gateways"]],
    ["route-table-changes", ["route table", "route tables"]],
    ["security-group-changes", ["security group"]],
    ["iam-policy-changes", ["iam policy", "policy changes"]],
    ["vpc-changes", ["vpc changes", "vpcs", "vpc"]],
  ];
  return events.map(([event, words]) => m(`aws-cloudwatch-alarm-${event}`, CLOUDWATCH, [alarm, words]));
}
