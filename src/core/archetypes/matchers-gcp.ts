import {
  type ArchetypeMatcher,
  ENCRYPT,
  family,
  MFA,
  m,
  OPEN_TO_WORLD,
  PUBLIC,
  portFamily,
  RDP,
  ROTATE,
  SSH,
} from "./matcher.js";

const STORAGE = ["gcp.storage"];
const SQL = ["gcp.sql", "gcp.sqladmin", "gcp.cloudsql"];
const COMPUTE = ["gcp.compute"];
const IAM = ["gcp.iam"];
const PROJECT = ["gcp.cloudresourcemanager", "gcp.resourcemanager", "gcp.project", "gcp.serviceusage"];
const KMS = ["gcp.kms", "gcp.cloudkms"];
const LOGGING = ["gcp.logging", ...PROJECT];
const GKE = ["gcp.container", "gcp.gke"];
const FUNCTIONS = ["gcp.cloudfunctions", "gcp.run", "gcp.functions"];

/** Built-in GCP matchers, in precedence order within each resource type. */
export const gcpMatchers: readonly ArchetypeMatcher[] = [
  // --- Log metric alerts (one per watched change) ---
  ...logMetricAlerts(),
  m("gcp-logging-sink-missing", LOGGING, [["sink", "sinks"]]),
  m(
    "gcp-audit-logs-disabled",
    ["gcp.logging", ...PROJECT],
    [["audit log", "audit logs", "audit logging", "data access log", "audit config"]],
  ),
  m("gcp-iam-access-approval-disabled", ["gcp.accessapproval", ...PROJECT], [["access approval"]]),
  m("gcp-asset-inventory-disabled", PROJECT, [["asset inventory"]]),
  m("gcp-iam-essential-contacts-missing", PROJECT, [["essential contacts"]]),
  m(
    "gcp-container-scanning-disabled",
    [...PROJECT, "gcp.artifactregistry", "gcp.containeranalysis"],
    [["container analysis", "container scanning", "vulnerability scanning"]],
  ),
  m("gcp-vpc-service-controls-missing", [...PROJECT, "gcp.storage"], [["vpc service controls"]]),

  // --- Cloud Storage ---
  m("gcp-storage-retention-lock-disabled", STORAGE, [["bucket lock"]]),
  m("gcp-storage-retention-short", STORAGE, [["retention"]]),
  m("gcp-storage-public-bucket", STORAGE, [[...PUBLIC, "publicly accessible", "publicly"]]),
  m("gcp-storage-uniform-access-disabled", STORAGE, [["uniform"]]),
  m("gcp-storage-lifecycle-missing", STORAGE, [["lifecycle"]]),
  ...family("gcp-storage", STORAGE, [
    "cmk-disabled",
    "soft-delete-disabled",
    "versioning-disabled",
    "logging-disabled",
  ]),

  // --- Cloud SQL ---
  ...cloudSqlFlags(),
  m("gcp-cloudsql-root-access", SQL, [
    ["root login", "administrative privileges", "root user", "root password"],
  ]),
  m("gcp-cloudsql-public-ip", SQL, [
    [...PUBLIC, "public ip", "0.0.0.0", "authorized network", "authorized networks", "world", "open to"],
  ]),
  m("gcp-cloudsql-ssl-not-required", SQL, [["ssl", "tls", "encrypted connection"]]),
  m("gcp-cloudsql-cmek-disabled", SQL, [ENCRYPT]),
  ...family("gcp-cloudsql", SQL, ["backup-disabled", "multi-az-disabled"]),

  // --- Compute and network ---
  m("gcp-firewall-ssh-open", COMPUTE, [SSH, OPEN_TO_WORLD]),
  m("gcp-firewall-rdp-open", COMPUTE, [RDP, OPEN_TO_WORLD]),
  ...portFamily("gcp-firewall", COMPUTE, ["database-port", "telnet", "ftp", "smb", "all-ports"], {
    require: ["firewall", "firewall rule", "ingress"],
  }),
  m("gcp-vpc-flow-logs-disabled", COMPUTE, [["flow log", "flow logs"]]),
  m("gcp-vpc-dns-logging-disabled", COMPUTE, [["dns logging"]]),
  m("gcp-vpc-default-network", COMPUTE, [["default network", "default vpc"]]),
  m("gcp-vpc-legacy-network", COMPUTE, [["legacy"]]),
  m("gcp-vpc-private-google-access-disabled", [...COMPUTE, ...GKE], [["private google access"]]),
  m("gcp-compute-default-service-account", COMPUTE, [
    ["default service account", "full access to all cloud apis", "full api access"],
  ]),
  m("gcp-compute-image-public", COMPUTE, [
    ["image", "images"],
    [...PUBLIC, "publicly shared"],
  ]),
  m("gcp-compute-project-ssh-keys-allowed", COMPUTE, [["project wide ssh keys", "project-wide ssh"]]),
  m("gcp-compute-os-login-2fa-disabled", COMPUTE, [["os login", "oslogin"], MFA]),
  m("gcp-compute-os-login-disabled", COMPUTE, [["os login", "oslogin"]]),
  m("gcp-compute-serial-port-enabled", COMPUTE, [["serial port", "serial ports"]]),
  m("gcp-compute-ip-forwarding-enabled", COMPUTE, [["ip forwarding"]]),
  m("gcp-compute-shielded-vm-disabled", COMPUTE, [
    ["shielded", "vtpm", "integrity monitoring", "secure boot"],
  ]),
  m("gcp-compute-confidential-computing-disabled", COMPUTE, [["confidential computing"]]),
  m("gcp-compute-disk-auto-delete-enabled", COMPUTE, [["auto delete"]]),
  m("gcp-compute-automatic-restart-disabled", COMPUTE, [["automatic restart"]]),
  m("gcp-compute-host-maintenance-not-migrate", COMPUTE, [["host maintenance"]]),
  m("gcp-compute-preemptible-vm", COMPUTE, [["preemptible", "spot vm"]]),
  m("gcp-compute-instance-group-autohealing-disabled", COMPUTE, [["autohealing", "auto healing"]]),
  m("gcp-compute-multiple-network-interfaces", COMPUTE, [["network interface"], ["single", "multiple"]]),
  ...family("gcp-compute", COMPUTE, [
    "cmk-disabled",
    "public-ip",
    "deletion-protection-disabled",
    "multi-az-disabled",
    "logging-disabled",
  ]),

  // --- IAM, keys, secrets ---
  m("gcp-iam-personal-accounts", [...IAM, ...PROJECT], [["gmail", "corporate login", "personal account"]]),
  m("gcp-iam-kms-separation-of-duties", [...IAM, ...PROJECT], [["kms"], ["separation"]]),
  m("gcp-iam-sa-separation-of-duties", [...IAM, ...PROJECT], [["service account"], ["separation"]]),
  m(
    "gcp-iam-service-account-user-at-project",
    [...IAM, ...PROJECT],
    [["service account user", "token creator"]],
    { exclude: ["user managed"] },
  ),
  m(
    "gcp-iam-service-account-admin",
    [...IAM, ...PROJECT],
    [
      ["service account", "serviceaccount"],
      ["admin", "administrative"],
    ],
  ),
  m("gcp-iam-service-account-user-managed-keys", IAM, [
    ["no user managed keys", "only gcp managed", "gcp managed service account keys", "has no user managed"],
  ]),
  m("gcp-service-account-key-stale", IAM, [
    ["key", "keys"],
    [...ROTATE, "user-managed", "user managed", "used within"],
  ]),
  m("gcp-iam-service-account-unused", IAM, [["service account"], ["used within", "unused", "not used"]], {
    exclude: ["default service account"],
  }),
  m("gcp-iam-workload-identity-condition-missing", IAM, [["workload identity"]]),
  m("gcp-iam-primitive-roles", ["gcp.iam", ...PROJECT], [["primitive", "basic role", "owner", "editor"]]),
  m("gcp-kms-key-rotation-disabled", [...KMS, ...PROJECT], [["rotat"]]),
  ...family("gcp-kms", KMS, ["public"]),
  ...family("gcp-secretmanager", ["gcp.secretmanager"], ["public", "key-rotation-disabled"]),
  m(
    "gcp-apikeys-unrestricted",
    ["gcp.apikeys", ...PROJECT],
    [
      ["api key", "api keys"],
      ["restricted", "restriction", "restrictions"],
    ],
  ),
  m(
    "gcp-apikeys-rotation-disabled",
    ["gcp.apikeys", ...PROJECT],
    [
      ["api key", "api keys"],
      ["rotat", "created within"],
    ],
  ),
  m("gcp-apikeys-present", ["gcp.apikeys", ...PROJECT], [["api key", "api keys"]]),

  // --- Data, containers, serverless, DNS ---
  ...family("gcp-bigquery", ["gcp.bigquery"], ["cmk-disabled", "public"]),
  ...family("gcp-dataproc", ["gcp.dataproc"], ["cmk-disabled"]),
  m("gcp-gke-default-service-account", GKE, [["default service account", "default compute"]]),
  m("gcp-gke-access-scopes-broad", GKE, [["access scopes", "scopes"]]),
  m("gcp-gke-legacy-abac-enabled", GKE, [["legacy authorization", "abac"]]),
  m("gcp-gke-dashboard-enabled", GKE, [["dashboard", "web ui"]]),
  m("gcp-gke-auto-repair-disabled", GKE, [["auto repair", "node repair", "automatic node repair"]]),
  m("gcp-gke-node-image-not-cos", GKE, [["container optimized os", "cos"]]),
  m("gcp-gke-basic-auth-enabled", GKE, [["basic authentication", "basic auth"]]),
  m("gcp-gke-client-certificate-enabled", GKE, [["client certificate"]]),
  m("gcp-gke-network-policy-disabled", GKE, [["network policy"]]),
  m("gcp-gke-alias-ip-disabled", GKE, [["alias ip"]]),
  m("gcp-gke-pod-security-policy-disabled", GKE, [["podsecuritypolicy", "pod security policy"]]),
  ...family("gcp-gke", GKE, ["auto-upgrade-disabled", "monitoring-disabled", "logging-disabled"]),
  m("gcp-gke-public-endpoint", GKE, [
    ["public", "endpoint", "private cluster", "master authorized", "control plane", "internet"],
  ]),
  m("gcp-cloudfunction-public", FUNCTIONS, [
    ["allusers", "public", "unauthenticated", "anyone", "anonymous"],
  ]),
  ...family("gcp-cloudfunction", FUNCTIONS, ["not-in-vpc"]),
  m("gcp-dns-dnssec-rsasha1-key-signing", ["gcp.dns"], [["rsasha1"], ["key signing"]]),
  m("gcp-dns-dnssec-rsasha1-zone-signing", ["gcp.dns"], [["rsasha1"], ["zone signing"]]),
  m("gcp-dns-dnssec-disabled", ["gcp.dns"], [["dnssec"]]),
];

