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
  SSH,
} from "./matcher.js";

const STORAGE = ["azure.storage"];
const SQL = ["azure.sql"];
const POSTGRES = ["azure.dbforpostgresql", "azure.postgresql"];
const MYSQL = ["azure.dbformysql", "azure.mysql"];
const COSMOS = ["azure.documentdb", "azure.cosmosdb"];
const KEYVAULT = ["azure.keyvault"];
const NETWORK = ["azure.network"];
const COMPUTE = ["azure.compute"];
const AKS = ["azure.containerservice", "azure.aks"];
const WEB = ["azure.web", "azure.functions", "azure.app"];
const ENTRA = ["azure.aad", "azure.entra", "azure.identity", "azure.graph"];
const AUTHORIZATION = ["azure.authorization", "azure.subscription", "azure.resources"];
const SECURITY = ["azure.security", "azure.subscription", "azure.resources"];
const MONITOR = ["azure.insights", "azure.monitor", "azure.subscription", "azure.resources"];
const ACR = ["azure.containerregistry"];

/** Built-in Azure matchers, in precedence order within each resource type. */
export const azureMatchers: readonly ArchetypeMatcher[] = [
  // --- Activity log alerts (one per watched operation) ---
  ...activityLogAlerts(),
  m("azure-monitor-diagnostic-categories-incomplete", MONITOR, [
    ["diagnostic setting"],
    ["categories", "category"],
  ]),
  m("azure-activity-log-diagnostics-missing", MONITOR, [["activity log", "diagnostic", "log profile"]], {
    exclude: ["retention", "storage account", "alert"],
  }),
  ...family("azure-monitor", MONITOR, ["log-retention-short"], { require: ["activity log", "log profile"] }),
  m(
    "azure-appinsights-missing",
    ["azure.insights", "azure.monitor", "azure.subscription"],
    [["application insights"]],
  ),

  // --- Storage ---
  m("azure-storage-sas-http-allowed", STORAGE, [
    ["shared access signature", "sas"],
    ["https", "http"],
  ]),
  m("azure-storage-sas-expiry-long", STORAGE, [
    ["shared access signature", "sas"],
    ["expire", "expiry", "hour"],
  ]),
  m("azure-storage-public-network-access", STORAGE, [["public network access"]]),
  m("azure-storage-public-blob", STORAGE, [[...PUBLIC, "blob public access", "public access level"]]),
  m("azure-storage-https-only-disabled", STORAGE, [["https", "secure transfer", "http traffic"]]),
  m("azure-storage-tls-min-version", STORAGE, [["tls", "minimum version"]]),
  m("azure-storage-smb-weak-encryption", STORAGE, [["smb"], ["encryption", "aes"]]),
  m("azure-storage-smb-outdated", STORAGE, [["smb"], ["protocol version", "latest"]]),
  m("azure-storage-shared-key-access-enabled", STORAGE, [["shared key", "key access"]]),
  m("azure-storage-access-key-rotation-disabled", STORAGE, [
    ["access key", "access keys"],
    ["expiration", "regenerat", "rotat"],
  ]),
  m("azure-storage-entra-authorization-disabled", STORAGE, [
    ["entra authorization", "azure ad authorization"],
  ]),
  m("azure-storage-trusted-services-blocked", STORAGE, [["trusted microsoft services", "trusted services"]]),
  m("azure-storage-network-unrestricted", STORAGE, [
    ["all networks", "default network access", "network access", "firewall", "network rule"],
  ]),
  m("azure-storage-infrastructure-encryption-disabled", STORAGE, [["infrastructure encryption"]]),
  m("azure-storage-file-share-soft-delete-disabled", STORAGE, [
    ["file share", "file shares"],
    ["soft delete"],
  ]),
  m("azure-storage-geo-redundancy-disabled", STORAGE, [["geo redundant", "grs", "geo replication"]]),
  ...family("azure-storage", STORAGE, [
    "cross-account-access",
    "cmk-disabled",
    "unencrypted",
    "private-endpoint-missing",
    "soft-delete-disabled",
    "versioning-disabled",
    "logging-disabled",
  ]),

  // --- Databases ---
  m("azure-sql-vulnerability-assessment-disabled", SQL, [["vulnerability assessment"]]),
  m("azure-sql-threat-detection-retention-short", SQL, [["threat"], ["retention"]]),
  m("azure-sql-threat-alerts-unrouted", SQL, [["send alerts", "email service", "co administrators"]]),
  m("azure-sql-defender-disabled", SQL, [["defender", "threat detection", "advanced threat"]]),
  ...family("azure-sql", SQL, ["cmk-disabled", "tls-outdated", "iam-auth-disabled", "log-retention-short"]),
  m("azure-sql-tde-disabled", SQL, [["tde", "transparent data encryption", "data encryption", ...ENCRYPT]]),
  m("azure-sql-auditing-disabled", SQL, [["audit", "auditing"]]),
  m(
    "azure-sql-public-network-access",
    ["azure.sql", ...POSTGRES, ...MYSQL],
    [
      [
        ...PUBLIC,
        "0.0.0.0",
        "any ip",
        "firewall",
        "public network",
        "any azure service",
        "internet",
        "unrestricted",
      ],
    ],
  ),
  m("azure-postgresql-geo-backup-disabled", POSTGRES, [
    ["geo redundant", "geo-redundant"],
    ["backup", "backups"],
  ]),
  m("azure-mysql-geo-backup-disabled", MYSQL, [
    ["geo redundant", "geo-redundant"],
    ["backup", "backups"],
  ]),
  m("azure-postgresql-connection-throttling-disabled", POSTGRES, [["connection throttling"]]),
  m("azure-postgresql-log-checkpoints-disabled", POSTGRES, [["checkpoint", "checkpoints"]]),
  m("azure-postgresql-log-disconnections-disabled", POSTGRES, [["disconnection", "disconnections"]]),
  m("azure-postgresql-log-connections-disabled", POSTGRES, [["log connections", "connection logging"]]),
  ...family("azure-postgresql", POSTGRES, [
    "insecure-transport",
    "iam-auth-disabled",
    "log-retention-short",
    "backup-disabled",
    "multi-az-disabled",
  ]),
  ...family("azure-mysql", MYSQL, [
    "tls-outdated",
    "insecure-transport",
    "backup-disabled",
    "multi-az-disabled",
    "logging-disabled",
  ]),
  ...family("azure-cosmosdb", COSMOS, [
    "tls-outdated",
    "iam-auth-disabled",
    "public-network",
    "private-endpoint-missing",
    "backup-disabled",
    "multi-az-disabled",
  ]),

  // --- Key Vault ---
  m("azure-keyvault-rbac-disabled", KEYVAULT, [["rbac"], ["access control", "uses", "enabled"]], {
    exclude: ["expiration", "expiry"],
  }),
  m("azure-keyvault-purge-protection-disabled", KEYVAULT, [
    ["purge protection", "soft delete", "soft-delete", "recoverable"],
  ]),
  ...family("azure-keyvault", KEYVAULT, [
    "public-network",
    "private-endpoint-missing",
    "key-rotation-disabled",
    "expiry-missing",
    "logging-disabled",
  ]),

  // --- Network ---
  m("azure-network-subnet-nsg-missing", NETWORK, [["subnet"], ["network security group", "nsg"]]),
  m("azure-nsg-flow-log-retention-short", NETWORK, [["flow log", "flow logs"], ["retention"]]),
  m("azure-nsg-flow-logs-disabled", NETWORK, [["flow log", "flow logs"]]),
  m("azure-nsg-ssh-open", NETWORK, [SSH, OPEN_TO_WORLD]),
  m("azure-nsg-rdp-open", NETWORK, [RDP, OPEN_TO_WORLD]),
  ...portFamily("azure-nsg", NETWORK, ["database-port", "telnet", "ftp", "smb", "http", "udp", "all-ports"]),
  m("azure-network-ddos-protection-disabled", NETWORK, [["ddos"]]),
  m("azure-network-watcher-disabled", NETWORK, [["network watcher"]]),
  m("azure-network-bastion-missing", NETWORK, [["bastion"]]),

  // --- Compute ---
  m("azure-vm-disk-cmk-disabled", COMPUTE, [["customer managed", "cmk", "cmks"]]),
  m("azure-vm-disk-unencrypted", COMPUTE, [ENCRYPT]),
  m("azure-vm-unmanaged-disks", COMPUTE, [["managed disks"]]),
  m("azure-vm-trusted-launch-disabled", COMPUTE, [["trusted launch", "secure boot", "vtpm"]]),
  m("azure-vm-jit-disabled", ["azure.compute", "azure.security"], [["jit", "just in time"]]),
  m("azure-vm-unapproved-image", COMPUTE, [["approved"], ["image", "machine image"]]),
  m("azure-vm-unapproved-extensions", COMPUTE, [["extensions"]]),
  m(
    "azure-vm-endpoint-protection-missing",
    ["azure.compute", "azure.security", "azure.subscription"],
    [["endpoint protection"]],
  ),
  m(
    "azure-vm-system-updates-missing",
    ["azure.compute", "azure.security", "azure.subscription"],
    [["system updates", "os patches", "latest patches"]],
  ),
  m(
    "azure-vm-vulnerability-assessment-missing",
    ["azure.compute", "azure.security", "azure.subscription"],
    [["vulnerability assessment"]],
  ),
  m(
    "azure-vm-adaptive-application-controls-disabled",
    ["azure.compute", "azure.security"],
    [["adaptive application"]],
  ),
  m("azure-vmss-load-balancer-missing", COMPUTE, [["scale set"], ["load balancer"]]),
  ...family("azure-vm", COMPUTE, ["backup-disabled"]),

  // --- Containers ---
  m("azure-aks-defender-disabled", AKS, [["defender"]]),
  m("azure-aks-local-accounts-enabled", AKS, [["local accounts", "local account"]]),
  m("azure-aks-rbac-disabled", AKS, [["rbac"]]),
  m("azure-aks-network-policy-disabled", AKS, [["network policy"]]),
  ...family("azure-aks", AKS, ["public-ip", "auto-upgrade-disabled", "monitoring-disabled"]),
  m("azure-aks-public-api", AKS, [
    ["public", "api server", "authorized ip", "private cluster", "internet", "private endpoint"],
  ]),
  m("azure-acr-admin-user-enabled", ACR, [["admin user"]]),
  ...family("azure-acr", ACR, ["public-network", "private-endpoint-missing"]),
  m(
    "azure-defender-container-scanning-disabled",
    ["azure.security", "azure.subscription"],
    [
      ["image", "images"],
      ["scan", "scanning"],
    ],
  ),
  m(
    "azure-container-images-vulnerable",
    ["azure.security", "azure.containerregistry", "azure.subscription"],
    [["container image", "container images"], ["vulnerabilit"]],
  ),

  // --- App Service and Functions ---
  m("azure-app-identity-admin-privileges", WEB, [
    ["identity"],
    ["owner", "contributor", "administrator", "admin"],
  ]),
  m("azure-app-managed-identity-missing", WEB, [["managed identity", "identity"]]),
  m("azure-app-client-certificates-disabled", WEB, [["client certificate", "client certificates"]]),
  m("azure-app-ftp-enabled", WEB, [["ftp", "ftps"]]),
  m("azure-app-http2-disabled", WEB, [["http/2", "http 2", "http2"]]),
  m("azure-function-access-keys-missing", WEB, [["function keys", "function key"]]),
  ...family(
    "azure-app",
    WEB,
    [
      "tls-outdated",
      "insecure-transport",
      "public-network",
      "outdated-version",
      "monitoring-disabled",
      "logging-disabled",
      "not-in-vpc",
    ],
    { exclude: ["anonymous", "authentication"] },
  ),
  m("azure-function-anonymous-access", WEB, [["anonymous", "public", "authentication", "unauthenticated"]]),

  // --- Defender and policy ---
  m("azure-defender-notifications-incomplete", SECURITY, [
    ["security contact", "notification", "notifications", "email", "emails", "phone"],
  ]),
  m("azure-defender-auto-provisioning-disabled", SECURITY, [["auto provisioning"]]),
  m(
    "azure-policy-security-center-not-enforced",
    ["azure.authorization", "azure.policy", "azure.security"],
    [["enforcement"]],
  ),
  m("azure-defender-disabled", SECURITY, [
    [
      "defender",
      "security center",
      "threat protection",
      "pricing tier",
      "standard pricing",
      "mcas",
      "wdatp",
      "cloud apps",
    ],
  ]),

  // --- Identity ---
  m("azure-iam-custom-role-resource-locks", AUTHORIZATION, [
    ["custom role"],
    ["resource locks", "resource lock"],
  ]),
  m(
    "azure-resource-lock-missing",
    ["azure.resources", "azure.authorization", "azure.subscription"],
    [["resource lock", "resource locks"]],
  ),
  m("azure-iam-custom-owner-role", AUTHORIZATION, [["custom"], ["owner"]]),
  m("azure-iam-user-access-administrator", AUTHORIZATION, [["user access administrator"]]),
  m("azure-subscription-owner-sprawl", [...AUTHORIZATION, "azure.aad", "azure.entra"], [["owner", "owners"]]),
  m("azure-entra-conditional-access-mfa-missing", ENTRA, [
    ["conditional access", "management api", "admin portals"],
    [...MFA, "multifactor"],
  ]),
  m("azure-user-mfa-disabled", [...ENTRA, "azure.subscription"], [MFA]),
  m("azure-entra-app-credential-expired", ENTRA, [
    ["credential", "credentials", "secret"],
    ["expired", "expiring"],
  ]),
  m("azure-entra-strong-auth-disabled", ENTRA, [["strong authentication"]]),
  m("azure-entra-too-many-global-admins", ENTRA, [["global administrator", "global admin"]]),
  m("azure-entra-users-can-create-groups", ENTRA, [["security groups", "microsoft 365 group", "m365 group"]]),
  m("azure-entra-users-can-register-apps", ENTRA, [
    ["register applications", "create apps", "register apps"],
  ]),
  m("azure-entra-users-can-create-tenants", ENTRA, [["tenants"]]),
  m("azure-entra-guest-invites-unrestricted", ENTRA, [["guest invit"]]),
  m("azure-entra-guest-access-unrestricted", ENTRA, [["guest"]]),
  m("azure-entra-user-consent-allowed", ENTRA, [["consent"]]),
  m("azure-entra-security-defaults-disabled", ENTRA, [["security defaults"]]),
  m("azure-entra-named-locations-missing", ENTRA, [["named location"]]),
  m("azure-entra-user-inactive", ENTRA, [["signed in", "sign in", "inactive"]]),

  // --- Smaller services ---
  ...family(
    "azure-databricks",
    ["azure.databricks"],
    ["cmk-disabled", "public-ip", "public-network", "not-in-vpc"],
  ),
  ...family("azure-aisearch", ["azure.search"], ["public-network"]),
  ...family("azure-recovery", ["azure.recoveryservices"], ["backup-disabled"]),
];

/** The CIS "activity log alert" checks: one archetype per watched operation. */
function activityLogAlerts(): ArchetypeMatcher[] {
  const alert = ["alert", "alerts"];
  const create = ["create", "creation"];
  const remove = ["delete", "deletion", "deletions"];
  const subjects: [string, string[]][] = [
    ["policy-assignment", ["policy assignment"]],
    ["nsg", ["network security group", "nsg"]],
    ["public-ip", ["public ip"]],
    ["security-solution", ["security solution", "securitysolutions"]],
    ["sql-firewall", ["firewall rule", "firewall rules"]],
  ];
  return [
    ...subjects.map(([subject, words]) =>
      m(`azure-monitor-alert-${subject}-changes`, MONITOR, [alert, words, create]),
    ),
    ...subjects.map(([subject, words]) =>
      m(`azure-monitor-alert-${subject}-deletion`, MONITOR, [alert, words, remove]),
    ),
    m("azure-monitor-alert-service-health", MONITOR, [alert, ["service health"]]),
  ];
}
