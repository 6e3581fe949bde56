import { bundles, cisGcp } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";

const project = "?project={{resource.accountId}}";

/** Google Cloud archetypes: storage, firewall, IAM, logging, Cloud SQL, KMS, GKE, functions. */
export const gcpEntries: KnowledgeEntry[] = [
  {
    id: "gcp-storage-public-bucket",
    title: "Public Cloud Storage bucket",
    headline: "Cloud Storage bucket {{resource.name}} is readable by allUsers or allAuthenticatedUsers",
    risk: "Anyone on the internet (or anyone with any Google account) can read objects in {{resource.name}}.",
    impact:
      "Public buckets are found by scanners quickly; exposed personal or confidential data means breach notification and lost trust.",
    intents: ["Made public to host static assets or share a file", "A test binding that stayed"],
    remediation: [
      "Remove allUsers and allAuthenticatedUsers bindings from {{resource.name}} and enforce public access prevention.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud storage buckets remove-iam-policy-binding gs://{{resource.shortId}} --member=allUsers --role=roles/storage.objectViewer\ngcloud storage buckets update gs://{{resource.shortId}} --public-access-prevention",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "google_storage_bucket" "this" {\n  name                        = "{{resource.shortId}}"\n  public_access_prevention    = "enforced"\n  uniform_bucket_level_access = true\n  # …\n}',
      },
    ],
    controls: [...cisGcp("5.1"), ...bundles.publicData],
    consoleUrl: `https://console.cloud.google.com/storage/browser/{{resource.shortId}}${project}`,
  },
  {
    id: "gcp-storage-uniform-access-disabled",
    title: "Bucket without uniform bucket-level access",
    headline:
      "Cloud Storage bucket {{resource.name}} uses per-object ACLs instead of uniform bucket-level access",
    risk: "Object ACLs on {{resource.name}} can grant access that IAM reviews do not show.",
    impact: "Hidden grants make access reviews unreliable and hide accidental exposure.",
    intents: ["Created with fine-grained access for legacy tooling"],
    remediation: [
      "Enable uniform bucket-level access on {{resource.name}} after moving any needed object ACLs to IAM bindings.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud storage buckets update gs://{{resource.shortId}} --uniform-bucket-level-access",
      },
    ],
    controls: [...cisGcp("5.2"), ...bundles.leastPrivilege],
    consoleUrl: `https://console.cloud.google.com/storage/browser/{{resource.shortId}}${project}`,
  },
  {
    id: "gcp-firewall-ssh-open",
    title: "SSH open to the internet (GCP firewall)",
    headline: "Firewall rule {{resource.name}} allows SSH (port 22) from 0.0.0.0/0",
    risk: "VMs matched by {{resource.name}} accept SSH from the whole internet and face constant brute-force attempts.",
    impact: "A foothold on one VM can lead to lateral movement and data theft across the project.",
    intents: ["The default-allow-ssh rule was kept", "Opened for quick admin access"],
    remediation: [
      "Restrict the source ranges of {{resource.name}} to your VPN, or to 35.235.240.0/20 to use Identity-Aware Proxy TCP forwarding.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud compute firewall-rules update {{resource.shortId}} --project={{resource.accountId}} --source-ranges=35.235.240.0/20",
      },
    ],
    controls: [...cisGcp("3.6"), ...bundles.inboundNetwork],
    consoleUrl: `https://console.cloud.google.com/net-security/firewall-manager/firewall-policies/list${project}`,
  },
  {
    id: "gcp-firewall-rdp-open",
    title: "RDP open to the internet (GCP firewall)",
    headline: "Firewall rule {{resource.name}} allows RDP (port 3389) from 0.0.0.0/0",
    risk: "Windows VMs matched by {{resource.name}} accept Remote Desktop from anywhere.",
    impact: "RDP exposure is a leading ransomware entry point.",
    intents: ["The default-allow-rdp rule was kept", "Opened for a vendor"],
    remediation: [
      "Restrict the source ranges of {{resource.name}} to your VPN or IAP range (35.235.240.0/20), or delete the rule.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud compute firewall-rules update {{resource.shortId}} --project={{resource.accountId}} --source-ranges=35.235.240.0/20",
      },
    ],
    controls: [...cisGcp("3.7"), ...bundles.inboundNetwork],
    consoleUrl: `https://console.cloud.google.com/net-security/firewall-manager/firewall-policies/list${project}`,
  },
  {
    id: "gcp-vpc-flow-logs-disabled",
    title: "VPC flow logs off (subnet)",
    headline: "Subnet {{resource.name}} does not have VPC flow logs enabled",
    risk: "Traffic in {{resource.name}} is not recorded, hiding scans, lateral movement and exfiltration.",
    impact: "Investigations cannot reconstruct network activity.",
    intents: ["Flow logs were left off to save cost"],
    remediation: ["Enable flow logs on subnet {{resource.name}}."],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud compute networks subnets update {{resource.shortId}} --project={{resource.accountId}} --region={{resource.region}} --enable-flow-logs",
      },
    ],
    controls: [...cisGcp("3.8"), ...bundles.logging],
    consoleUrl: `https://console.cloud.google.com/networking/networks/list${project}`,
  },
  {
    id: "gcp-compute-default-service-account",
    title: "VM uses the default service account",
    headline: "VM {{resource.name}} runs as the Compute Engine default service account",
    risk: "The default service account usually holds the broad Editor role, so code on {{resource.name}} can change most of project {{resource.accountId}}.",
    impact: "A compromised VM becomes a project-wide compromise.",
    intents: ["The default was accepted at VM creation"],
    remediation: [
      "Create a dedicated service account with only the roles {{resource.name}} needs and attach it to the VM (requires a stop/start).",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud compute instances stop {{resource.shortId}} --project={{resource.accountId}} --zone=<zone>\ngcloud compute instances set-service-account {{resource.shortId}} --project={{resource.accountId}} --zone=<zone> \\\n  --service-account=<dedicated-sa>@{{resource.accountId}}.iam.gserviceaccount.com --scopes=cloud-platform\ngcloud compute instances start {{resource.shortId}} --project={{resource.accountId}} --zone=<zone>",
      },
    ],
    controls: [...cisGcp("4.1", "4.2"), ...bundles.leastPrivilege],
    consoleUrl: `https://console.cloud.google.com/compute/instances${project}`,
  },
  {
    id: "gcp-service-account-key-stale",
    title: "Old user-managed service account key",
    headline: "Service account {{resource.name}} has a user-managed key that is old or unrotated",
    risk: "Downloaded keys for {{resource.name}} spread to laptops, CI and repositories and never expire on their own.",
    impact: "A leaked key gives persistent access with the service account's roles.",
    intents: ["An external system (CI, on-premises job) authenticates with a key file"],
    remediation: [
      "Replace the key of {{resource.name}} with workload identity federation, or rotate it: create a new key, update the consumer, delete the old key.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud iam service-accounts keys list --iam-account={{resource.shortId}} --managed-by=user\ngcloud iam service-accounts keys delete <key-id> --iam-account={{resource.shortId}}",
      },
    ],
    controls: [...cisGcp("1.4", "1.7"), ...bundles.credentialHygiene],
    consoleUrl: `https://console.cloud.google.com/iam-admin/serviceaccounts${project}`,
  },
  {
    id: "gcp-iam-primitive-roles",
    title: "Primitive (basic) roles granted",
    headline: "Project {{resource.accountId}} grants the basic Owner or Editor role to {{resource.name}}",
    risk: "Basic roles give {{resource.name}} broad rights over nearly every service in the project.",
    impact:
      "Compromise of that principal becomes a project-wide compromise; it also fails least-privilege requirements.",
    intents: [
      "Granted early in the project's life for convenience",
      "Used instead of finding the right predefined role",
    ],
    remediation: [
      "Replace the Owner/Editor binding of {{resource.name}} with predefined roles for the services it uses (IAM Recommender suggests them).",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud projects remove-iam-policy-binding {{resource.accountId}} --member=<member> --role=roles/editor\ngcloud projects add-iam-policy-binding {{resource.accountId}} --member=<member> --role=<predefined-role>",
      },
    ],
    controls: bundles.leastPrivilege,
    consoleUrl: `https://console.cloud.google.com/iam-admin/iam${project}`,
  },
  {
    id: "gcp-audit-logs-disabled",
    title: "Cloud Audit Logs incomplete",
    headline: "Project {{resource.accountId}} does not record Data Access audit logs for all services",
    risk: "Reads and writes of data in {{resource.accountId}} are not logged.",
    impact: "You cannot tell who accessed data after an incident.",
    intents: ["Data Access logs are off by default", "Disabled because of log volume"],
    remediation: [
      "Enable DATA_READ, DATA_WRITE and ADMIN_READ audit logs for allServices in the project's IAM policy.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "IAM policy auditConfigs",
        code: "auditConfigs:\n- service: allServices\n  auditLogConfigs:\n  - logType: ADMIN_READ\n  - logType: DATA_READ\n  - logType: DATA_WRITE",
      },
    ],
    controls: [...cisGcp("2.1"), ...bundles.logging],
    consoleUrl: `https://console.cloud.google.com/iam-admin/audit${project}`,
  },
  {
    id: "gcp-cloudsql-public-ip",
    title: "Cloud SQL reachable from the internet",
    headline: "Cloud SQL instance {{resource.name}} has a public IP or allows 0.0.0.0/0",
    risk: "{{resource.name}} can be reached from the internet, exposing it to password spraying and exploits.",
    impact: "An internet-reachable database is a direct path to mass data theft.",
    intents: [
      "A developer or BI tool needed to connect from outside",
      "Authorized network set to 0.0.0.0/0 for a migration",
    ],
    remediation: [
      "Remove the 0.0.0.0/0 authorized network and the public IP from {{resource.name}}; connect through private IP or the Cloud SQL Auth Proxy.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud sql instances patch {{resource.shortId}} --project={{resource.accountId}} --clear-authorized-networks --no-assign-ip",
      },
    ],
    controls: [...cisGcp("6.5", "6.6"), ...bundles.inboundNetwork],
    consoleUrl: `https://console.cloud.google.com/sql/instances/{{resource.shortId}}/overview${project}`,
  },
  {
    id: "gcp-cloudsql-ssl-not-required",
    title: "Cloud SQL accepts unencrypted connections",
    headline: "Cloud SQL instance {{resource.name}} does not require SSL/TLS for connections",
    risk: "Database traffic to {{resource.name}}, including credentials, can travel in the clear.",
    impact: "Breaks encryption-in-transit requirements for regulated data.",
    intents: ["A legacy client could not use TLS"],
    remediation: [
      "Require encrypted connections on {{resource.name}} (ssl-mode ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED).",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud sql instances patch {{resource.shortId}} --project={{resource.accountId}} --ssl-mode=ENCRYPTED_ONLY",
      },
    ],
    controls: [...cisGcp("6.4"), ...bundles.encryptionInTransit],
    consoleUrl: `https://console.cloud.google.com/sql/instances/{{resource.shortId}}/overview${project}`,
  },
  {
    id: "gcp-cloudsql-cmek-disabled",
    title: "Cloud SQL without a customer-managed key",
    headline: "Cloud SQL instance {{resource.name}} is not encrypted with a customer-managed key",
    risk: "Data in {{resource.name}} is encrypted only with Google-managed keys that you cannot revoke or rotate on your schedule.",
    impact: "Regulated data may fail policies that require customer-controlled keys.",
    intents: ["CMEK was not part of the instance template"],
    remediation: [
      "Create a new instance of {{resource.name}} with a Cloud KMS key (CMEK cannot be added in place), migrate the data and cut over.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud sql instances create {{resource.shortId}}-cmek --project={{resource.accountId}} --region={{resource.region}} \\\n  --disk-encryption-key=projects/{{resource.accountId}}/locations/{{resource.region}}/keyRings/<ring>/cryptoKeys/<key>",
      },
    ],
    controls: bundles.encryptionAtRest,
    consoleUrl: `https://console.cloud.google.com/sql/instances/{{resource.shortId}}/overview${project}`,
  },
  {
    id: "gcp-kms-key-rotation-disabled",
    title: "Cloud KMS key not rotated",
    headline: "Cloud KMS key {{resource.name}} has no rotation period of 90 days or less",
    risk: "Key material for {{resource.name}} stays in use indefinitely.",
    impact: "Fails cryptoperiod requirements in PCI DSS and internal crypto standards.",
    intents: ["Rotation was not set at key creation"],
    remediation: ["Set a rotation period of 90 days or less on key {{resource.name}}."],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud kms keys update {{resource.shortId}} --location={{resource.region}} --keyring=<ring> --project={{resource.accountId}} \\\n  --rotation-period=90d --next-rotation-time=<rfc3339-time>",
      },
    ],
    controls: [...cisGcp("1.10"), ...bundles.keyManagement],
    consoleUrl: `https://console.cloud.google.com/security/kms/keyrings${project}`,
  },
  {
    id: "gcp-gke-public-endpoint",
    title: "GKE control plane public",
    headline:
      "GKE cluster {{resource.name}} exposes its control plane to the internet without authorized networks",
    risk: "The API server of {{resource.name}} can be reached from anywhere; stolen credentials or API flaws are directly exploitable.",
    impact: "Cluster takeover exposes every workload and secret in it.",
    intents: ["Public endpoint is the default", "Engineers connect without a VPN"],
    remediation: [
      "Enable master authorized networks on {{resource.name}} limited to your VPN/office ranges, or use a private endpoint.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud container clusters update {{resource.shortId}} --project={{resource.accountId}} --location={{resource.region}} \\\n  --enable-master-authorized-networks --master-authorized-networks=<vpn-cidr>",
      },
    ],
    controls: bundles.inboundNetwork,
    consoleUrl: `https://console.cloud.google.com/kubernetes/list/overview${project}`,
  },
  {
    id: "gcp-cloudfunction-public",
    title: "Cloud Function or Cloud Run service public",
    headline: "Service {{resource.name}} can be invoked by allUsers without authentication",
    risk: "Anyone can call {{resource.name}}, running its code with its service account.",
    impact: "Abuse can leak data the service reaches or run up costs.",
    intents: ["A webhook or public API was exposed", "allUsers invoker added while testing"],
    remediation: [
      "Remove the allUsers invoker binding from {{resource.name}}; authenticate callers with IAM or put API Gateway/IAP in front.",
    ],
    snippets: [
      {
        language: "bash",
        label: "gcloud",
        code: "gcloud run services remove-iam-policy-binding {{resource.shortId}} --project={{resource.accountId}} --region={{resource.region}} \\\n  --member=allUsers --role=roles/run.invoker",
      },
    ],
    controls: bundles.publicData,
    consoleUrl: `https://console.cloud.google.com/run${project}`,
  },
];