/** The CIS "log metric filter and alert" checks: one archetype per watched change. */
function logMetricAlerts(): ArchetypeMatcher[] {
  const alert = ["metric filter", "alert", "alerts"];
  const changes: [string, string[]][] = [
    ["project-ownership-changes", ["ownership"]],
    ["audit-config-changes", ["audit configuration"]],
    ["custom-role-changes", ["custom role"]],
    ["bucket-iam-changes", ["storage iam", "bucket permission", "cloud storage"]],
    ["sql-config-changes", ["sql instance", "cloud sql"]],
    ["firewall-rule-changes", ["firewall rule", "firewall"]],
    ["route-changes", ["route"]],
    ["compute-config-changes", ["compute engine", "compute configuration"]],
    ["network-changes", ["vpc network", "network changes"]],
  ];
  return changes.map(([change, words]) => m(`gcp-logging-alert-${change}`, LOGGING, [alert, words]));
}

/** One archetype per Cloud SQL database flag the CIS benchmark pins. */
function cloudSqlFlags(): ArchetypeMatcher[] {
  const flags: [string, string[]][] = [
    ["local-infile", ["local infile"]],
    ["skip-show-database", ["skip show database"]],
    ["pgaudit", ["pgaudit"]],
    ["log-min-duration-statement", ["log min duration statement"]],
    ["log-min-error-statement", ["log min error statement"]],
    ["log-min-messages", ["log min messages"]],
    ["log-error-verbosity", ["log error verbosity"]],
    ["log-disconnections", ["log disconnections"]],
    ["log-connections", ["log connections"]],
    ["log-statement", ["log statement"]],
    ["contained-database-authentication", ["contained database authentication"]],
    ["cross-db-ownership-chaining", ["cross db ownership"]],
    ["external-scripts", ["external scripts"]],
    ["remote-access", ["remote access"]],
    ["trace-3625", ["3625", "trace flag"]],
    ["user-connections", ["user connections"]],
    ["user-options", ["user options"]],
  ];
  return flags.map(([flag, words]) => m(`gcp-cloudsql-flag-${flag}`, SQL, [words]));
}
