import { bundles, cisAws } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";

const s3Console =
  "https://s3.console.aws.amazon.com/s3/buckets/{{resource.shortId}}?region={{resource.region}}";
const ec2Console = "https://console.aws.amazon.com/ec2/home?region={{resource.region}}";
const iamConsole = "https://console.aws.amazon.com/iam/home";
const rdsConsole = "https://console.aws.amazon.com/rds/home?region={{resource.region}}#databases:";

/** AWS archetypes: storage, network, identity, logging, compute. */
export const awsEntries: KnowledgeEntry[] = [
  {
    id: "aws-s3-block-public-access-disabled",
    title: "S3 Block Public Access turned off",
    headline: "S3 bucket {{resource.name}} has Block Public Access turned off",
    risk: "Nothing stops a bucket policy or object ACL on {{resource.name}} from making its data readable by anyone on the internet; one mistaken change is all it takes.",
    impact:
      "A single misconfigured policy could expose everything in the bucket, leading to a reportable data breach, regulator attention and loss of customer trust.",
    intents: [
      "Turned off while setting up a website, a CDN origin or a partner share, and never turned back on",
      "Created by an older template from before Block Public Access became the default",
    ],
    remediation: [
      "Turn on all four Block Public Access settings for bucket {{resource.name}} (and at account level for account {{resource.accountId}} unless a documented exception exists).",
      "If the bucket serves a website, put CloudFront with Origin Access Control in front of it instead of public access.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws s3api put-public-access-block --bucket {{resource.shortId}} \\\n  --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "aws_s3_bucket_public_access_block" "this" {\n  bucket                  = "{{resource.shortId}}"\n  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}',
      },
    ],
    controls: [...cisAws("2.1.4"), ...bundles.publicData],
    consoleUrl: s3Console,
  },
  {
    id: "aws-s3-public-write",
    title: "S3 bucket writable by anyone",
    headline: "S3 bucket {{resource.name}} lets anyone on the internet write or overwrite objects",
    risk: "Anyone can upload, replace or delete objects in {{resource.name}}: attackers can plant malware, deface content, or fill the bucket at your expense.",
    impact:
      "Tampered files can reach customers and internal systems that trust the bucket, and storage and transfer costs are paid by {{resource.accountId}}.",
    intents: [
      "Opened so an external uploader or partner could drop files without credentials",
      "A test grant to AllUsers that was never removed",
    ],
    remediation: [
      "Remove every ACL grant and bucket-policy statement on {{resource.name}} that gives write access to `*`, AllUsers or AuthenticatedUsers, then turn on Block Public Access.",
      "Give uploaders pre-signed URLs or a dedicated IAM role instead of public write.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws s3api put-bucket-acl --bucket {{resource.shortId}} --acl private\naws s3api put-public-access-block --bucket {{resource.shortId}} \\\n  --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      },
    ],
    controls: [...cisAws("2.1.4"), ...bundles.publicData],
    consoleUrl: s3Console,
  },
  {
    id: "aws-s3-public-read",
    title: "S3 bucket readable by anyone",
    headline: "S3 bucket {{resource.name}} can be read by anyone on the internet",
    risk: "Anyone on the internet can list or download the objects in {{resource.name}} without credentials.",
    impact:
      "If the bucket holds customer, financial or internal data this is a data breach waiting to be found by scanners, with notification duties, fines and reputational damage.",
    intents: [
      "Probably opened for a debugging session, a demo or a one-off file share and never closed",
      "Used as a static website or download origin without a CDN in front",
    ],
    remediation: [
      "Turn on Block Public Access for bucket {{resource.name}}, which overrides the public ACLs and policy statements at once.",
      "If public content is really needed, serve it through CloudFront with Origin Access Control and keep the bucket private.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws s3api put-public-access-block --bucket {{resource.shortId}} \\\n  --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "aws_s3_bucket_public_access_block" "this" {\n  bucket                  = "{{resource.shortId}}"\n  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}',
      },
    ],
    controls: [...cisAws("2.1.4"), ...bundles.publicData],
    consoleUrl: s3Console,
    compensatingControls: [
      {
        description: "Every object in {{resource.name}} is classified public and meant to be published",
        verification:
          "The data owner signed off the bucket's contents as public, and a Macie (or other DLP) scan of {{resource.name}} finds no sensitive data.",
      },
      {
        description: "Writes to {{resource.name}} are limited to a named publishing role",
        verification:
          "The bucket policy and ACL of {{resource.name}} grant write only to the publishing role; `aws s3api get-bucket-acl` shows no write grant to AllUsers.",
      },
    ],
  },
  {
    id: "aws-s3-insecure-transport",
    title: "S3 bucket accepts plain HTTP",
    headline: "S3 bucket {{resource.name}} does not deny requests made over plain HTTP",
    risk: "Clients can read and write {{resource.name}} over unencrypted HTTP, so data and request signatures can be observed or altered on the network path.",
    impact:
      "Data in transit is unprotected, which breaks encryption-in-transit commitments in contracts and PCI DSS/HIPAA obligations.",
    intents: [
      "The bucket policy was written before the team's HTTPS-only standard",
      "Nobody added the deny statement because SDKs use HTTPS by default",
    ],
    remediation: [
      "Add a bucket-policy statement to {{resource.name}} that denies every `s3:*` request where `aws:SecureTransport` is false.",
    ],
    snippets: [
      {
        language: "json",
        label: "Bucket policy statement",
        code: '{\n  "Sid": "DenyInsecureTransport",\n  "Effect": "Deny",\n  "Principal": "*",\n  "Action": "s3:*",\n  "Resource": ["arn:aws:s3:::{{resource.shortId}}", "arn:aws:s3:::{{resource.shortId}}/*"],\n  "Condition": { "Bool": { "aws:SecureTransport": "false" } }\n}',
      },
    ],
    controls: [...cisAws("2.1.1"), ...bundles.encryptionInTransit],
    consoleUrl: s3Console,
  },
  {
    id: "aws-s3-unencrypted",
    title: "S3 bucket without default encryption",
    headline: "S3 bucket {{resource.name}} does not enforce encryption at rest with the expected key",
    risk: "Objects in {{resource.name}} may be stored without the encryption your policy requires, or without a key you control and can revoke.",
    impact:
      "Unencrypted or provider-keyed data fails encryption-at-rest requirements for regulated data and weakens your position after a storage-level incident.",
    intents: [
      "Created before default encryption was standard, or with a template that leaves encryption to the provider default",
      "A customer-managed key was planned but never wired in",
    ],
    remediation: [
      "Set default encryption on {{resource.name}} to SSE-KMS with your customer-managed key and enable S3 Bucket Keys.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: 'aws s3api put-bucket-encryption --bucket {{resource.shortId}} --server-side-encryption-configuration \\\n  \'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/<your-key>"},"BucketKeyEnabled":true}]}\'',
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "aws_s3_bucket_server_side_encryption_configuration" "this" {\n  bucket = "{{resource.shortId}}"\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = "aws:kms"\n      kms_master_key_id = "alias/<your-key>"\n    }\n    bucket_key_enabled = true\n  }\n}',
      },
    ],
    controls: bundles.encryptionAtRest,
    consoleUrl: s3Console,
  },
  {
    id: "aws-s3-access-logging-disabled",
    title: "S3 server access logging off",
    headline: "S3 bucket {{resource.name}} has server access logging turned off",
    risk: "Requests to {{resource.name}} are not recorded, so you cannot tell who read or changed data after an incident.",
    impact:
      "Without access records an investigation cannot scope a breach, which usually forces you to assume the worst and notify more widely.",
    intents: [
      "Logging was seen as a cost with no immediate use",
      "The bucket was created outside the standard template",
    ],
    remediation: [
      "Turn on server access logging for {{resource.name}}, writing to a dedicated, private log bucket (or record S3 data events in CloudTrail).",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: 'aws s3api put-bucket-logging --bucket {{resource.shortId}} --bucket-logging-status \\\n  \'{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"{{resource.shortId}}/"}}\'',
      },
    ],
    controls: [...cisAws("3.4"), ...bundles.logging],
    consoleUrl: s3Console,
  },
  {
    id: "aws-s3-versioning-disabled",
    title: "S3 versioning off",
    headline: "S3 bucket {{resource.name}} has versioning turned off",
    risk: "An overwrite or delete in {{resource.name}}, accidental or by ransomware, cannot be undone.",
    impact: "Lost or encrypted objects mean downtime and data loss with no quick recovery path.",
    intents: [
      "Versioning was left off to save storage cost",
      "The bucket was considered disposable when created",
    ],
    remediation: [
      "Enable versioning on {{resource.name}} and add a lifecycle rule that expires non-current versions after your retention period.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws s3api put-bucket-versioning --bucket {{resource.shortId}} --versioning-configuration Status=Enabled",
      },
    ],
    controls: bundles.backup,
    consoleUrl: s3Console,
  },
  {
    id: "aws-ebs-snapshot-public",
    title: "Public EBS snapshot or AMI",
    headline: "Snapshot {{resource.name}} is shared publicly and can be restored by any AWS account",
    risk: "Any AWS customer can copy {{resource.name}} and mount it, reading every file on the disk, including credentials and databases.",
    impact:
      "A full-disk copy in a stranger's account is a complete breach of whatever the volume held; it cannot be recalled once copied.",
    intents: [
      "Shared publicly to hand an image to a partner or another account quickly",
      "A marketplace or community image left public after testing",
    ],
    remediation: [
      "Remove the `all` group from the create-volume permission of {{resource.name}} and share it with specific account ids only.",
      "Turn on EBS snapshot Block Public Access in region {{resource.region}}.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 modify-snapshot-attribute --region {{resource.region}} --snapshot-id {{resource.shortId}} \\\n  --attribute createVolumePermission --operation-type remove --group-names all\naws ec2 enable-snapshot-block-public-access --region {{resource.region}} --state block-all-sharing",
      },
    ],
    controls: bundles.publicData,
    consoleUrl: `${ec2Console}#Snapshots:`,
  },
  {
    id: "aws-ebs-unencrypted",
    title: "Unencrypted EBS volume",
    headline: "EBS volume {{resource.name}} is not encrypted",
    risk: "Data on {{resource.name}}, its snapshots and any copies are stored without encryption.",
    impact:
      "Snapshots and copies of the volume carry the data in the clear, failing encryption-at-rest obligations for regulated data.",
    intents: [
      "Created before EBS encryption by default was turned on in {{resource.region}}",
      "Launched from an unencrypted AMI or snapshot",
    ],
    remediation: [
      "Turn on EBS encryption by default in {{resource.region}} so new volumes are encrypted.",
      "Migrate {{resource.name}}: snapshot it, copy the snapshot with encryption, create a volume from the copy and swap it in during a maintenance window.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: 'aws ec2 enable-ebs-encryption-by-default --region {{resource.region}}\nSNAP=$(aws ec2 create-snapshot --region {{resource.region}} --volume-id {{resource.shortId}} --query SnapshotId --output text)\naws ec2 copy-snapshot --region {{resource.region}} --source-region {{resource.region}} --source-snapshot-id "$SNAP" --encrypted',
      },
    ],
    controls: [...cisAws("2.2.1"), ...bundles.encryptionAtRest],
    consoleUrl: `${ec2Console}#Volumes:`,
  },
  {
    id: "aws-rds-snapshot-public",
    title: "Public RDS snapshot",
    headline: "RDS snapshot {{resource.name}} is shared publicly",
    risk: "Any AWS account can restore {{resource.name}} and query the full database.",
    impact: "A restorable copy of a production database in a stranger's hands is a complete data breach.",
    intents: ["Shared publicly instead of with one partner account", "Left public after a migration test"],
    remediation: [
      "Remove `all` from the restore attribute of snapshot {{resource.name}}; share with named account ids only.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws rds modify-db-snapshot-attribute --region {{resource.region}} --db-snapshot-identifier {{resource.shortId}} \\\n  --attribute-name restore --values-to-remove all",
      },
    ],
    controls: bundles.publicData,
    consoleUrl: `${rdsConsole}`,
  },
  {
    id: "aws-rds-unencrypted",
    title: "Unencrypted RDS instance",
    headline: "RDS instance {{resource.name}} stores data without encryption at rest",
    risk: "The database storage, automated backups, read replicas and snapshots of {{resource.name}} are unencrypted.",
    impact:
      "Database copies leave your control unprotected, and regulated data (cardholder, health, personal) fails its encryption requirement.",
    intents: ["Created before encryption was a default", "Restored from an unencrypted snapshot"],
    remediation: [
      "Take a snapshot of {{resource.name}}, copy it with a KMS key, restore a new encrypted instance from the copy and cut over.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws rds create-db-snapshot --region {{resource.region}} --db-instance-identifier {{resource.shortId}} --db-snapshot-identifier {{resource.shortId}}-pre-encrypt\naws rds copy-db-snapshot --region {{resource.region}} --source-db-snapshot-identifier {{resource.shortId}}-pre-encrypt \\\n  --target-db-snapshot-identifier {{resource.shortId}}-encrypted --kms-key-id alias/<your-key>",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "aws_db_instance" "this" {\n  identifier        = "{{resource.shortId}}"\n  storage_encrypted = true\n  kms_key_id        = "<your-key-arn>"\n  # …\n}',
      },
    ],
    controls: [...cisAws("2.3.1"), ...bundles.encryptionAtRest],
    consoleUrl: rdsConsole,
  },
  {
    id: "aws-rds-public",
    title: "Publicly accessible RDS instance",
    headline: "RDS instance {{resource.name}} is publicly accessible from the internet",
    risk: "{{resource.name}} has a public address, so anyone who can reach it can try passwords and database exploits directly.",
    impact:
      "A database reachable from the internet is a prime target for credential stuffing and data theft; one weak password exposes the whole data set.",
    intents: [
      "Opened so a developer or BI tool outside the VPC could connect",
      "Created with the console default while testing",
    ],
    remediation: [
      "Set PubliclyAccessible to false on {{resource.name}} and reach it through a bastion, VPN or private link instead.",
      "Remove security-group rules on the instance that allow the database port from 0.0.0.0/0.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws rds modify-db-instance --region {{resource.region}} --db-instance-identifier {{resource.shortId}} \\\n  --no-publicly-accessible --apply-immediately",
      },
    ],
    controls: [...cisAws("2.3.3"), ...bundles.inboundNetwork],
    consoleUrl: rdsConsole,
  },
  {
    id: "aws-rds-backup-disabled",
    title: "RDS automated backups off or too short",
    headline: "RDS instance {{resource.name}} has automated backups disabled or a very short retention",
    risk: "If {{resource.name}} is corrupted, deleted or encrypted by an attacker, there may be no point to restore to.",
    impact: "Data loss and extended downtime for whatever depends on the database.",
    intents: [
      "Backups were turned off to save cost in a non-production copy",
      "Retention left at the minimum",
    ],
    remediation: [
      "Set the backup retention of {{resource.name}} to at least 7 days (your policy may require more).",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws rds modify-db-instance --region {{resource.region}} --db-instance-identifier {{resource.shortId}} \\\n  --backup-retention-period 7 --apply-immediately",
      },
    ],
    controls: bundles.backup,
    consoleUrl: rdsConsole,
  },
  {
    id: "aws-default-security-group-open",
    title: "Default security group allows traffic",
    headline: "The default security group {{resource.name}} allows traffic",
    risk: "Anything launched without an explicit security group lands in {{resource.name}} and inherits its open rules.",
    impact: "New resources can be exposed by accident, with no one having decided to expose them.",
    intents: ["The default rules were never removed", "A quick test used the default group"],
    remediation: [
      "Remove every inbound and outbound rule from default security group {{resource.name}} and move resources that use it to purpose-built groups.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 describe-security-groups --region {{resource.region}} --group-ids {{resource.shortId}} --query \"SecurityGroups[0].IpPermissions\"\n# then revoke each listed rule:\naws ec2 revoke-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --ip-permissions '<rules-from-above>'",
      },
    ],
    controls: [...cisAws("5.4"), ...bundles.inboundNetwork],
    consoleUrl: `${ec2Console}#SecurityGroups:`,
  },
  {
    id: "aws-sg-ssh-open",
    title: "SSH open to the internet (security group)",
    headline: "Security group {{resource.name}} allows SSH (port 22) from 0.0.0.0/0",
    risk: "Every host using {{resource.name}} accepts SSH connections from the whole internet, where bots try stolen keys and passwords around the clock.",
    impact:
      "One weak key or unpatched SSH daemon gives an attacker a shell inside your network, the usual first step of ransomware and data theft.",
    intents: [
      "Opened for a quick debugging session from a laptop and never closed",
      "Added because the office or VPN IP range changed and the rule was widened",
    ],
    remediation: [
      "Revoke the inbound rule allowing TCP 22 from 0.0.0.0/0 (and ::/0) on {{resource.name}}.",
      "Use AWS Systems Manager Session Manager, or allow SSH only from your VPN or bastion CIDR.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 revoke-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --protocol tcp --port 22 --cidr 0.0.0.0/0\naws ec2 authorize-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --protocol tcp --port 22 --cidr <vpn-cidr>",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "aws_vpc_security_group_ingress_rule" "ssh" {\n  security_group_id = "{{resource.shortId}}"\n  ip_protocol       = "tcp"\n  from_port         = 22\n  to_port           = 22\n  cidr_ipv4         = "<vpn-cidr>" # never 0.0.0.0/0\n}',
      },
    ],
    controls: [...cisAws("5.2", "5.3"), ...bundles.inboundNetwork],
    consoleUrl: `${ec2Console}#SecurityGroups:`,
    compensatingControls: [
      {
        description:
          "The SSH daemon on every host using {{resource.name}} accepts keys only (no passwords, no root login)",
        verification:
          "`sshd -T` on each host prints `passwordauthentication no` and `permitrootlogin no`, and the authorized keys belong to named people.",
      },
      {
        description: "Brute-force attempts on port 22 are blocked and alert the owner",
        verification:
          "fail2ban (or an equivalent) runs on each host, or GuardDuty's SSH brute-force finding type routes to the owner's alert channel.",
      },
      {
        description: "The hosts behind {{resource.name}} hold no production data and reach no data stores",
        verification:
          "The instances using {{resource.name}} are tagged non-production and the security groups of the data stores do not admit them.",
      },
    ],
  },
  {
    id: "aws-sg-rdp-open",
    title: "RDP open to the internet (security group)",
    headline: "Security group {{resource.name}} allows RDP (port 3389) from 0.0.0.0/0",
    risk: "Windows hosts using {{resource.name}} accept Remote Desktop from anywhere; RDP is a top ransomware entry point.",
    impact:
      "Compromise of one exposed Windows host often leads to domain-wide ransomware and extended outages.",
    intents: ["Opened for a vendor or admin working remotely", "Copied from a getting-started guide"],
    remediation: [
      "Revoke the inbound rule allowing TCP 3389 from 0.0.0.0/0 (and ::/0) on {{resource.name}}.",
      "Use Session Manager port forwarding or Fleet Manager, or a VPN, for remote desktop access.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 revoke-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --protocol tcp --port 3389 --cidr 0.0.0.0/0",
      },
    ],
    controls: [...cisAws("5.2", "5.3"), ...bundles.inboundNetwork],
    consoleUrl: `${ec2Console}#SecurityGroups:`,
  },
  {
    id: "aws-sg-database-port-open",
    title: "Database port open to the internet",
    headline: "Security group {{resource.name}} exposes a database port to 0.0.0.0/0",
    risk: "Databases behind {{resource.name}} can be reached from the internet, where they are scanned for default credentials and known exploits within minutes.",
    impact: "Exposed databases are a leading cause of mass data leaks and extortion.",
    intents: ["Opened so an external tool or developer could connect", "A migration shortcut that stayed"],
    remediation: [
      "Revoke the 0.0.0.0/0 rule for the database port on {{resource.name}}; allow only the application security group or a private CIDR.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 revoke-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --protocol tcp --port <db-port> --cidr 0.0.0.0/0\naws ec2 authorize-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --protocol tcp --port <db-port> --source-group <app-sg-id>",
      },
    ],
    controls: bundles.inboundNetwork,
    consoleUrl: `${ec2Console}#SecurityGroups:`,
  },
  {
    id: "aws-sg-unrestricted-egress",
    title: "Unrestricted outbound traffic",
    headline: "Security group {{resource.name}} allows all outbound traffic to any destination",
    risk: "A compromised host using {{resource.name}} can send data anywhere and reach attacker infrastructure freely.",
    impact:
      "Unrestricted egress turns a foothold into data exfiltration and command-and-control without any network barrier.",
    intents: ["The AWS default allow-all egress rule was kept", "Egress filtering was deferred as too hard"],
    remediation: [
      "Replace the allow-all egress rule on {{resource.name}} with rules for the destinations and ports the workload needs (VPC endpoints, proxies).",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 revoke-security-group-egress --region {{resource.region}} --group-id {{resource.shortId}} --protocol -1 --cidr 0.0.0.0/0\naws ec2 authorize-security-group-egress --region {{resource.region}} --group-id {{resource.shortId}} --protocol tcp --port 443 --cidr <allowed-cidr>",
      },
    ],
    controls: bundles.outboundNetwork,
    consoleUrl: `${ec2Console}#SecurityGroups:`,
  },
  {
    id: "aws-sg-all-ports-open",
    title: "Security group open to the internet on many ports",
    headline: "Security group {{resource.name}} allows inbound traffic from 0.0.0.0/0 on broad port ranges",
    risk: "Every service listening on hosts behind {{resource.name}} is reachable from the internet, including ones never meant to be public.",
    impact: "Broad exposure multiplies the chance that one forgotten service becomes the way in.",
    intents: ["Opened wide while troubleshooting connectivity", "A load-balancer rule copied to instances"],
    remediation: [
      "Replace the 0.0.0.0/0 rule on {{resource.name}} with rules for the specific ports and source ranges the service needs.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 revoke-security-group-ingress --region {{resource.region}} --group-id {{resource.shortId}} --protocol -1 --cidr 0.0.0.0/0",
      },
    ],
    controls: bundles.inboundNetwork,
    consoleUrl: `${ec2Console}#SecurityGroups:`,
  },
  {
    id: "aws-vpc-flow-logs-disabled",
    title: "VPC flow logs off",
    headline: "VPC {{resource.name}} has no flow logs",
    risk: "Network traffic in {{resource.name}} is not recorded, so unusual connections and exfiltration go unseen.",
    impact:
      "Incident responders cannot reconstruct what talked to what, lengthening investigations and widening the assumed blast radius.",
    intents: [
      "Flow logs were considered too costly",
      "The VPC was created outside the landing-zone automation",
    ],
    remediation: [
      "Create a flow log for VPC {{resource.name}} capturing at least rejected traffic to CloudWatch Logs or S3.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 create-flow-logs --region {{resource.region}} --resource-type VPC --resource-ids {{resource.shortId}} \\\n  --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::<log-bucket>",
      },
    ],
    controls: [...cisAws("3.7"), ...bundles.logging],
    consoleUrl: "https://console.aws.amazon.com/vpcconsole/home?region={{resource.region}}#vpcs:",
  },
  {
    id: "aws-ec2-imdsv1-enabled",
    title: "EC2 instance allows IMDSv1",
    headline: "EC2 instance {{resource.name}} still accepts IMDSv1 metadata requests",
    risk: "A server-side request forgery bug in software on {{resource.name}} can fetch the instance role's credentials from the metadata service.",
    impact:
      "Stolen instance credentials let an attacker act with the instance role's permissions, often including data access.",
    intents: ["Launched with the old default", "An agent on the instance was believed to need IMDSv1"],
    remediation: [
      "Require IMDSv2 tokens on {{resource.name}} (HttpTokens=required) and set the launch template default.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws ec2 modify-instance-metadata-options --region {{resource.region}} --instance-id {{resource.shortId}} --http-tokens required --http-endpoint enabled",
      },
    ],
    controls: [...cisAws("5.6"), ...bundles.hardening],
    consoleUrl: `${ec2Console}#Instances:`,
  },
  {
    id: "aws-root-access-key",
    title: "Root user has access keys",
    headline: "The root user of account {{resource.accountId}} has active access keys",
    risk: "A leaked root key gives unrestricted, unblockable control of account {{resource.accountId}}; no IAM policy can limit it.",
    impact: "Total account takeover: data theft, resource deletion and unbounded cloud spend.",
    intents: [
      "Created in the account's early days for a script",
      "Left over from before IAM roles were set up",
    ],
    remediation: [
      "Sign in as root for account {{resource.accountId}}, delete the root access keys, and move any automation to an IAM role.",
    ],
    snippets: [
      {
        language: "text",
        label: "Console steps",
        code: "Sign in as the root user of {{resource.accountId}} → Security credentials → Access keys → Deactivate, then Delete each key.",
      },
    ],
    controls: [...cisAws("1.4"), ...bundles.leastPrivilege],
    consoleUrl: "https://console.aws.amazon.com/iam/home#/security_credentials",
  },
  {
    id: "aws-root-mfa-disabled",
    title: "Root user without MFA",
    headline: "The root user of account {{resource.accountId}} has no multi-factor authentication",
    risk: "The most powerful identity in account {{resource.accountId}} is protected by a password alone.",
    impact: "A phished or reused root password means complete account takeover.",
    intents: [
      "The account was created by someone who has left",
      "MFA was planned for the root user and forgotten",
    ],
    remediation: [
      "Enable a hardware or virtual MFA device for the root user of {{resource.accountId}} and store it under dual control.",
    ],
    snippets: [
      {
        language: "text",
        label: "Console steps",
        code: "Sign in as the root user of {{resource.accountId}} → Security credentials → Multi-factor authentication (MFA) → Assign MFA device.",
      },
    ],
    controls: [...cisAws("1.5"), ...bundles.mfa],
    consoleUrl: "https://console.aws.amazon.com/iam/home#/security_credentials",
  },
  {
    id: "aws-root-account-usage",
    title: "Root user used for daily work",
    headline: "The root user of account {{resource.accountId}} was used recently",
    risk: "Root sessions bypass every permission boundary; routine root use means any mistake or compromise is unlimited.",
    impact:
      "Uncontrolled root activity undermines accountability and makes account takeover far more damaging.",
    intents: [
      "A task that seemed to need root (billing, support plan) was done with it",
      "Shared root credentials in a team vault",
    ],
    remediation: [
      "Confirm who used root in {{resource.accountId}} and why (CloudTrail), then move that work to IAM Identity Center roles and alert on any future root sign-in.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Find root activity (AWS CLI)",
        code: "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root --max-results 50",
      },
    ],
    controls: [...cisAws("1.7"), ...bundles.leastPrivilege],
    consoleUrl: iamConsole,
  },
  {
    id: "aws-iam-wildcard-admin",
    title: "IAM policy grants full admin (*:*)",
    headline: 'IAM identity {{resource.name}} has a policy allowing every action on every resource ("*:*")',
    risk: "Whoever can use {{resource.name}} can do anything in account {{resource.accountId}}: read all data, change security controls and delete resources.",
    impact:
      "If this identity's credentials leak, the blast radius is the whole account; it also breaks least-privilege requirements in every major framework.",
    intents: [
      "Granted broadly to unblock a deployment quickly, with the intent to narrow it later",
      "Attached as AdministratorAccess to a CI role or a break-glass identity",
    ],
    remediation: [
      "Replace the `*:*` policy on {{resource.name}} with a policy scoped to the services and resources it uses (IAM Access Analyzer can generate one from CloudTrail activity).",
      "If full admin is truly needed, keep it on a separate break-glass role with MFA and alerting.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Generate a least-privilege policy (AWS CLI)",
        code: 'aws accessanalyzer start-policy-generation \\\n  --policy-generation-details \'{"principalArn":"{{resource.id}}"}\' \\\n  --cloud-trail-details \'{"trails":[{"cloudTrailArn":"<trail-arn>","allRegions":true}],"accessRole":"<access-analyzer-role-arn>","startTime":"<start>"}\'',
      },
      {
        language: "json",
        label: "Scoped policy (example shape)",
        code: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["s3:GetObject", "s3:PutObject"],\n      "Resource": "arn:aws:s3:::<bucket>/*"\n    }\n  ]\n}',
      },
    ],
    controls: [...cisAws("1.16"), ...bundles.leastPrivilege],
    consoleUrl: iamConsole,
  },
  {
    id: "aws-iam-access-key-stale",
    title: "Old or unused IAM access key",
    headline: "IAM user {{resource.name}} has an access key that is old or unused",
    risk: "Long-lived keys for {{resource.name}} accumulate in laptops, CI systems and repositories; the older the key, the more likely it has leaked.",
    impact: "A leaked long-lived key gives silent, persistent access with the user's permissions.",
    intents: [
      "A script or integration still uses the key and nobody owns its rotation",
      "The user left or the integration was retired",
    ],
    remediation: [
      "Deactivate the stale key of {{resource.name}}; if something still needs it, issue a new key, update the consumer, then delete the old one.",
      "Prefer IAM roles or IAM Identity Center so no long-lived key is needed.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws iam list-access-keys --user-name {{resource.shortId}}\naws iam update-access-key --user-name {{resource.shortId}} --access-key-id <key-id> --status Inactive",
      },
    ],
    controls: [...cisAws("1.12", "1.14"), ...bundles.credentialHygiene],
    consoleUrl: iamConsole,
  },
  {
    id: "aws-iam-user-mfa-disabled",
    title: "Console user without MFA",
    headline: "IAM user {{resource.name}} can sign in to the console without MFA",
    risk: "A phished or reused password is enough to sign in as {{resource.name}}.",
    impact: "Account takeover with that user's permissions, often the first step of a larger breach.",
    intents: [
      "MFA enrolment was skipped at onboarding",
      "A shared or service user was given a console password",
    ],
    remediation: [
      "Enroll an MFA device for {{resource.name}} and enforce MFA with a policy that denies actions when `aws:MultiFactorAuthPresent` is false; better, move the person to IAM Identity Center.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws iam create-virtual-mfa-device --virtual-mfa-device-name {{resource.shortId}}-mfa --outfile /tmp/{{resource.shortId}}-qr.png --bootstrap-method QRCodePNG\naws iam enable-mfa-device --user-name {{resource.shortId}} --serial-number arn:aws:iam::{{resource.accountId}}:mfa/{{resource.shortId}}-mfa --authentication-code1 <code1> --authentication-code2 <code2>",
      },
    ],
    controls: [...cisAws("1.10"), ...bundles.mfa],
    consoleUrl: iamConsole,
  },
  {
    id: "aws-iam-password-policy-weak",
    title: "Weak IAM password policy",
    headline: "Account {{resource.accountId}} has a weak or missing IAM password policy",
    risk: "IAM users in {{resource.accountId}} can choose short or reused passwords that are easy to guess or stuff.",
    impact: "Weak passwords make account takeover cheap.",
    intents: ["The account predates the organisation's password standard"],
    remediation: [
      "Set the account password policy of {{resource.accountId}} to a minimum length of 14 and prevent reuse of the last 24 passwords.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24 \\\n  --require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters",
      },
    ],
    controls: [...cisAws("1.8", "1.9"), ...bundles.credentialHygiene],
    consoleUrl: `${iamConsole}#/account_settings`,
  },
  {
    id: "aws-iam-role-cross-account-trust",
    title: "Role trusts external or any account",
    headline: "IAM role {{resource.name}} can be assumed from outside your organisation",
    risk: "The trust policy of {{resource.name}} lets principals in other accounts (or any account) assume it, possibly without an external id.",
    impact:
      "A compromised or malicious third party can act in {{resource.accountId}} with the role's permissions.",
    intents: ["Set up for a vendor integration", "A wildcard principal used while testing"],
    remediation: [
      "Restrict the trust policy of {{resource.name}} to the exact partner account and require an `sts:ExternalId` condition; remove any `*` principal.",
    ],
    snippets: [
      {
        language: "json",
        label: "Trust policy",
        code: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": { "AWS": "arn:aws:iam::<partner-account-id>:root" },\n      "Action": "sts:AssumeRole",\n      "Condition": { "StringEquals": { "sts:ExternalId": "<external-id>" } }\n    }\n  ]\n}',
      },
    ],
    controls: bundles.leastPrivilege,
    consoleUrl: `${iamConsole}#/roles/{{resource.shortId}}`,
  },
  {
    id: "aws-cloudtrail-log-validation-disabled",
    title: "CloudTrail log file validation off",
    headline: "CloudTrail trail {{resource.name}} does not validate its log files",
    risk: "Someone who reaches the log bucket can alter or delete trail files from {{resource.name}} without detection.",
    impact: "Tampered audit logs cannot be trusted as evidence in an investigation or an audit.",
    intents: ["The trail was created with defaults"],
    remediation: ["Enable log file validation on trail {{resource.name}}."],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws cloudtrail update-trail --region {{resource.region}} --name {{resource.shortId}} --enable-log-file-validation",
      },
    ],
    controls: [...cisAws("3.2"), ...bundles.logIntegrity],
    consoleUrl: "https://console.aws.amazon.com/cloudtrail/home?region={{resource.region}}#/trails",
  },
  {
    id: "aws-cloudtrail-disabled",
    title: "CloudTrail not recording everywhere",
    headline:
      "Account {{resource.accountId}} has no multi-region CloudTrail trail recording management events",
    risk: "API activity in account {{resource.accountId}} is not fully recorded, so changes and attacks leave no trace.",
    impact: "Without an audit trail you cannot investigate incidents, prove compliance or attribute changes.",
    intents: [
      "A trail exists only in one region",
      "The trail was stopped to cut costs or during a migration",
    ],
    remediation: [
      "Create (or update) a multi-region trail in {{resource.accountId}} that logs management events to a dedicated, locked-down bucket, and start logging.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws cloudtrail create-trail --name org-audit --s3-bucket-name <log-bucket> --is-multi-region-trail --enable-log-file-validation\naws cloudtrail start-logging --name org-audit",
      },
    ],
    controls: [...cisAws("3.1"), ...bundles.logging],
    consoleUrl: "https://console.aws.amazon.com/cloudtrail/home",
  },
  {
    id: "aws-kms-key-rotation-disabled",
    title: "KMS key rotation off",
    headline: "KMS key {{resource.name}} does not rotate automatically",
    risk: "Key material for {{resource.name}} never changes, so a compromise of it stays useful indefinitely.",
    impact: "Fails key-lifecycle requirements (cryptoperiods) in PCI DSS and internal crypto standards.",
    intents: ["Rotation is off by default for customer-managed keys"],
    remediation: ["Enable automatic rotation on symmetric KMS key {{resource.name}}."],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws kms enable-key-rotation --region {{resource.region}} --key-id {{resource.shortId}}",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "aws_kms_key" "this" {\n  enable_key_rotation = true\n  # …\n}',
      },
    ],
    controls: [...cisAws("3.6"), ...bundles.keyManagement],
    consoleUrl: "https://console.aws.amazon.com/kms/home?region={{resource.region}}#/kms/keys",
  },
  {
    id: "aws-guardduty-disabled",
    title: "GuardDuty off",
    headline: "GuardDuty is not enabled in account {{resource.accountId}} ({{resource.region}})",
    risk: "Threat detection for credential misuse, crypto-mining and malicious IPs is not running in {{resource.region}}.",
    impact: "Attacks go unnoticed for longer, increasing damage and cost.",
    intents: ["The region is rarely used and was left out", "Disabled after a cost review"],
    remediation: [
      "Enable GuardDuty in {{resource.region}} for {{resource.accountId}}, ideally organisation-wide from the delegated admin account.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws guardduty create-detector --region {{resource.region}} --enable",
      },
    ],
    controls: bundles.threatDetection,
    consoleUrl: "https://console.aws.amazon.com/guardduty/home?region={{resource.region}}",
  },
  {
    id: "aws-config-recorder-disabled",
    title: "AWS Config not recording",
    headline: "AWS Config is not recording in account {{resource.accountId}} ({{resource.region}})",
    risk: "Configuration changes in {{resource.region}} are not tracked, so drift and risky changes go unseen.",
    impact: "No configuration history for audits, investigations or change review.",
    intents: ["The recorder was never set up in this region", "Stopped to cut costs"],
    remediation: ["Create and start a configuration recorder for all resource types in {{resource.region}}."],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws configservice put-configuration-recorder --region {{resource.region}} --configuration-recorder name=default,roleARN=<config-role-arn> --recording-group allSupported=true,includeGlobalResourceTypes=true\naws configservice start-configuration-recorder --region {{resource.region}} --configuration-recorder-name default",
      },
    ],
    controls: [...cisAws("3.3"), ...bundles.configurationMonitoring],
    consoleUrl: "https://console.aws.amazon.com/config/home?region={{resource.region}}",
  },
  {
    id: "aws-lambda-public-url",
    title: "Lambda function callable by anyone",
    headline:
      "Lambda function {{resource.name}} can be invoked by anyone (public function URL or resource policy)",
    risk: "Anyone can call {{resource.name}} without authentication, running its code with its role's permissions.",
    impact:
      "Abuse can leak data the function reaches, trigger costly executions, or change systems the function writes to.",
    intents: [
      "A webhook receiver or prototype API exposed quickly",
      "AuthType NONE chosen because the caller could not sign requests",
    ],
    remediation: [
      "Set the function URL auth type of {{resource.name}} to AWS_IAM (or put API Gateway with authentication in front) and remove resource-policy statements with Principal `*`.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws lambda update-function-url-config --region {{resource.region}} --function-name {{resource.shortId}} --auth-type AWS_IAM\naws lambda get-policy --region {{resource.region}} --function-name {{resource.shortId}}",
      },
    ],
    controls: bundles.publicData,
    consoleUrl:
      "https://console.aws.amazon.com/lambda/home?region={{resource.region}}#/functions/{{resource.shortId}}",
  },
  {
    id: "aws-eks-public-endpoint",
    title: "EKS API endpoint public",
    headline: "EKS cluster {{resource.name}} exposes its Kubernetes API endpoint to the internet",
    risk: "The control plane of {{resource.name}} can be reached from anywhere; stolen kubeconfigs or API bugs are directly exploitable.",
    impact: "Cluster takeover exposes every workload and secret in it.",
    intents: ["Public access is the EKS default", "Engineers reach the cluster from home without a VPN"],
    remediation: [
      "Enable the private endpoint of {{resource.name}} and either disable public access or restrict it to your office/VPN CIDRs.",
    ],
    snippets: [
      {
        language: "bash",
        label: "AWS CLI",
        code: "aws eks update-cluster-config --region {{resource.region}} --name {{resource.shortId}} \\\n  --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=true,publicAccessCidrs=<vpn-cidr>",
      },
    ],
    controls: bundles.inboundNetwork,
    consoleUrl:
      "https://console.aws.amazon.com/eks/home?region={{resource.region}}#/clusters/{{resource.shortId}}",
  },
];
