import type { CatalogRow } from "./build.js";

const gcloud = (code: string) => ({ language: "bash", label: "gcloud", code });

/** One Cloud SQL database-flag archetype: the flag, the value CIS asks for, and what the flag does. */
const flag = (name: string, flagName: string, value: string, why: string): CatalogRow => [
  `gcp-cloudsql-flag-${name}`,
  "hardening",
  `does not have the database flag ${flagName} set to ${value}`,
  `Set the database flag ${flagName} to ${value} on Cloud SQL instance {{resource.name}} (this may restart it; keep the other flags in the same command).`,
  {
    risk: `${why} on {{resource.name}}.`,
    snippet: gcloud(
      `gcloud sql instances patch {{resource.shortId}} --database-flags="${flagName}=${value}"`,
    ),
  },
];

/** GCP catalog archetypes written by hand (the shared problem kinds cover the rest). */
export const gcpRows: readonly CatalogRow[] = [
  [
    "gcp-logging-sink-missing",
    "logging",
    "has no log sink exporting all log entries",
    "Create an aggregated log sink for project {{resource.name}} (or its organization) that exports all entries to a locked storage bucket, BigQuery or a SIEM.",
    {
      snippet: gcloud(
        "gcloud logging sinks create all-logs storage.googleapis.com/<log-bucket> --project={{resource.shortId}}",
      ),
    },
  ],
  [
    "gcp-iam-access-approval-disabled",
    "governance",
    "has Access Approval turned off",
    "Enable Access Approval for project {{resource.name}} so Google staff access needs your explicit approval.",
  ],
  [
    "gcp-asset-inventory-disabled",
    "governance",
    "has the Cloud Asset Inventory API turned off",
    "Enable the Cloud Asset API in project {{resource.name}}.",
    { snippet: gcloud("gcloud services enable cloudasset.googleapis.com --project={{resource.shortId}}") },
  ],
  [
    "gcp-iam-essential-contacts-missing",
    "governance",
    "has no Essential Contacts",
    "Configure Essential Contacts (security, technical, legal categories) for the organization, using team mailboxes.",
    { noun: "GCP organization" },
  ],
  [
    "gcp-container-scanning-disabled",
    "patching",
    "does not scan container images for vulnerabilities",
    "Enable the Container Scanning (Artifact Analysis) API in project {{resource.name}}.",
    {
      snippet: gcloud(
        "gcloud services enable containerscanning.googleapis.com --project={{resource.shortId}}",
      ),
    },
  ],
  [
    "gcp-vpc-service-controls-missing",
    "data",
    "is not protected by a VPC Service Controls perimeter",
    "Add project {{resource.name}} and its storage and data services to a VPC Service Controls perimeter.",
    { noun: "GCP project" },
  ],
  [
    "gcp-storage-retention-lock-disabled",
    "logging",
    "holds logs without a locked retention policy",
    "Set a retention policy on Cloud Storage bucket {{resource.name}} and lock it (Bucket Lock), so log objects cannot be deleted early.",
    {
      snippet: gcloud(
        "gcloud storage buckets update gs://{{resource.shortId}} --retention-period=365d\ngcloud storage buckets update gs://{{resource.shortId}} --lock-retention-period",
      ),
    },
  ],
  [
    "gcp-storage-retention-short",
    "backup",
    "has a retention policy shorter than required",
    "Set the retention policy of Cloud Storage bucket {{resource.name}} to the period your data policy requires.",
  ],
  [
    "gcp-storage-lifecycle-missing",
    "governance",
    "has no lifecycle rules",
    "Add lifecycle rules to Cloud Storage bucket {{resource.name}} that delete or archive objects after your retention period.",
  ],
  [
    "gcp-storage-logging-disabled",
    "kind",
    "has usage and storage logs turned off",
    "Turn on usage and storage logs for Cloud Storage bucket {{resource.name}}, writing to a separate log bucket.",
    {
      snippet: gcloud(
        "gcloud storage buckets update gs://{{resource.shortId}} --log-bucket=gs://<log-bucket> --log-object-prefix={{resource.shortId}}",
      ),
    },
  ],
  [
    "gcp-storage-versioning-disabled",
    "kind",
    "has object versioning turned off",
    "Turn on object versioning for Cloud Storage bucket {{resource.name}}.",
    { snippet: gcloud("gcloud storage buckets update gs://{{resource.shortId}} --versioning") },
  ],

  flag(
    "local-infile",
    "local_infile",
    "off",
    "With local_infile on, a client can make the server read files from the client machine, which SQL injection can abuse",
  ),
  flag(
    "skip-show-database",
    "skip_show_database",
    "on",
    "Without skip_show_database, any user can list every database",
  ),
  flag(
    "pgaudit",
    "cloudsql.enable_pgaudit",
    "on",
    "Without pgAudit, statement-level audit records are not produced",
  ),
  flag(
    "log-min-duration-statement",
    "log_min_duration_statement",
    "-1",
    "Logging full statements by duration can write sensitive data into the logs",
  ),
  flag(
    "log-min-error-statement",
    "log_min_error_statement",
    "error",
    "A too-high log_min_error_statement drops the statements that caused errors from the logs",
  ),
  flag(
    "log-min-messages",
    "log_min_messages",
    "warning",
    "A too-high log_min_messages drops warnings that show attacks or faults",
  ),
  flag(
    "log-error-verbosity",
    "log_error_verbosity",
    "default",
    "A wrong log_error_verbosity makes error logs too terse to investigate, or too verbose to keep",
  ),
  flag(
    "log-disconnections",
    "log_disconnections",
    "on",
    "Without log_disconnections, session ends and durations are not recorded",
  ),
  flag(
    "log-connections",
    "log_connections",
    "on",
    "Without log_connections, connection attempts (including brute force) are not recorded",
  ),
  flag("log-statement", "log_statement", "ddl", "Without log_statement=ddl, schema changes are not recorded"),
  flag(
    "contained-database-authentication",
    "contained database authentication",
    "off",
    "Contained databases authenticate their own users, bypassing server-level controls",
  ),
  flag(
    "cross-db-ownership-chaining",
    "cross db ownership chaining",
    "off",
    "Cross-database ownership chaining lets a user in one database act on another",
  ),
  flag(
    "external-scripts",
    "external scripts enabled",
    "off",
    "External scripts let database users run R or Python code on the server",
  ),
  flag(
    "remote-access",
    "remote access",
    "off",
    "Remote access lets stored procedures run on other servers from this one",
  ),
  flag(
    "trace-3625",
    "3625",
    "on",
    "Without trace flag 3625, error messages can reveal sensitive information to unprivileged users",
  ),
  flag(
    "user-connections",
    "user connections",
    "0",
    "A limit on user connections can lock out administrators during an incident",
  ),
  flag(
    "user-options",
    "user options",
    "(unset)",
    "A global user options value changes session defaults for every user unexpectedly",
  ),

  [
    "gcp-cloudsql-root-access",
    "credentials",
    "lets the root user connect from any host or without a strong password",
    "Set a strong password for the root user of Cloud SQL instance {{resource.name}}, limit root to localhost and give applications their own least-privilege users.",
  ],
  [
    "gcp-cloudsql-public-ip",
    "exposure",
    "has a public IP or allows connections from any address",
    "Remove 0.0.0.0/0 from the authorized networks of Cloud SQL instance {{resource.name}} and switch it to private IP.",
    { snippet: gcloud("gcloud sql instances patch {{resource.shortId}} --clear-authorized-networks") },
  ],

  [
    "gcp-vpc-default-network",
    "exposure",
    "still has the default network",
    "Delete the default VPC network of project {{resource.name}} after moving any workloads to purpose-built networks.",
    {
      noun: "GCP project",
      snippet: gcloud("gcloud compute networks delete default --project={{resource.shortId}}"),
    },
  ],
  [
    "gcp-vpc-legacy-network",
    "exposure",
    "is a legacy network",
    "Replace legacy network {{resource.name}} with a VPC network that has subnets, and move its workloads.",
  ],
  [
    "gcp-vpc-private-google-access-disabled",
    "exposure",
    "has Private Google Access turned off",
    "Turn on Private Google Access for subnet {{resource.name}} so instances without public IPs can reach Google APIs.",
    {
      noun: "subnet",
      snippet: gcloud(
        "gcloud compute networks subnets update {{resource.shortId}} --region={{resource.region}} --enable-private-ip-google-access",
      ),
    },
  ],
  [
    "gcp-compute-project-ssh-keys-allowed",
    "credentials",
    "accepts project-wide SSH keys",
    "Turn on 'Block project-wide SSH keys' for VM instance {{resource.name}}.",
    {
      snippet: gcloud(
        "gcloud compute instances add-metadata {{resource.shortId}} --metadata=block-project-ssh-keys=TRUE",
      ),
    },
  ],
  [
    "gcp-compute-os-login-2fa-disabled",
    "credentials",
    "does not require two-step verification for OS Login",
    "Set enable-oslogin-2fa=TRUE in the project metadata of {{resource.name}}.",
    {
      noun: "GCP project",
      snippet: gcloud(
        "gcloud compute project-info add-metadata --metadata=enable-oslogin=TRUE,enable-oslogin-2fa=TRUE",
      ),
    },
  ],
  [
    "gcp-compute-os-login-disabled",
    "credentials",
    "does not use OS Login",
    "Set enable-oslogin=TRUE in the project metadata of {{resource.name}}, so SSH access follows IAM.",
    {
      noun: "GCP project",
      snippet: gcloud("gcloud compute project-info add-metadata --metadata=enable-oslogin=TRUE"),
    },
  ],
  [
    "gcp-compute-serial-port-enabled",
    "exposure",
    "allows connections to its serial ports",
    "Turn off 'Enable connecting to serial ports' on VM instance {{resource.name}}.",
    {
      snippet: gcloud(
        "gcloud compute instances add-metadata {{resource.shortId}} --metadata=serial-port-enable=FALSE",
      ),
    },
  ],
  [
    "gcp-compute-ip-forwarding-enabled",
    "exposure",
    "has IP forwarding enabled",
    "Recreate VM instance {{resource.name}} without IP forwarding unless it is a designated router or NAT appliance.",
  ],
  [
    "gcp-compute-shielded-vm-disabled",
    "hardening",
    "does not use Shielded VM (vTPM and integrity monitoring)",
    "Turn on vTPM and integrity monitoring (and Secure Boot) on VM instance {{resource.name}}.",
    {
      snippet: gcloud(
        "gcloud compute instances stop {{resource.shortId}}\ngcloud compute instances update {{resource.shortId}} --shielded-vtpm --shielded-integrity-monitoring --shielded-secure-boot",
      ),
    },
  ],
  [
    "gcp-compute-confidential-computing-disabled",
    "encryption",
    "does not use Confidential Computing",
    "Run the workload of VM instance {{resource.name}} on a Confidential VM if it processes data that must stay encrypted in use.",
  ],
  [
    "gcp-compute-disk-auto-delete-enabled",
    "backup",
    "deletes its attached disks when the instance is deleted",
    "Turn off auto-delete for the persistent disks of VM instance {{resource.name}} that hold data.",
  ],
  [
    "gcp-compute-automatic-restart-disabled",
    "resilience",
    "does not restart automatically after a failure",
    "Turn on automatic restart in the scheduling options of VM instance {{resource.name}}.",
  ],
  [
    "gcp-compute-host-maintenance-not-migrate",
    "resilience",
    "stops during host maintenance instead of migrating",
    "Set the on-host-maintenance policy of VM instance {{resource.name}} to MIGRATE.",
  ],
  [
    "gcp-compute-preemptible-vm",
    "resilience",
    "is a preemptible or Spot VM",
    "Run VM instance {{resource.name}} on a standard provisioning model if its workload cannot tolerate being stopped at any time.",
  ],
  [
    "gcp-compute-instance-group-autohealing-disabled",
    "resilience",
    "has no autohealing health check",
    "Add an autohealing policy with a health check to managed instance group {{resource.name}}.",
    { noun: "managed instance group" },
  ],
  [
    "gcp-compute-multiple-network-interfaces",
    "exposure",
    "has more than one network interface",
    "Check why VM instance {{resource.name}} spans several networks, and remove interfaces it does not need.",
  ],
  [
    "gcp-compute-default-service-account",
    "identity",
    "uses the default Compute Engine service account",
    "Give VM instance {{resource.name}} a dedicated, least-privilege service account.",
  ],
  [
    "gcp-compute-image-public",
    "data",
    "is shared publicly",
    "Remove allUsers and allAuthenticatedUsers from the IAM policy of image {{resource.name}}.",
    { noun: "Compute Engine image" },
  ],
  [
    "gcp-iam-personal-accounts",
    "credentials",
    "grants access to personal (for example Gmail) accounts",
    "Replace the personal accounts in the IAM policy of {{resource.name}} with corporate identities, and restrict domains with the iam.allowedPolicyMemberDomains constraint.",
  ],
  [
    "gcp-iam-kms-separation-of-duties",
    "identity",
    "gives the same members Cloud KMS Admin and CryptoKey Encrypter/Decrypter roles",
    "Split the KMS admin and key-use roles in project {{resource.name}} between different members.",
  ],
  [
    "gcp-iam-sa-separation-of-duties",
    "identity",
    "gives the same members Service Account Admin and Service Account User roles",
    "Split the service-account admin and user roles in project {{resource.name}} between different members.",
  ],
  [
    "gcp-iam-service-account-user-at-project",
    "identity",
    "grants Service Account User or Token Creator at project level",
    "Move the Service Account User and Token Creator grants in project {{resource.name}} from the project to the specific service accounts.",
  ],
  [
    "gcp-iam-service-account-admin",
    "identity",
    "has a service account with administrative roles",
    "Replace the owner, editor or admin roles of service account {{resource.name}} with roles scoped to what it does.",
    { noun: "service account" },
  ],
  [
    "gcp-iam-service-account-user-managed-keys",
    "credentials",
    "has user-managed keys",
    "Delete the user-managed keys of service account {{resource.name}} and use workload identity or attached service accounts instead.",
    { noun: "service account" },
  ],
  [
    "gcp-iam-service-account-unused",
    "credentials",
    "has not been used for a long time",
    "Disable service account {{resource.name}} after confirming with its owner, and delete it later.",
    { noun: "service account", snippet: gcloud("gcloud iam service-accounts disable {{resource.shortId}}") },
  ],
  [
    "gcp-iam-workload-identity-condition-missing",
    "identity",
    "trusts a multi-tenant issuer without an attribute condition",
    "Add an attribute condition to workload identity provider {{resource.name}} that pins the repository, organization or tenant allowed to use it.",
    { noun: "workload identity provider" },
  ],
  [
    "gcp-apikeys-unrestricted",
    "credentials",
    "is not restricted to specific APIs and callers",
    "Restrict API key {{resource.name}} to the APIs it calls and to the applications, referrers or IPs that use it.",
  ],
  [
    "gcp-apikeys-rotation-disabled",
    "credentials",
    "has not been rotated in 90 days",
    "Create a new API key to replace {{resource.name}}, update its users, then delete the old key.",
  ],
  [
    "gcp-apikeys-present",
    "credentials",
    "exists although API keys should be avoided",
    "Replace API key {{resource.name}} with service-account or workload-identity authentication where the API allows it, then delete the key.",
  ],
  [
    "gcp-gke-default-service-account",
    "identity",
    "runs its nodes with the default Compute Engine service account",
    "Create node pools for GKE cluster {{resource.name}} with a dedicated, minimal node service account and Workload Identity, and remove the old pools.",
  ],
  [
    "gcp-gke-access-scopes-broad",
    "identity",
    "gives its nodes broad access scopes",
    "Recreate the node pools of GKE cluster {{resource.name}} with the default minimal scopes and a dedicated service account.",
  ],
  [
    "gcp-gke-legacy-abac-enabled",
    "identity",
    "has legacy authorization (ABAC) enabled",
    "Turn off legacy authorization on GKE cluster {{resource.name}}.",
    {
      snippet: gcloud(
        "gcloud container clusters update {{resource.shortId}} --region={{resource.region}} --no-enable-legacy-authorization",
      ),
    },
  ],
  [
    "gcp-gke-dashboard-enabled",
    "exposure",
    "has the Kubernetes web dashboard enabled",
    "Disable the Kubernetes dashboard add-on on GKE cluster {{resource.name}}.",
  ],
  [
    "gcp-gke-auto-repair-disabled",
    "resilience",
    "has node auto-repair turned off",
    "Turn on auto-repair for the node pools of GKE cluster {{resource.name}}.",
  ],
  [
    "gcp-gke-node-image-not-cos",
    "hardening",
    "does not use Container-Optimized OS on its nodes",
    "Switch the node pools of GKE cluster {{resource.name}} to the cos_containerd image.",
  ],
  [
    "gcp-gke-basic-auth-enabled",
    "credentials",
    "has basic authentication enabled",
    "Disable basic authentication on GKE cluster {{resource.name}} and use IAM.",
  ],
  [
    "gcp-gke-client-certificate-enabled",
    "credentials",
    "issues a legacy client certificate",
    "Recreate GKE cluster {{resource.name}} without issuing a client certificate, and authenticate with IAM.",
  ],
  [
    "gcp-gke-network-policy-disabled",
    "exposure",
    "does not enforce network policies",
    "Enable network policy enforcement (or Dataplane V2) on GKE cluster {{resource.name}} and add default-deny policies.",
  ],
  [
    "gcp-gke-alias-ip-disabled",
    "exposure",
    "does not use VPC-native alias IP ranges",
    "Recreate GKE cluster {{resource.name}} as a VPC-native cluster (alias IPs).",
  ],
  [
    "gcp-gke-pod-security-policy-disabled",
    "hardening",
    "does not enforce pod security standards",
    "Enforce the baseline or restricted Pod Security Standards (admission labels or Policy Controller) on GKE cluster {{resource.name}}.",
  ],
  [
    "gcp-dns-dnssec-rsasha1-key-signing",
    "transit",
    "uses RSASHA1 for its DNSSEC key-signing key",
    "Re-sign Cloud DNS zone {{resource.name}} with RSASHA256 (or ECDSA) as the key-signing algorithm.",
  ],
  [
    "gcp-dns-dnssec-rsasha1-zone-signing",
    "transit",
    "uses RSASHA1 for its DNSSEC zone-signing key",
    "Re-sign Cloud DNS zone {{resource.name}} with RSASHA256 (or ECDSA) as the zone-signing algorithm.",
  ],
  [
    "gcp-dns-dnssec-disabled",
    "transit",
    "has DNSSEC turned off",
    "Turn on DNSSEC for Cloud DNS zone {{resource.name}} and publish the DS record at the registrar.",
    { snippet: gcloud("gcloud dns managed-zones update {{resource.shortId}} --dnssec-state on") },
  ],
];
