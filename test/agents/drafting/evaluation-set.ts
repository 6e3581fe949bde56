import type { DraftingCase } from "../../../src/agents/evaluation/drafting.js";

const pod = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  spec: { ...spec, containers: [{ name: "app", image: "registry.example/app:2.0.1", ...container }] },
});
const sg = (cidr: string, port: number) => ({
  ingress: [{ protocol: "tcp", fromPort: port, toPort: port, cidr }],
});

/**
 * The drafting evaluation set: 40 plain requirements across storage, IAM, network, encryption,
 * logging, Kubernetes and data classification, each with its own fixtures (written apart from the
 * templates', in the same attribute vocabulary). A draft passes a case when its rule flags every
 * violating configuration and none of the compliant ones.
 */
export const draftingEvaluationSet: DraftingCase[] = [
  // storage
  {
    id: "s1",
    category: "storage",
    requirement: "No storage bucket may be public",
    resourceType: "aws.s3.bucket",
    violating: [
      { policyStatus: { isPublic: true } },
      { acl: { grants: [{ grantee: "AuthenticatedUsers", permission: "FULL_CONTROL" }] } },
    ],
    compliant: [{ policyStatus: { isPublic: false }, acl: { grants: [] } }],
  },
  {
    id: "s2",
    category: "storage",
    requirement: "S3 buckets must not be writable by anyone on the internet",
    resourceType: "aws.s3.bucket",
    violating: [{ acl: { grants: [{ grantee: "AllUsers", permission: "FULL_CONTROL" }] } }],
    compliant: [{ acl: { grants: [{ grantee: "CanonicalUser", permission: "WRITE" }] } }],
  },
  {
    id: "s3",
    category: "storage",
    requirement: "Every S3 bucket must have all four block public access settings on",
    resourceType: "aws.s3.bucket",
    violating: [
      {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: false,
          restrictPublicBuckets: true,
        },
      },
    ],
    compliant: [
      {
        publicAccessBlock: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    ],
  },
  {
    id: "s4",
    category: "storage",
    requirement: "Buckets must keep versioning enabled",
    resourceType: "aws.s3.bucket",
    violating: [{ versioning: { status: "Suspended" } }, {}],
    compliant: [{ versioning: { status: "Enabled" } }],
  },
  {
    id: "s5",
    category: "storage",
    requirement: "Azure storage accounts must not allow anonymous blob access",
    resourceType: "azure.storage.account",
    violating: [{ allowBlobPublicAccess: true }],
    compliant: [{ allowBlobPublicAccess: false }],
  },
  {
    id: "s6",
    category: "storage",
    requirement: "GCS buckets must never be public",
    resourceType: "gcp.storage.bucket",
    violating: [
      {
        iamBindings: [
          { role: "roles/storage.objectViewer", members: ["user:a@example.com", "allAuthenticatedUsers"] },
        ],
      },
    ],
    compliant: [{ iamBindings: [{ role: "roles/storage.admin", members: ["user:a@example.com"] }] }],
  },
  {
    id: "s7",
    category: "storage",
    requirement: "Cloud Storage buckets must use uniform bucket-level access",
    resourceType: "gcp.storage.bucket",
    violating: [{ iamConfiguration: { uniformBucketLevelAccess: { enabled: false } } }],
    compliant: [{ iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } }],
  },
  {
    id: "s8",
    category: "storage",
    requirement: "RDS databases must not be publicly accessible",
    resourceType: "aws.rds.instance",
    violating: [{ publiclyAccessible: true }],
    compliant: [{ publiclyAccessible: false }],
  },
  {
    id: "s9",
    category: "storage",
    requirement: "Production databases must keep automated backups for at least 7 days",
    resourceType: "aws.rds.instance",
    violating: [{ backupRetentionPeriod: 1 }],
    compliant: [{ backupRetentionPeriod: 14 }],
  },
  // IAM
  {
    id: "i1",
    category: "iam",
    requirement: "No IAM policy may grant admin access with wildcard actions on all resources",
    resourceType: "aws.iam.role",
    violating: [{ policyStatements: [{ effect: "Allow", action: ["*"], resource: ["*"] }] }],
    compliant: [{ policyStatements: [{ effect: "Allow", action: ["ec2:Describe*"], resource: ["*"] }] }],
  },
  {
    id: "i2",
    category: "iam",
    requirement: "Every IAM user with console access must have MFA",
    resourceType: "aws.iam.user",
    violating: [{ consoleAccess: true, mfaEnabled: false }],
    compliant: [{ consoleAccess: true, mfaEnabled: true }],
  },
  {
    id: "i3",
    category: "iam",
    requirement: "Access keys must be rotated every 90 days",
    resourceType: "aws.iam.user",
    violating: [{ accessKeys: [{ status: "Active", ageDays: 120 }] }],
    compliant: [{ accessKeys: [{ status: "Active", ageDays: 45 }] }],
  },
  {
    id: "i4",
    category: "iam",
    requirement: "The account password policy must require at least 14 characters",
    resourceType: "aws.iam.password-policy",
    violating: [{ minimumPasswordLength: 12 }],
    compliant: [{ minimumPasswordLength: 16 }],
  },
  {
    id: "i5",
    category: "iam",
    requirement: "Roles must not trust any account: no cross-account trust to *",
    resourceType: "aws.iam.role",
    violating: [{ trustPolicy: { statements: [{ effect: "Allow", principal: ["*"] }] } }],
    compliant: [
      {
        trustPolicy: { statements: [{ effect: "Allow", principal: ["arn:aws:iam::333333333333:role/ci"] }] },
      },
    ],
  },
  {
    id: "i6",
    category: "iam",
    requirement: "GCP service account keys must be rotated and never older than 90 days",
    resourceType: "gcp.iam.service-account",
    violating: [{ keys: [{ keyType: "USER_MANAGED", ageDays: 91 }] }],
    compliant: [{ keys: [{ keyType: "USER_MANAGED", ageDays: 89 }] }],
  },
  {
    id: "i7",
    category: "iam",
    requirement: "VMs must not run with the default service account",
    resourceType: "gcp.compute.instance",
    violating: [{ serviceAccounts: [{ email: "42-compute@developer.gserviceaccount.com" }] }],
    compliant: [{ serviceAccounts: [{ email: "worker@prod.iam.gserviceaccount.com" }] }],
  },
  {
    id: "i8",
    category: "iam",
    requirement: "Lambda function URLs must require authentication",
    resourceType: "aws.lambda.function",
    violating: [{ functionUrl: { authType: "NONE" } }],
    compliant: [{ functionUrl: { authType: "AWS_IAM" } }],
  },
  // network
  {
    id: "n1",
    category: "network",
    requirement: "SSH must not be open to the internet",
    resourceType: "aws.ec2.security-group",
    violating: [sg("0.0.0.0/0", 22)],
    compliant: [sg("10.0.0.0/8", 22)],
  },
  {
    id: "n2",
    category: "network",
    requirement: "No security group may allow RDP from anywhere",
    resourceType: "aws.ec2.security-group",
    violating: [sg("::/0", 3389)],
    compliant: [sg("172.16.0.0/12", 3389)],
  },
  {
    id: "n3",
    category: "network",
    requirement: "Database ports such as 5432 and 3306 must not be reachable from the internet",
    resourceType: "aws.ec2.security-group",
    violating: [sg("0.0.0.0/0", 3306)],
    compliant: [sg("0.0.0.0/0", 443)],
  },
  {
    id: "n4",
    category: "network",
    requirement: "Security groups must never allow all traffic from the world",
    resourceType: "aws.ec2.security-group",
    violating: [{ ingress: [{ protocol: "-1", cidr: "0.0.0.0/0" }] }],
    compliant: [{ ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidr: "0.0.0.0/0" }] }],
  },
  {
    id: "n5",
    category: "network",
    requirement: "Azure NSGs must block SSH from the internet",
    resourceType: "azure.network.security-group",
    violating: [
      {
        securityRules: [
          {
            direction: "Inbound",
            access: "Allow",
            sourceAddressPrefix: "Internet",
            destinationPortRange: "22",
          },
        ],
      },
    ],
    compliant: [
      {
        securityRules: [
          {
            direction: "Inbound",
            access: "Allow",
            sourceAddressPrefix: "10.2.0.0/16",
            destinationPortRange: "22",
          },
        ],
      },
    ],
  },
  {
    id: "n6",
    category: "network",
    requirement: "GCP firewall rules must not open SSH to 0.0.0.0/0",
    resourceType: "gcp.compute.firewall",
    violating: [
      {
        direction: "INGRESS",
        sourceRanges: ["0.0.0.0/0"],
        allowed: [{ IPProtocol: "tcp", ports: ["22", "80"] }],
      },
    ],
    compliant: [
      { direction: "INGRESS", sourceRanges: ["10.0.0.0/8"], allowed: [{ IPProtocol: "tcp", ports: ["22"] }] },
    ],
  },
  {
    id: "n7",
    category: "network",
    requirement: "EKS cluster endpoints must not be public to the internet",
    resourceType: "aws.eks.cluster",
    violating: [{ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }],
    compliant: [{ endpointPublicAccess: false, publicAccessCidrs: [] }],
  },
  {
    id: "n8",
    category: "network",
    requirement: "Cloud SQL instances must not have a public IP",
    resourceType: "gcp.sql.instance",
    violating: [{ settings: { ipConfiguration: { ipv4Enabled: true } } }],
    compliant: [{ settings: { ipConfiguration: { ipv4Enabled: false } } }],
  },
  // encryption
  {
    id: "e1",
    category: "encryption",
    requirement: "All S3 buckets must be encrypted at rest",
    resourceType: "aws.s3.bucket",
    violating: [{ encryption: {} }],
    compliant: [{ encryption: { sseAlgorithm: "AES256" } }],
  },
  {
    id: "e2",
    category: "encryption",
    requirement: "EBS volumes must be encrypted",
    resourceType: "aws.ec2.volume",
    violating: [{ encrypted: false }],
    compliant: [{ encrypted: true }],
  },
  {
    id: "e3",
    category: "encryption",
    requirement: "RDS storage must be encrypted at rest",
    resourceType: "aws.rds.instance",
    violating: [{ storageEncrypted: false }],
    compliant: [{ storageEncrypted: true }],
  },
  {
    id: "e4",
    category: "encryption",
    requirement: "Customer-managed KMS keys must have rotation enabled",
    resourceType: "aws.kms.key",
    violating: [{ keyManager: "CUSTOMER", keyRotationEnabled: false }],
    compliant: [{ keyManager: "CUSTOMER", keyRotationEnabled: true }],
  },
  {
    id: "e5",
    category: "encryption",
    requirement: "Azure storage accounts must require HTTPS (secure transfer)",
    resourceType: "azure.storage.account",
    violating: [{ supportsHttpsTrafficOnly: false }],
    compliant: [{ supportsHttpsTrafficOnly: true }],
  },
  {
    id: "e6",
    category: "encryption",
    requirement: "Azure SQL databases must have TDE enabled",
    resourceType: "azure.sql.database",
    violating: [{ transparentDataEncryption: { state: "Disabled" } }],
    compliant: [{ transparentDataEncryption: { state: "Enabled" } }],
  },
  {
    id: "e7",
    category: "encryption",
    requirement: "Cloud SQL must require SSL for every connection",
    resourceType: "gcp.sql.instance",
    violating: [{ settings: { ipConfiguration: { requireSsl: false } } }],
    compliant: [{ settings: { ipConfiguration: { requireSsl: true } } }],
  },
  // logging
  {
    id: "l1",
    category: "logging",
    requirement: "CloudTrail must be enabled in all regions",
    resourceType: "aws.cloudtrail.trail",
    violating: [{ isLogging: true, isMultiRegionTrail: false }],
    compliant: [{ isLogging: true, isMultiRegionTrail: true }],
  },
  {
    id: "l2",
    category: "logging",
    requirement: "CloudTrail log file validation must be on to detect tampering",
    resourceType: "aws.cloudtrail.trail",
    violating: [{ logFileValidationEnabled: false }],
    compliant: [{ logFileValidationEnabled: true }],
  },
  {
    id: "l3",
    category: "logging",
    requirement: "Every VPC must have flow logs",
    resourceType: "aws.ec2.vpc",
    violating: [{}],
    compliant: [{ flowLogsEnabled: true }],
  },
  {
    id: "l4",
    category: "logging",
    requirement: "S3 buckets must have server access logging",
    resourceType: "aws.s3.bucket",
    violating: [{ logging: { enabled: false } }],
    compliant: [{ logging: { enabled: true } }],
  },
  // Kubernetes
  {
    id: "k1",
    category: "kubernetes",
    requirement: "No Kubernetes pod may run a privileged container",
    resourceType: "kubernetes.pod",
    violating: [pod({ securityContext: { privileged: true } })],
    compliant: [pod({ securityContext: { privileged: false } })],
  },
  {
    id: "k2",
    category: "kubernetes",
    requirement: "Containers must not allow privilege escalation",
    resourceType: "kubernetes.pod",
    violating: [pod({ securityContext: { allowPrivilegeEscalation: true } })],
    compliant: [pod({ securityContext: { allowPrivilegeEscalation: false } })],
  },
  {
    id: "k3",
    category: "kubernetes",
    requirement: "Pods must not use the host network or host PID namespace",
    resourceType: "kubernetes.pod",
    violating: [pod({}, { hostPID: true })],
    compliant: [pod({}, { hostPID: false, hostNetwork: false })],
  },
  // data classification
  {
    id: "d1",
    category: "data-classification",
    requirement: "Encrypt all PII at rest with KMS",
    resourceType: "aws.s3.bucket",
    violating: [{ tags: { "data-classification": "pii" }, encryption: { sseAlgorithm: "AES256" } }],
    compliant: [
      { tags: { "data-classification": "pii" }, encryption: { sseAlgorithm: "aws:kms" } },
      { tags: { "data-classification": "internal" } },
    ],
  },
];
