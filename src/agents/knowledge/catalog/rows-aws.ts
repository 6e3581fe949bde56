import { bundles } from "../controls.js";
import type { CatalogRow } from "./build.js";

const bash = (code: string) => ({ language: "bash", label: "AWS CLI", code });

/** AWS catalog archetypes written by hand (the shared problem kinds cover the rest). */
export const awsRows: readonly CatalogRow[] = [
  // --- S3 ---
  [
    "aws-s3-acls-enabled",
    "data",
    "still uses bucket ACLs (object ownership is not 'bucket owner enforced')",
    "Set object ownership of S3 bucket {{resource.name}} to 'bucket owner enforced', which disables ACLs, after moving any access that relies on ACLs into the bucket policy.",
    {
      snippet: bash(
        "aws s3api put-bucket-ownership-controls --bucket {{resource.shortId}} \\\n  --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'",
      ),
    },
  ],
  [
    "aws-s3-shadow-bucket",
    "data",
    "is a predictable-name bucket owned by another account (a shadow resource)",
    "Stop writing to {{resource.name}}: point the service that uses it at a bucket your account owns, with a name that includes your account id, and block writes to buckets outside your organization with an SCP or VPC endpoint policy.",
    {
      risk: "A service in your account writes to or reads from {{resource.name}}, a bucket someone else created with the name it expects, so that party can read your data or plant files.",
    },
  ],
  [
    "aws-s3-mfa-delete-disabled",
    "backup",
    "has MFA delete turned off",
    "Enable versioning with MFA delete on S3 bucket {{resource.name}} using the root user's MFA device, so versions cannot be deleted without a second factor.",
    {
      snippet: bash(
        "aws s3api put-bucket-versioning --bucket {{resource.shortId}} \\\n  --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa '<root-mfa-arn> <code>'",
      ),
    },
  ],
  [
    "aws-s3-object-lock-disabled",
    "backup",
    "has Object Lock turned off",
    "Enable Object Lock with a default retention on S3 bucket {{resource.name}} (it can be turned on for existing buckets after versioning is on) for data that must not be deleted or changed.",
    {
      snippet: bash(
        "aws s3api put-object-lock-configuration --bucket {{resource.shortId}} \\\n  --object-lock-configuration 'ObjectLockEnabled=Enabled,Rule={DefaultRetention={Mode=GOVERNANCE,Days=30}}'",
      ),
    },
  ],
  [
    "aws-s3-lifecycle-missing",
    "governance",
    "has no lifecycle configuration",
    "Add a lifecycle rule to S3 bucket {{resource.name}} that expires or archives objects and old versions after your retention period.",
    {
      snippet: bash(
        'aws s3api put-bucket-lifecycle-configuration --bucket {{resource.shortId}} --lifecycle-configuration \\\n  \'{"Rules":[{"ID":"expire-old-versions","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":90}}]}\'',
      ),
    },
  ],
  [
    "aws-s3-replication-disabled",
    "resilience",
    "has no cross-region replication",
    "Configure replication of S3 bucket {{resource.name}} to a bucket in another region (versioning must be on in both), if the data must survive a regional outage.",
  ],
  [
    "aws-s3-event-notifications-disabled",
    "logging",
    "has no event notifications",
    "Configure event notifications on S3 bucket {{resource.name}} for object creation and deletion to an SNS topic, SQS queue, Lambda or EventBridge that your monitoring reads.",
  ],
  [
    "aws-s3-ip-restriction-missing",
    "data",
    "is not limited to known networks",
    "Add a bucket-policy statement to {{resource.name}} that denies requests not coming from your VPC endpoints or known IP ranges (aws:SourceVpce / aws:SourceIp), except for the roles that must reach it from elsewhere.",
  ],
  [
    "aws-glacier-vault-public",
    "data",
    "has an access policy open to everyone",
    "Remove the statements with Principal '*' from the access policy of S3 Glacier vault {{resource.name}}, granting access to named roles only.",
  ],

  // --- EBS and snapshots ---
  [
    "aws-ebs-snapshot-block-public-access-disabled",
    "data",
    "does not block public sharing of snapshots and AMIs",
    "Turn on block public access for EBS snapshots and AMIs in account {{resource.accountId}}, region {{resource.region}}.",
    {
      noun: "AWS account",
      snippet: bash(
        "aws ec2 enable-snapshot-block-public-access --state block-all-sharing --region {{resource.region}}\naws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing --region {{resource.region}}",
      ),
    },
  ],
  [
    "aws-ebs-default-encryption-disabled",
    "encryption",
    "does not encrypt new EBS volumes by default",
    "Turn on EBS encryption by default in account {{resource.accountId}} for region {{resource.region}}, with your customer-managed key.",
    {
      noun: "AWS account",
      snippet: bash(
        "aws ec2 enable-ebs-encryption-by-default --region {{resource.region}}\naws ec2 modify-ebs-default-kms-key-id --kms-key-id alias/<your-key> --region {{resource.region}}",
      ),
    },
  ],

  // --- Network ---
  [
    "aws-nacl-unrestricted-egress",
    "exposure",
    "allows all outbound traffic to the internet",
    "Replace the allow-all outbound entry of network ACL {{resource.name}} with entries for the destinations and ports the subnet needs.",
    { controls: bundles.outboundNetwork },
  ],
  [
    "aws-sg-specific-public-ip-open",
    "exposure",
    "opens ports to individual public IP addresses",
    "Review each rule of security group {{resource.name}} that allows a single public IP; replace it with a VPN, bastion or Session Manager access, or document the partner address it belongs to.",
  ],
  [
    "aws-sg-wide-cidr-open",
    "exposure",
    "allows very wide public address ranges (/1 to /23)",
    "Narrow the rules of security group {{resource.name}} that allow large public CIDR ranges to the specific addresses that need access.",
  ],
  [
    "aws-sg-launch-wizard",
    "hardening",
    "was created by the EC2 launch wizard",
    "Replace security group {{resource.name}} with a purpose-made group that allows only the needed ports from known sources, then delete the launch-wizard group.",
    {
      risk: "Launch-wizard groups usually allow SSH or RDP from anywhere and get reused for other instances without review.",
    },
  ],
  [
    "aws-sg-too-many-rules",
    "hardening",
    "has too many inbound or outbound rules to review",
    "Split or consolidate security group {{resource.name}} so each group serves one purpose with a short, reviewable rule list (prefix lists help).",
  ],
  [
    "aws-vpc-default-vpc-exists",
    "exposure",
    "still has a default VPC",
    "Delete the default VPC in region {{resource.region}} once nothing uses it, so new resources cannot land in it by accident.",
    {
      noun: "AWS account",
      risk: "Default VPCs have public subnets and auto-assigned public IPs; anything launched there without thought is exposed.",
    },
  ],
  [
    "aws-vpc-transit-gateway-auto-accept",
    "exposure",
    "automatically accepts shared VPC attachments",
    "Turn off auto-accept of shared attachments on transit gateway {{resource.name}}, so every new attachment is reviewed.",
    { noun: "transit gateway" },
  ],
  [
    "aws-vpc-peering-routes-broad",
    "exposure",
    "routes more than it needs over VPC peering",
    "Replace the broad routes (0.0.0.0/0 or the whole peer CIDR) in the route tables of {{resource.name}} with routes to the specific subnets that must talk to each other.",
    { noun: "VPC peering connection" },
  ],
  [
    "aws-vpc-vpn-tunnel-down",
    "resilience",
    "has a VPN tunnel down",
    "Bring both tunnels of VPN connection {{resource.name}} up (check the customer gateway's configuration and BGP sessions), so a single tunnel failure does not cut the link.",
    { noun: "Site-to-Site VPN connection" },
  ],
  [
    "aws-vpc-endpoint-exposed",
    "exposure",
    "is exposed beyond its intended consumers",
    "Restrict VPC endpoint {{resource.name}} with an endpoint policy and security group that allow only your accounts and networks.",
    { noun: "VPC endpoint" },
  ],
  [
    "aws-vpc-endpoint-cross-account-access",
    "identity",
    "trusts principals outside your organization",
    "Limit the endpoint policy or allowed principals of {{resource.name}} to your own accounts (aws:PrincipalOrgID condition).",
    { noun: "VPC endpoint" },
  ],
  [
    "aws-vpc-single-az",
    "resilience",
    "uses a single Availability Zone",
    "Add subnets in at least two Availability Zones to {{resource.name}} and spread its endpoints or workloads across them.",
  ],
  [
    "aws-vpc-endpoint-missing",
    "exposure",
    "has no VPC endpoint for the AWS APIs it uses",
    "Create interface or gateway VPC endpoints in {{resource.name}} for the AWS services its workloads call (for example EC2, S3, Bedrock), so that traffic stays off the internet.",
  ],
  [
    "aws-vpc-subnet-public-ip-by-default",
    "exposure",
    "assigns public IP addresses to new instances by default",
    "Turn off 'auto-assign public IPv4 address' on subnet {{resource.name}}.",
    {
      noun: "subnet",
      snippet: bash(
        "aws ec2 modify-subnet-attribute --subnet-id {{resource.shortId}} --no-map-public-ip-on-launch",
      ),
    },
  ],
  [
    "aws-networkfirewall-missing",
    "exposure",
    "has no Network Firewall inspecting its traffic",
    "Deploy AWS Network Firewall (or your central inspection VPC) in front of VPC {{resource.name}}'s internet and inter-VPC traffic.",
    { noun: "VPC" },
  ],

  // --- EC2 ---
  [
    "aws-ec2-public-instance-profile",
    "identity",
    "is internet-facing and carries an IAM instance profile",
    "Move EC2 instance {{resource.name}} behind a load balancer in a private subnet, or reduce its instance profile to the least privilege it needs.",
    {
      risk: "If {{resource.name}} is compromised from the internet, the attacker gets the AWS permissions of its instance role.",
    },
  ],
  [
    "aws-ec2-instance-profile-missing",
    "credentials",
    "has no IAM instance profile",
    "Attach an IAM role (instance profile) to EC2 instance {{resource.name}} and remove any static access keys stored on it.",
    {
      risk: "Without an instance role, software on {{resource.name}} usually uses long-lived access keys stored on disk.",
    },
  ],
  [
    "aws-ec2-ssm-unmanaged",
    "patching",
    "is not managed by Systems Manager",
    "Install the SSM agent on EC2 instance {{resource.name}} and give its role the AmazonSSMManagedInstanceCore policy, so it can be patched and inventoried.",
  ],
  [
    "aws-ec2-stopped-instance",
    "governance",
    "has been stopped for a long time",
    "Confirm with the owner whether EC2 instance {{resource.name}} is still needed; terminate it (after a final snapshot) if not.",
    { risk: "Long-stopped instances miss every patch and come back vulnerable when someone starts them." },
  ],
  [
    "aws-ec2-instance-too-old",
    "patching",
    "has been running longer than the allowed maximum age",
    "Replace EC2 instance {{resource.name}} with one built from a current, patched image (immutable rebuilds keep drift and old packages out).",
  ],
  [
    "aws-ec2-paravirtual",
    "patching",
    "uses the legacy paravirtual (PV) virtualization type",
    "Migrate EC2 instance {{resource.name}} to an HVM instance type and current AMI.",
  ],
  [
    "aws-ec2-multiple-enis",
    "exposure",
    "has more than one network interface",
    "Check why EC2 instance {{resource.name}} spans several networks; detach interfaces it does not need so it cannot bridge segments.",
  ],
  [
    "aws-ec2-ami-outdated",
    "patching",
    "runs from a deprecated or outdated AMI",
    "Rebuild EC2 instance {{resource.name}} from a current, supported AMI.",
  ],
  [
    "aws-ec2-tags-missing",
    "governance",
    "has no tags",
    "Tag EC2 instance {{resource.name}} with at least owner, environment and data classification, and enforce the tags with a tag policy.",
  ],
  [
    "aws-autoscaling-elb-health-check-disabled",
    "resilience",
    "does not use the load balancer's health checks",
    "Set the health check type of Auto Scaling group {{resource.name}} to ELB, so instances that fail application checks are replaced.",
    {
      snippet: bash(
        "aws autoscaling update-auto-scaling-group --auto-scaling-group-name {{resource.shortId}} --health-check-type ELB --health-check-grace-period 300",
      ),
    },
  ],
  [
    "aws-autoscaling-single-instance-type",
    "resilience",
    "uses a single instance type",
    "Add several instance types (a mixed instances policy) to Auto Scaling group {{resource.name}} so capacity survives a shortage of one type.",
  ],
  [
    "aws-autoscaling-launch-configuration-used",
    "hardening",
    "uses a launch configuration instead of a launch template",
    "Move Auto Scaling group {{resource.name}} to a launch template (which supports IMDSv2 settings and versioning).",
  ],
  [
    "aws-autoscaling-capacity-rebalance-disabled",
    "resilience",
    "has Capacity Rebalancing turned off",
    "Turn on Capacity Rebalancing for Auto Scaling group {{resource.name}} if it uses Spot Instances.",
  ],

  // --- IAM ---
  [
    "aws-organizations-root-credentials-management-disabled",
    "credentials",
    "does not manage member accounts' root credentials centrally",
    "Enable centralized root access management in AWS Organizations and remove the root credentials of member accounts.",
    { noun: "AWS Organization" },
  ],
  [
    "aws-iam-privilege-escalation",
    "identity",
    "allows actions that lead to privilege escalation",
    "Remove the escalation actions (such as iam:PassRole on *, iam:CreatePolicyVersion, iam:AttachUserPolicy, lambda:UpdateFunctionCode with a privileged role) from {{resource.name}}, or scope them to specific resources.",
    {
      noun: "IAM policy",
      risk: "A principal with {{resource.name}} can grant itself more permissions, up to full administrator.",
    },
  ],
  [
    "aws-iam-service-full-access",
    "identity",
    "grants full access to a sensitive service (such as cloudtrail:*, kms:* or a *FullAccess managed policy)",
    "Replace the wildcard service actions in {{resource.name}} with the specific actions the principal needs, or detach the full-access managed policy.",
    { noun: "IAM policy" },
  ],
  [
    "aws-iam-marketplace-subscribe-wildcard",
    "identity",
    "allows aws-marketplace:Subscribe on all resources",
    "Remove aws-marketplace:Subscribe from {{resource.name}} or limit it to the product ids your organization approved.",
    { noun: "IAM policy" },
  ],
  [
    "aws-iam-assume-role-wildcard",
    "identity",
    "allows sts:AssumeRole on any role",
    "Limit sts:AssumeRole in {{resource.name}} to the ARNs of the roles the principal really needs.",
    { noun: "IAM policy" },
  ],
  [
    "aws-iam-confused-deputy",
    "identity",
    "has a service trust policy without source conditions (confused deputy)",
    "Add aws:SourceAccount or aws:SourceArn conditions to the trust policy of role {{resource.name}}, so the service can assume it only on behalf of your resources.",
    { noun: "IAM role" },
  ],
  [
    "aws-iam-unused-permissions",
    "identity",
    "keeps permissions it has not used recently",
    "Remove the services and actions that {{resource.name}} has not used (IAM last-accessed data or Access Analyzer unused-access findings list them).",
  ],
  [
    "aws-iam-access-key-at-setup",
    "credentials",
    "has an access key that was created with the user and never used",
    "Delete the unused access key of IAM user {{resource.name}}; create keys only when a workload needs one.",
    {
      noun: "IAM user",
      snippet: bash(
        "aws iam list-access-keys --user-name {{resource.shortId}}\naws iam delete-access-key --user-name {{resource.shortId}} --access-key-id <key-id>",
      ),
    },
  ],
  [
    "aws-iam-user-multiple-access-keys",
    "credentials",
    "has more than one active access key",
    "Keep one active access key for IAM user {{resource.name}}: move its users to the newer key and deactivate, then delete, the other.",
    { noun: "IAM user" },
  ],
  [
    "aws-iam-ssh-key-stale",
    "credentials",
    "has SSH public keys that have not been rotated",
    "Upload a new SSH public key for IAM user {{resource.name}}, switch clients to it and delete the old key.",
    { noun: "IAM user" },
  ],
  [
    "aws-iam-user-inactive",
    "credentials",
    "has console access it does not use",
    "Remove the console password (login profile) of IAM user {{resource.name}}, or delete the user if it is no longer needed.",
    { noun: "IAM user", snippet: bash("aws iam delete-login-profile --user-name {{resource.shortId}}") },
  ],
  [
    "aws-iam-user-console-password",
    "credentials",
    "signs in to the console with a password",
    "Move IAM user {{resource.name}} to federated sign-in (IAM Identity Center) and delete its console password.",
    { noun: "IAM user" },
  ],
  [
    "aws-iam-long-lived-credentials",
    "credentials",
    "uses long-lived access keys for AWS services",
    "Replace the access keys of IAM user {{resource.name}} with a role assumed through IAM Identity Center or an instance/workload role, then delete the keys.",
    { noun: "IAM user" },
  ],
  [
    "aws-iam-user-direct-policy",
    "identity",
    "has policies attached directly to the user",
    "Move the policies attached to IAM user {{resource.name}} to a group or role and detach them from the user.",
    { noun: "IAM user" },
  ],
  [
    "aws-iam-support-role-missing",
    "governance",
    "has no role for managing AWS Support incidents",
    "Create an IAM role with the AWSSupportAccess managed policy in account {{resource.accountId}} for the people who open support cases.",
    { noun: "AWS account" },
  ],
  [
    "aws-iam-security-audit-role-missing",
    "governance",
    "has no SecurityAudit role for security reviews",
    "Create a read-only audit role with the SecurityAudit managed policy in account {{resource.accountId}}, trusted by your security account.",
    { noun: "AWS account" },
  ],
  [
    "aws-iam-identity-federation-missing",
    "credentials",
    "has no identity provider for federated sign-in",
    "Set up IAM Identity Center or a SAML identity provider for account {{resource.accountId}} and move people off IAM users.",
    { noun: "AWS account" },
  ],
  [
    "aws-iam-ip-restriction-missing",
    "identity",
    "can be used from any network",
    "Add an aws:SourceIp or aws:SourceVpc condition to the policies of {{resource.name}} so its credentials work only from your networks.",
  ],
  [
    "aws-iam-server-certificate-heartbleed",
    "transit",
    "holds a server certificate uploaded before the Heartbleed fix",
    "Replace IAM server certificate {{resource.name}} with a newly issued certificate (new key pair) and delete the old one.",
    { noun: "IAM server certificate" },
  ],
  [
    "aws-iam-server-certificate-expired",
    "transit",
    "is expired",
    "Delete expired IAM server certificate {{resource.name}} after making sure no load balancer uses it; use ACM certificates going forward.",
    {
      noun: "IAM server certificate",
      snippet: bash("aws iam delete-server-certificate --server-certificate-name {{resource.shortId}}"),
    },
  ],
  [
    "aws-iam-access-analyzer-findings",
    "identity",
    "has active IAM Access Analyzer findings",
    "Review the active Access Analyzer findings in account {{resource.accountId}}: remove the external or unused access they show, or archive them with a reason.",
    { noun: "AWS account" },
  ],
  [
    "aws-iam-access-analyzer-disabled",
    "detection",
    "has no IAM Access Analyzer",
    "Create an IAM Access Analyzer (organization zone of trust) in every active region of account {{resource.accountId}}.",
    {
      noun: "AWS account",
      snippet: bash(
        "aws accessanalyzer create-analyzer --analyzer-name default --type ORGANIZATION --region {{resource.region}}",
      ),
    },
  ],
  [
    "aws-account-contacts-missing",
    "governance",
    "has incomplete or shared alternate contacts",
    "Register distinct security, billing and operations alternate contacts (team mailboxes, not people) for account {{resource.accountId}}.",
    {
      noun: "AWS account",
      snippet: bash(
        "aws account put-alternate-contact --alternate-contact-type SECURITY \\\n  --email-address security@<your-domain> --name 'Security team' --phone-number '<phone>' --title 'Security'",
      ),
    },
  ],
  [
    "aws-organizations-membership-missing",
    "governance",
    "is not a member of an AWS Organization",
    "Invite account {{resource.accountId}} into your AWS Organization so SCPs, central logging and security services apply to it.",
    { noun: "AWS account" },
  ],
  [
    "aws-organizations-untrusted-delegated-admin",
    "governance",
    "has delegated administrators that are not on the trusted list",
    "Review the delegated administrators of the organization and deregister the accounts that should not administer a service.",
  ],
  [
    "aws-organizations-ai-opt-out-missing",
    "governance",
    "has not opted out of AWS AI service data use",
    "Attach an AI services opt-out policy at the organization root, with child accounts unable to override it.",
  ],
  [
    "aws-organizations-region-restriction-missing",
    "governance",
    "does not restrict which regions can be used",
    "Attach an SCP that denies actions outside your approved regions (with exceptions for global services).",
  ],
  [
    "aws-organizations-tag-policies-missing",
    "governance",
    "has no tag policies",
    "Enable tag policies and attach one that requires owner, environment and classification tags.",
  ],

  // --- Logging and detection ---
  [
    "aws-cloudtrail-bucket-mfa-delete-disabled",
    "logging",
    "stores its logs in a bucket without MFA delete",
    "Enable versioning with MFA delete on the S3 bucket that receives trail {{resource.name}}'s logs, so the logs cannot be deleted silently.",
    { controls: bundles.logIntegrity },
  ],
  [
    "aws-cloudtrail-bucket-public",
    "data",
    "stores its logs in a publicly accessible bucket",
    "Turn on Block Public Access for the S3 bucket that receives trail {{resource.name}}'s logs and remove public grants from its policy.",
    { controls: bundles.logIntegrity },
  ],
  [
    "aws-cloudtrail-bucket-logging-disabled",
    "logging",
    "stores its logs in a bucket without access logging",
    "Turn on server access logging for the S3 bucket that receives trail {{resource.name}}'s logs, writing to a separate log bucket.",
    { controls: bundles.logIntegrity },
  ],
  [
    "aws-cloudtrail-cloudwatch-integration-disabled",
    "logging",
    "does not deliver events to CloudWatch Logs",
    "Configure trail {{resource.name}} to deliver to a CloudWatch Logs log group, so metric filters and alarms can watch it.",
    {
      snippet: bash(
        "aws cloudtrail update-trail --name {{resource.shortId}} \\\n  --cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>",
      ),
    },
  ],
  [
    "aws-cloudtrail-insights-disabled",
    "detection",
    "has CloudTrail Insights turned off",
    "Enable Insights (API call rate and error rate) on trail {{resource.name}}.",
    {
      snippet: bash(
        'aws cloudtrail put-insight-selectors --trail-name {{resource.shortId}} \\\n  --insight-selectors \'[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight"}]\'',
      ),
    },
  ],
  [
    "aws-cloudtrail-data-events-disabled",
    "logging",
    "does not record data events (S3 object-level, Lambda, Bedrock calls)",
    "Add data-event selectors to trail {{resource.name}} for S3 objects and the other data-plane APIs you must audit.",
    {
      snippet: bash(
        'aws cloudtrail put-event-selectors --trail-name {{resource.shortId}} \\\n  --advanced-event-selectors \'[{"Name":"S3 data events","FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::S3::Object"]}]}]\'',
      ),
    },
  ],
  [
    "aws-cloudtrail-management-events-disabled",
    "logging",
    "does not record all management events",
    "Set trail {{resource.name}} to record read and write management events.",
    {
      snippet: bash(
        'aws cloudtrail put-event-selectors --trail-name {{resource.shortId}} \\\n  --event-selectors \'[{"ReadWriteType":"All","IncludeManagementEvents":true}]\'',
      ),
    },
  ],
  [
    "aws-cloudtrail-unencrypted",
    "kind",
    "does not encrypt its logs with a KMS key",
    "Configure trail {{resource.name}} to encrypt log files with a customer-managed KMS key (SSE-KMS).",
    {
      snippet: bash("aws cloudtrail update-trail --name {{resource.shortId}} --kms-key-id alias/<your-key>"),
      controls: [...bundles.encryptionAtRest, ...bundles.logIntegrity],
    },
  ],
  [
    "aws-cloudwatch-alarm-actions-missing",
    "alerting",
    "has no actions for the ALARM state, or its actions are disabled",
    "Add an action (SNS topic the owners read) for the ALARM state of CloudWatch alarm {{resource.name}} and enable alarm actions.",
    {
      noun: "CloudWatch alarm",
      snippet: bash("aws cloudwatch enable-alarm-actions --alarm-names {{resource.shortId}}"),
    },
  ],
  [
    "aws-cloudwatch-public",
    "kind",
    "has a resource policy open to everyone",
    "Remove the statements with Principal '*' from the CloudWatch Logs resource policies that cover log group {{resource.name}}.",
  ],
  [
    "aws-kms-key-disabled",
    "keys",
    "is disabled but still kept",
    "Check whether KMS key {{resource.name}} still protects any data: enable it again if so, or schedule it for deletion once nothing depends on it.",
  ],
  [
    "aws-kms-key-pending-deletion",
    "keys",
    "is scheduled for deletion",
    "If any data or service still uses KMS key {{resource.name}}, cancel the deletion now; data encrypted with a deleted key is lost for good.",
    { snippet: bash("aws kms cancel-key-deletion --key-id {{resource.shortId}}") },
  ],
  [
    "aws-kms-multi-region-key",
    "keys",
    "is a multi-Region key",
    "Use a single-Region KMS key unless {{resource.name}} must decrypt in several regions; replicas widen where the key material can be used.",
  ],
  [
    "aws-kms-enclave-attestation-bypassable",
    "keys",
    "has an authorization path that bypasses enclave attestation",
    "Remove the key-policy statements or grants on {{resource.name}} that allow Decrypt or GenerateDataKey without a kms:RecipientAttestation condition.",
  ],
  [
    "aws-kms-enclave-attestation-unbound",
    "keys",
    "does not bind attestation to a specific deployment",
    "Add kms:RecipientAttestation:ImageSha384 (or PCR) conditions for the exact enclave image to the key policy of {{resource.name}}.",
  ],
  [
    "aws-kms-enclave-attestation-not-enforced",
    "keys",
    "does not require enclave attestation on sensitive actions",
    "Require kms:RecipientAttestation conditions on Decrypt, GenerateDataKey and GenerateRandom in the key policy of {{resource.name}}.",
  ],
  [
    "aws-kms-enclave-attestation-pcr-mismatch",
    "keys",
    "is called by enclaves whose measurements differ from the approved values",
    "Compare the PCR values in CloudTrail with your approved enclave build; update the key policy of {{resource.name}} to the approved measurements and investigate unknown ones.",
  ],
  [
    "aws-kms-enclave-unknown-image",
    "keys",
    "was used by an enclave with an unknown image identity",
    "Investigate the CloudTrail events of {{resource.name}} from the unknown enclave image; tighten the key policy to the approved image digest and rotate the data keys if the use was not expected.",
    { controls: bundles.threatDetection },
  ],
  [
    "aws-kms-enclave-debug-attestation",
    "keys",
    "was used by an enclave running in debug mode",
    "Block debug-mode enclaves in the key policy of {{resource.name}} (PCR values of all zeros) and investigate who ran one against this key.",
    { controls: bundles.threatDetection },
  ],
  [
    "aws-kms-key-public",
    "kind",
    "has a key policy that grants access to everyone",
    "Remove the statements with Principal '*' (without restricting conditions) from the key policy of KMS key {{resource.name}}.",
  ],
  [
    "aws-guardduty-findings-open",
    "detection",
    "has unresolved high-severity findings",
    "Triage the high-severity GuardDuty findings of detector {{resource.name}}: contain the affected resources, then archive each finding with its outcome.",
    { controls: bundles.incidentResponse },
  ],
  [
    "aws-guardduty-not-centrally-managed",
    "detection",
    "is not managed from a delegated administrator account",
    "Designate a GuardDuty delegated administrator for the organization and turn on auto-enable for all member accounts and regions.",
  ],
  [
    "aws-guardduty-malware-protection-disabled",
    "detection",
    "has Malware Protection for EC2 turned off",
    "Enable Malware Protection for EC2 on GuardDuty detector {{resource.name}}.",
  ],
  [
    "aws-guardduty-eks-runtime-monitoring-disabled",
    "detection",
    "has EKS Runtime Monitoring turned off",
    "Enable Runtime Monitoring for EKS (with automated agent management) on GuardDuty detector {{resource.name}}.",
  ],
  [
    "aws-guardduty-eks-audit-log-monitoring-disabled",
    "detection",
    "has EKS Audit Log Monitoring turned off",
    "Enable EKS Audit Log Monitoring on GuardDuty detector {{resource.name}}.",
  ],
  [
    "aws-guardduty-lambda-protection-disabled",
    "detection",
    "has Lambda Protection turned off",
    "Enable Lambda Protection (network activity monitoring) on GuardDuty detector {{resource.name}}.",
  ],
  [
    "aws-guardduty-rds-protection-disabled",
    "detection",
    "has RDS Protection turned off",
    "Enable RDS Protection (login activity monitoring) on GuardDuty detector {{resource.name}}.",
  ],
  [
    "aws-guardduty-s3-protection-disabled",
    "detection",
    "has S3 Protection turned off",
    "Enable S3 Protection (data event monitoring) on GuardDuty detector {{resource.name}}.",
  ],
  [
    "aws-config-recorder-role",
    "governance",
    "records with a custom role instead of the service-linked role",
    "Switch the configuration recorder in account {{resource.accountId}} to the AWSServiceRoleForConfig service-linked role.",
    { noun: "AWS Config recorder" },
  ],
  [
    "aws-config-aggregator-missing",
    "governance",
    "has no organization aggregator covering all regions",
    "Register a delegated administrator for AWS Config and create an organization aggregator that includes all regions.",
  ],
  [
    "aws-securityhub-not-centrally-managed",
    "detection",
    "is not managed from a delegated administrator",
    "Designate a Security Hub delegated administrator and enable central configuration with auto-enable for all accounts and regions.",
  ],
  [
    "aws-securityhub-disabled",
    "detection",
    "is not enabled",
    "Enable Security Hub with the AWS Foundational Security Best Practices standard in region {{resource.region}} of account {{resource.accountId}}.",
    {
      snippet: bash(
        "aws securityhub enable-security-hub --enable-default-standards --region {{resource.region}}",
      ),
    },
  ],
  [
    "aws-macie-auto-discovery-disabled",
    "detection",
    "has automated sensitive data discovery turned off",
    "Turn on automated sensitive data discovery in Macie for account {{resource.accountId}}.",
  ],
  [
    "aws-macie-disabled",
    "detection",
    "is not enabled",
    "Enable Amazon Macie in region {{resource.region}} of account {{resource.accountId}} (or from the delegated administrator for the organization).",
  ],
  [
    "aws-inspector-findings-open",
    "patching",
    "has active vulnerability findings",
    "Patch or rebuild the EC2 instances, images and functions with active Inspector findings in account {{resource.accountId}}, starting with critical ones that have exploits.",
  ],
  [
    "aws-inspector-disabled",
    "detection",
    "is not scanning EC2, ECR and Lambda",
    "Activate Amazon Inspector scanning for EC2, ECR and Lambda in region {{resource.region}} of account {{resource.accountId}}.",
    {
      snippet: bash(
        "aws inspector2 enable --resource-types EC2 ECR LAMBDA LAMBDA_CODE --region {{resource.region}}",
      ),
    },
  ],
  [
    "aws-ssm-patch-noncompliant",
    "patching",
    "is missing patches required by its patch baseline",
    "Run the AWS-RunPatchBaseline document (Install) on managed instance {{resource.name}} in a maintenance window and confirm compliance.",
    {
      noun: "managed instance",
      snippet: bash(
        "aws ssm send-command --document-name AWS-RunPatchBaseline --targets Key=InstanceIds,Values={{resource.shortId}} --parameters Operation=Install",
      ),
    },
  ],
  [
    "aws-ssm-public",
    "kind",
    "is shared publicly",
    "Remove the 'All' account permission from SSM document {{resource.name}} and share it with specific account ids only.",
    {
      snippet: bash(
        "aws ssm modify-document-permission --name {{resource.shortId}} --permission-type Share --account-ids-to-remove All",
      ),
    },
  ],
  [
    "aws-shield-protection-missing",
    "resilience",
    "is not protected by AWS Shield Advanced",
    "Add a Shield Advanced protection for {{resource.name}} (and a health check for faster detection) if it serves critical internet-facing traffic.",
  ],

  // --- Databases ---
  [
    "aws-rds-backtrack-disabled",
    "backup",
    "has Backtrack turned off",
    "Enable Backtrack on Aurora MySQL cluster {{resource.name}} with a window long enough to undo mistakes (for example 24 hours).",
    { noun: "Aurora MySQL cluster" },
  ],
  [
    "aws-rds-event-notifications-missing",
    "alerting",
    "has no event subscription for critical events",
    "Create an RDS event subscription that sends maintenance, configuration-change and failure events for {{resource.name}} to an SNS topic the owners read.",
  ],
  [
    "aws-dynamodb-pitr-disabled",
    "backup",
    "has point-in-time recovery turned off",
    "Turn on point-in-time recovery for DynamoDB table {{resource.name}}.",
    {
      snippet: bash(
        "aws dynamodb update-continuous-backups --table-name {{resource.shortId}} \\\n  --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
      ),
    },
  ],
  [
    "aws-dynamodb-autoscaling-disabled",
    "resilience",
    "has fixed capacity without auto scaling",
    "Switch DynamoDB table {{resource.name}} to on-demand capacity, or add auto scaling for reads and writes.",
  ],
  [
    "aws-dynamodb-cmk-disabled",
    "kind",
    "is encrypted with an AWS-owned key instead of a customer-managed KMS key",
    "Update DynamoDB table {{resource.name}} to use a customer-managed KMS key.",
    {
      snippet: bash(
        "aws dynamodb update-table --table-name {{resource.shortId}} \\\n  --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=alias/<your-key>",
      ),
    },
  ],
  [
    "aws-redshift-default-database-name",
    "hardening",
    "uses the default database name 'dev'",
    "Create Redshift cluster {{resource.name}}'s data in a database with a non-default name and remove the default 'dev' database from use (a new cluster from a snapshot may be needed).",
  ],
  [
    "aws-redshift-enhanced-vpc-routing-disabled",
    "exposure",
    "has Enhanced VPC Routing turned off",
    "Turn on Enhanced VPC Routing for Redshift cluster {{resource.name}} so COPY and UNLOAD traffic stays in your VPC.",
    {
      snippet: bash(
        "aws redshift modify-cluster --cluster-identifier {{resource.shortId}} --enhanced-vpc-routing",
      ),
    },
  ],
  [
    "aws-opensearch-dashboards-auth-disabled",
    "credentials",
    "has no Cognito or SAML sign-in for OpenSearch Dashboards",
    "Enable Amazon Cognito or SAML authentication for the Dashboards of OpenSearch domain {{resource.name}}.",
  ],
  [
    "aws-opensearch-node-to-node-unencrypted",
    "transit",
    "has node-to-node encryption turned off",
    "Enable node-to-node encryption on OpenSearch domain {{resource.name}} (a blue/green update).",
  ],
  [
    "aws-opensearch-audit-logging-disabled",
    "logging",
    "has audit logging turned off",
    "Enable audit logs on OpenSearch domain {{resource.name}} (fine-grained access control required) and publish them to CloudWatch Logs.",
  ],
  [
    "aws-opensearch-internal-user-database",
    "credentials",
    "uses its internal user database",
    "Turn off the internal user database of OpenSearch domain {{resource.name}} and map IAM roles or SAML groups instead.",
  ],
  [
    "aws-opensearch-dedicated-masters-missing",
    "resilience",
    "has fewer than three dedicated master nodes",
    "Configure three dedicated master nodes for OpenSearch domain {{resource.name}}.",
  ],
  [
    "aws-kinesis-retention-short",
    "backup",
    "keeps data for less than the required minimum",
    "Raise the retention period of Kinesis stream {{resource.name}} to what consumers need to replay after an outage (for example 168 hours).",
    {
      snippet: bash(
        "aws kinesis increase-stream-retention-period --stream-name {{resource.shortId}} --retention-period-hours 168",
      ),
    },
  ],
  [
    "aws-msk-auth-disabled",
    "credentials",
    "allows unauthenticated client access",
    "Turn on IAM, SASL/SCRAM or mutual TLS client authentication for MSK cluster {{resource.name}} and turn off unauthenticated access.",
  ],

  // --- Backup and files ---
  [
    "aws-backup-report-plan-missing",
    "backup",
    "has no AWS Backup report plan",
    "Create an AWS Backup report plan (backup jobs and compliance) in region {{resource.region}} of account {{resource.accountId}}.",
    { noun: "AWS account" },
  ],
  [
    "aws-backup-plan-missing",
    "backup",
    "has no AWS Backup plan",
    "Create an AWS Backup plan with daily backups and a retention that meets your policy in region {{resource.region}}, and assign resources by tag.",
    { noun: "AWS account" },
  ],
  [
    "aws-backup-vault-missing",
    "backup",
    "has no AWS Backup vault",
    "Create an AWS Backup vault encrypted with your KMS key (with Vault Lock for critical data) in region {{resource.region}}.",
    { noun: "AWS account" },
  ],
  [
    "aws-efs-access-point-root-directory",
    "data",
    "has access points that expose the file system's root directory",
    "Set a non-root directory path on each access point of EFS file system {{resource.name}}.",
  ],
  [
    "aws-efs-access-point-user-identity",
    "identity",
    "has access points without an enforced POSIX user",
    "Set a POSIX user (uid/gid) on each access point of EFS file system {{resource.name}}.",
  ],
  [
    "aws-efs-policy-open",
    "data",
    "has a file system policy that lets any client in the VPC mount it",
    "Replace the open statement in the file system policy of {{resource.name}} with one that allows only the IAM roles that need to mount it, and require TLS.",
  ],
  [
    "aws-storagegateway-hosted-on-ec2",
    "resilience",
    "runs on a single EC2 instance",
    "Run Storage Gateway {{resource.name}} on a fault-tolerant host (for example a VMware HA cluster or hardware appliance), or accept and document the single point of failure.",
  ],

  // --- Compute, containers, serverless ---
  [
    "aws-lambda-cross-account-layers",
    "identity",
    "uses layers from other accounts",
    "Copy the layers Lambda function {{resource.name}} uses into your own account (after review) and reference those versions instead.",
    {
      risk: "Code in a layer owned by another account runs inside {{resource.name}} with its role; whoever controls that layer controls the function.",
    },
  ],
  [
    "aws-lambda-url-cors-wildcard",
    "exposure",
    "allows any origin in its function URL CORS settings",
    "Replace '*' in the allowed origins of the function URL of {{resource.name}} with the exact origins that call it.",
  ],
  [
    "aws-lambda-public-url",
    "exposure",
    "has a function URL that anyone can call",
    "Set the auth type of the function URL of {{resource.name}} to AWS_IAM, or remove the URL and put API Gateway with an authorizer in front.",
    {
      snippet: bash(
        "aws lambda update-function-url-config --function-name {{resource.shortId}} --auth-type AWS_IAM",
      ),
    },
  ],
  [
    "aws-lambda-dead-letter-queue-missing",
    "resilience",
    "has no dead-letter queue",
    "Configure an SQS queue or SNS topic as the dead-letter target (or an on-failure destination) of Lambda function {{resource.name}}.",
    {
      snippet: bash(
        "aws lambda update-function-configuration --function-name {{resource.shortId}} --dead-letter-config TargetArn=<queue-or-topic-arn>",
      ),
    },
  ],
  [
    "aws-lambda-admin-privileges",
    "identity",
    "runs with an administrator role",
    "Give Lambda function {{resource.name}} its own execution role with only the actions and resources its code uses.",
    {
      risk: "Any bug or injection in {{resource.name}} lets an attacker act as an administrator of the account.",
    },
  ],
  [
    "aws-lambda-shared-role",
    "identity",
    "shares its execution role with other functions",
    "Create a dedicated execution role for Lambda function {{resource.name}}, scoped to what it alone needs.",
  ],
  [
    "aws-lambda-public",
    "kind",
    "has a resource policy that lets anyone invoke it",
    "Remove the statement with Principal '*' from the resource policy of Lambda function {{resource.name}}; grant invoke permission to specific services or accounts with source conditions.",
    {
      snippet: bash(
        "aws lambda get-policy --function-name {{resource.shortId}}\naws lambda remove-permission --function-name {{resource.shortId}} --statement-id <public-statement-id>",
      ),
    },
  ],
  [
    "aws-eks-secrets-unencrypted",
    "encryption",
    "does not envelope-encrypt Kubernetes secrets with a KMS key",
    "Enable secrets encryption with a customer-managed KMS key on EKS cluster {{resource.name}}.",
    {
      snippet: bash(
        'aws eks associate-encryption-config --cluster-name {{resource.shortId}} \\\n  --encryption-config \'[{"resources":["secrets"],"provider":{"keyArn":"<kms-key-arn>"}}]\'',
      ),
    },
  ],
  [
    "aws-eks-network-policy-disabled",
    "exposure",
    "does not enforce Kubernetes network policies",
    "Enable network policy enforcement in the VPC CNI (or install a policy engine) on EKS cluster {{resource.name}}, and add default-deny policies per namespace.",
  ],
  [
    "aws-ecs-logging-blocking",
    "resilience",
    "uses blocking log delivery",
    "Set mode=non-blocking (with a max-buffer-size) in the log configuration of the containers in task definition {{resource.name}}, so a logging outage cannot stall the application.",
  ],
  [
    "aws-ecs-host-network-root",
    "hardening",
    "uses host network mode with containers that may run as root",
    "Use awsvpc network mode in task definition {{resource.name}}, or set a non-root user for every container that shares the host network.",
  ],
  [
    "aws-ecs-host-namespace-shared",
    "hardening",
    "shares the host's process namespace with its containers",
    "Remove pidMode 'host' from task definition {{resource.name}}.",
  ],
  [
    "aws-ecs-root-filesystem-writable",
    "hardening",
    "has containers with writable root file systems",
    "Set readonlyRootFilesystem to true for every container in task definition {{resource.name}}, mounting volumes for the paths that must be writable.",
  ],
  [
    "aws-ecs-privileged-container",
    "hardening",
    "runs privileged containers",
    "Set privileged to false for every container in task definition {{resource.name}}; add only the specific Linux capabilities a container needs.",
  ],
  [
    "aws-ecr-image-vulnerable",
    "patching",
    "has vulnerabilities in its latest image",
    "Rebuild the image in ECR repository {{resource.name}} on a patched base image, push it and redeploy the workloads that use it.",
  ],
  [
    "aws-ecr-image-scanning-disabled",
    "patching",
    "does not scan images on push",
    "Turn on scan on push (or enhanced scanning with Inspector) for ECR repository {{resource.name}}.",
    {
      snippet: bash(
        "aws ecr put-image-scanning-configuration --repository-name {{resource.shortId}} --image-scanning-configuration scanOnPush=true",
      ),
    },
  ],
  [
    "aws-ecr-lifecycle-policy-missing",
    "governance",
    "has no lifecycle policy",
    "Add a lifecycle policy to ECR repository {{resource.name}} that expires untagged and old images.",
  ],
  [
    "aws-ecr-tag-mutable",
    "hardening",
    "allows image tags to be overwritten",
    "Turn on tag immutability for ECR repository {{resource.name}}, so a deployed tag cannot be replaced with a different image.",
    {
      snippet: bash(
        "aws ecr put-image-tag-mutability --repository-name {{resource.shortId}} --image-tag-mutability IMMUTABLE",
      ),
    },
  ],
  [
    "aws-apigateway-client-certificate-disabled",
    "transit",
    "has no client certificate for calls to its backend",
    "Generate a client certificate and attach it to the stages of API Gateway API {{resource.name}}; have the backend verify it.",
  ],
  [
    "aws-apigateway-public-network",
    "kind",
    "has a public endpoint",
    "Use a private endpoint for API Gateway API {{resource.name}} if only internal callers need it; otherwise keep it public behind an authorizer and a WAF.",
  ],
  [
    "aws-eventbridge-replication-disabled",
    "resilience",
    "has event replication turned off",
    "Turn on event replication for EventBridge global endpoint {{resource.name}}.",
    { noun: "EventBridge global endpoint" },
  ],
  [
    "aws-secretsmanager-unused",
    "credentials",
    "has not been accessed recently",
    "Confirm with the owner whether Secrets Manager secret {{resource.name}} is still needed; delete it (with a recovery window) if not.",
  ],
  [
    "aws-secretsmanager-policy-permissive",
    "identity",
    "has a resource policy that is not restrictive enough",
    "Limit the resource policy of Secrets Manager secret {{resource.name}} to the roles that read it, and deny access from outside your organization.",
  ],
  [
    "aws-elasticbeanstalk-health-reporting-disabled",
    "resilience",
    "has enhanced health reporting turned off",
    "Turn on enhanced health reporting for Elastic Beanstalk environment {{resource.name}}.",
  ],
  [
    "aws-codebuild-public",
    "data",
    "is publicly visible",
    "Set the project visibility of CodeBuild project {{resource.name}} to private.",
    {
      snippet: bash(
        "aws codebuild update-project-visibility --project-arn <project-arn> --project-visibility PRIVATE",
      ),
    },
  ],
  [
    "aws-codebuild-project-unused",
    "governance",
    "has not been run for more than 90 days",
    "Confirm with the owner whether CodeBuild project {{resource.name}} is still needed and delete it, with its credentials, if not.",
  ],
  [
    "aws-codebuild-user-buildspec",
    "hardening",
    "runs a buildspec file that contributors can change",
    "Store the buildspec of CodeBuild project {{resource.name}} in the project definition (or a protected location) instead of the source repository.",
    {
      risk: "Anyone who can open a pull request can change what {{resource.name}} runs with its role and secrets.",
    },
  ],
  [
    "aws-codebuild-untrusted-source",
    "hardening",
    "builds from a GitHub organization that is not on the allowed list",
    "Point CodeBuild project {{resource.name}} at a repository in an approved GitHub organization, or add the organization to the allowed list after review.",
  ],
  [
    "aws-codebuild-webhook-filter-unanchored",
    "hardening",
    "has webhook filters with unanchored patterns",
    "Anchor every webhook filter pattern of CodeBuild project {{resource.name}} with ^ and $ so look-alike branch or actor names do not trigger builds.",
  ],
  [
    "aws-codeartifact-dependency-confusion",
    "hardening",
    "lets internal packages take versions from public registries (dependency confusion)",
    "Block upstream (public) publishing for internal package names in CodeArtifact repository {{resource.name}} with package origin controls.",
  ],
  [
    "aws-codepipeline-public-source",
    "hardening",
    "uses a source repository that is public or unauthenticated",
    "Point CodePipeline pipeline {{resource.name}} at a private repository through an authenticated CodeStar/CodeConnections connection.",
  ],
  [
    "aws-sagemaker-network-isolation-disabled",
    "exposure",
    "has network isolation turned off",
    "Enable network isolation on SageMaker resource {{resource.name}} (models and training jobs), so containers cannot make outbound calls.",
  ],
  [
    "aws-sagemaker-notebook-root-access",
    "hardening",
    "gives users root access on the notebook instance",
    "Turn off root access on SageMaker notebook instance {{resource.name}}.",
    {
      noun: "SageMaker notebook instance",
      snippet: bash(
        "aws sagemaker update-notebook-instance --notebook-instance-name {{resource.shortId}} --root-access Disabled",
      ),
    },
  ],
  [
    "aws-sagemaker-domain-sso-disabled",
    "credentials",
    "signs users in with IAM instead of IAM Identity Center",
    "Use IAM Identity Center authentication for SageMaker domain {{resource.name}} (a new domain is needed to change the mode).",
    { noun: "SageMaker domain" },
  ],
  [
    "aws-sagemaker-endpoint-single-instance",
    "resilience",
    "serves a production variant from a single instance",
    "Set the initial instance count of each production variant of endpoint config {{resource.name}} to at least 2.",
    { noun: "SageMaker endpoint configuration" },
  ],
  [
    "aws-bedrock-guardrail-filter-weak",
    "hardening",
    "has a guardrail filter turned off or set too low",
    "Set the prompt-attack, sensitive-information and contextual-grounding filters of Bedrock guardrail {{resource.name}} to block at HIGH strength.",
    { noun: "Bedrock guardrail" },
  ],
  [
    "aws-bedrock-guardrail-missing",
    "hardening",
    "runs without a guardrail",
    "Create a Bedrock guardrail and attach it to {{resource.name}} (agents and model invocations).",
  ],
  [
    "aws-bedrock-agent-role-shared",
    "identity",
    "shares its execution role with other agents",
    "Give Bedrock agent {{resource.name}} its own execution role.",
    { noun: "Bedrock agent" },
  ],
  [
    "aws-bedrock-agent-role-overprivileged",
    "identity",
    "runs with an execution role broader than it needs",
    "Limit the execution role of Bedrock agent {{resource.name}} to the models, knowledge bases and action groups it uses.",
    { noun: "Bedrock agent" },
  ],
  [
    "aws-bedrock-api-key-overprivileged",
    "identity",
    "has administrative or escalation-capable permissions",
    "Limit the IAM user behind Bedrock API key {{resource.name}} to the Bedrock actions it needs.",
    { noun: "Bedrock API key" },
  ],
  [
    "aws-bedrock-api-key-long-term",
    "credentials",
    "is a long-term key",
    "Replace Bedrock long-term API key {{resource.name}} with short-term keys or IAM role credentials and delete it.",
    { noun: "Bedrock API key" },
  ],
  [
    "aws-glue-connection-password-unencrypted",
    "encryption",
    "stores connection passwords without KMS encryption",
    "Turn on connection password encryption with a KMS key in the Data Catalog settings of account {{resource.accountId}}.",
    { noun: "Glue Data Catalog" },
  ],
  [
    "aws-athena-workgroup-configuration-overridable",
    "hardening",
    "lets clients override its settings",
    "Turn on 'override client-side settings' for Athena workgroup {{resource.name}} so its encryption and result location are enforced.",
  ],
  [
    "aws-emr-block-public-access-disabled",
    "exposure",
    "has EMR block public access turned off",
    "Turn on EMR block public access in region {{resource.region}} of account {{resource.accountId}}.",
    {
      noun: "AWS account",
      snippet: bash(
        "aws emr put-block-public-access-configuration --region {{resource.region}} \\\n  --block-public-access-configuration BlockPublicSecurityGroupRules=true",
      ),
    },
  ],
  [
    "aws-cognito-advanced-security-disabled",
    "detection",
    "has threat protection (advanced security) off or in audit mode",
    "Turn on threat protection in full-function (enforced) mode for Cognito user pool {{resource.name}}, blocking compromised-credential and high-risk sign-ins.",
  ],
  [
    "aws-cognito-user-existence-errors",
    "credentials",
    "reveals whether a user exists",
    "Turn on 'prevent user existence errors' for the app clients of Cognito user pool {{resource.name}}.",
  ],
  [
    "aws-cognito-token-revocation-disabled",
    "credentials",
    "cannot revoke refresh tokens",
    "Turn on token revocation for the app clients of Cognito user pool {{resource.name}}.",
  ],
  [
    "aws-cognito-password-policy-weak",
    "credentials",
    "has a weak password policy",
    "Set the password policy of Cognito user pool {{resource.name}} to at least 14 characters with upper and lower case, numbers and symbols, and temporary passwords valid for 7 days or less.",
  ],
  [
    "aws-cognito-self-registration-enabled",
    "identity",
    "lets anyone sign up",
    "Turn off self sign-up in Cognito user pool {{resource.name}} (allow only administrators to create users) unless public registration is intended.",
  ],
  [
    "aws-cognito-mfa-disabled",
    "kind",
    "does not require MFA",
    "Set MFA to required (with TOTP or passkeys) in Cognito user pool {{resource.name}}.",
  ],

  // --- Edge, load balancing, DNS ---
  [
    "aws-cloudfront-custom-certificate-missing",
    "transit",
    "uses the default CloudFront certificate",
    "Attach an ACM certificate for your own domain to CloudFront distribution {{resource.name}}.",
  ],
  [
    "aws-cloudfront-origin-access-control-missing",
    "data",
    "reaches its S3 origins without Origin Access Control",
    "Configure Origin Access Control for the S3 origins of CloudFront distribution {{resource.name}} and make the buckets private.",
  ],
  [
    "aws-cloudfront-origin-bucket-missing",
    "data",
    "points at an S3 bucket that does not exist",
    "Remove or fix the origin of CloudFront distribution {{resource.name}} that names a missing bucket before someone else creates a bucket with that name and serves content through it.",
  ],
  [
    "aws-cloudfront-origin-tls-outdated",
    "transit",
    "allows SSLv3, TLS 1.0 or 1.1 to its origins",
    "Set the origin SSL protocols of CloudFront distribution {{resource.name}} to TLSv1.2 only.",
  ],
  [
    "aws-cloudfront-origin-insecure-transport",
    "transit",
    "sends traffic to its origins over HTTP",
    "Set the origin protocol policy of CloudFront distribution {{resource.name}} to HTTPS only.",
  ],
  [
    "aws-cloudfront-sni-disabled",
    "transit",
    "serves HTTPS with dedicated IP addresses instead of SNI",
    "Set the SSL support method of CloudFront distribution {{resource.name}} to sni-only.",
  ],
  [
    "aws-cloudfront-default-root-object-missing",
    "data",
    "has no default root object",
    "Set a default root object (for example index.html) on CloudFront distribution {{resource.name}}, so a request for the root does not list or expose origin content.",
  ],
  [
    "aws-cloudfront-field-level-encryption-disabled",
    "encryption",
    "does not use field-level encryption for sensitive form fields",
    "Configure field-level encryption on CloudFront distribution {{resource.name}} for the sensitive fields its forms post.",
  ],
  [
    "aws-cloudfront-geo-restriction-disabled",
    "exposure",
    "has no geographic restrictions",
    "Add geographic restrictions to CloudFront distribution {{resource.name}} if the content must only be served in certain countries.",
  ],
  [
    "aws-elb-certificate-not-acm",
    "transit",
    "uses certificates not issued by ACM",
    "Replace the listener certificates of load balancer {{resource.name}} with ACM certificates, which renew automatically.",
  ],
  [
    "aws-elb-desync-mitigation-disabled",
    "hardening",
    "does not use defensive or strictest desync mitigation",
    "Set the desync mitigation mode of load balancer {{resource.name}} to defensive or strictest.",
  ],
  [
    "aws-elb-invalid-headers-allowed",
    "hardening",
    "forwards invalid HTTP header fields",
    "Turn on 'drop invalid header fields' for Application Load Balancer {{resource.name}}.",
    {
      snippet: bash(
        "aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> \\\n  --attributes Key=routing.http.drop_invalid_header_fields.enabled,Value=true",
      ),
    },
  ],
  [
    "aws-elb-connection-draining-disabled",
    "resilience",
    "has connection draining turned off",
    "Turn on connection draining for Classic Load Balancer {{resource.name}} (300 seconds is common).",
  ],
  [
    "aws-route53-dangling-record",
    "exposure",
    "has DNS records pointing at resources that no longer exist",
    "Delete the records in hosted zone {{resource.name}} that point at released IPs or deleted resources, before someone claims them and takes over the subdomain.",
    { noun: "Route 53 hosted zone" },
  ],
  [
    "aws-route53-domain-privacy-disabled",
    "governance",
    "publishes its contact details in WHOIS",
    "Turn on privacy protection for the contacts of domain {{resource.name}}.",
    { noun: "Route 53 domain" },
  ],
  [
    "aws-route53-domain-transfer-lock-disabled",
    "governance",
    "has the transfer lock turned off",
    "Turn on the transfer lock for domain {{resource.name}}.",
    { noun: "Route 53 domain" },
  ],
  [
    "aws-acm-weak-key-algorithm",
    "transit",
    "uses a weak key algorithm",
    "Reissue certificate {{resource.name}} with RSA 2048+ or ECDSA P-256/P-384 keys (or the post-quantum algorithm your policy requires), and replace it where it is used.",
  ],
  [
    "aws-waf-rules-missing",
    "exposure",
    "has no rules, so it filters nothing",
    "Add rules or managed rule groups to WAF resource {{resource.name}} (for example the AWS managed core rule set), or delete it if unused.",
  ],
  [
    "aws-networkfirewall-fragmented-packets-default",
    "exposure",
    "passes fragmented packets by default",
    "Set the stateless default action for fragmented packets of firewall policy {{resource.name}} to drop or forward to the stateful engine.",
    { noun: "Network Firewall policy" },
  ],
  [
    "aws-networkfirewall-full-packets-default",
    "exposure",
    "passes full packets by default",
    "Set the stateless default action for full packets of firewall policy {{resource.name}} to drop or forward to the stateful engine.",
    { noun: "Network Firewall policy" },
  ],
  [
    "aws-networkfirewall-rule-groups-missing",
    "exposure",
    "has no rule groups",
    "Associate stateless or stateful rule groups with firewall policy {{resource.name}}.",
    { noun: "Network Firewall policy" },
  ],
  [
    "aws-appstream-session-limits-long",
    "credentials",
    "allows overly long or idle user sessions",
    "Set the maximum session duration of AppStream fleet {{resource.name}} below 10 hours and the idle and disconnect timeouts to 5-10 minutes.",
  ],
  [
    "aws-directoryservice-notifications-disabled",
    "alerting",
    "does not send status notifications",
    "Register an SNS topic for status notifications of directory {{resource.name}}.",
  ],
  [
    "aws-directoryservice-radius-weak-protocol",
    "credentials",
    "uses a weak RADIUS protocol",
    "Set the RADIUS authentication protocol of directory {{resource.name}} to MS-CHAPv2.",
  ],
  [
    "aws-ses-dkim-disabled",
    "hardening",
    "does not sign mail with DKIM",
    "Enable Easy DKIM for SES identity {{resource.name}} and publish the CNAME records.",
  ],
  [
    "aws-rolesanywhere-session-permissions-broad",
    "identity",
    "vends sessions with the role's full permissions",
    "Add session policies or managed-policy limits to Roles Anywhere profile {{resource.name}} to scope down what its sessions can do.",
  ],
];
