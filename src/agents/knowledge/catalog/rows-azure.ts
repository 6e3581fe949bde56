import type { CatalogRow } from "./build.js";

const az = (code: string) => ({ language: "bash", label: "Azure CLI", code });

/** Azure catalog archetypes written by hand (the shared problem kinds cover the rest). */
export const azureRows: readonly CatalogRow[] = [
  // --- Monitoring ---
  [
    "azure-monitor-diagnostic-categories-incomplete",
    "logging",
    "exports an activity log without all of the Administrative, Security, Alert and Policy categories",
    "Edit the subscription's activity-log diagnostic setting to include the Administrative, Security, Alert and Policy categories.",
    { noun: "Azure subscription" },
  ],
  [
    "azure-monitor-log-retention-short",
    "kind",
    "keeps its activity log for less than a year",
    "Keep the subscription's activity log for at least 365 days (Log Analytics retention or an archive storage account with a lifecycle rule).",
    { noun: "Azure subscription" },
  ],
  [
    "azure-appinsights-missing",
    "logging",
    "has no Application Insights resource",
    "Create an Application Insights resource (workspace-based) and connect the subscription's applications to it.",
    { noun: "Azure subscription" },
  ],

  // --- Storage ---
  [
    "azure-storage-sas-http-allowed",
    "transit",
    "issues shared access signatures that work over HTTP",
    "Issue SAS tokens for storage account {{resource.name}} with the HTTPS-only protocol (spr=https), and turn on secure transfer required.",
  ],
  [
    "azure-storage-sas-expiry-long",
    "credentials",
    "issues long-lived shared access signatures",
    "Set a SAS expiration policy of one hour or less on storage account {{resource.name}} and prefer user-delegation SAS.",
    {
      snippet: az(
        "az storage account update --name {{resource.shortId}} --resource-group <rg> --sas-expiration-period 0.01:00:00 --key-exp-days 90",
      ),
    },
  ],
  [
    "azure-storage-public-network-access",
    "exposure",
    "has public network access enabled",
    "Disable public network access on storage account {{resource.name}} and reach it through private endpoints.",
    {
      snippet: az(
        "az storage account update --name {{resource.shortId}} --resource-group <rg> --public-network-access Disabled",
      ),
    },
  ],
  [
    "azure-storage-smb-weak-encryption",
    "transit",
    "allows weak SMB channel encryption",
    "Limit the SMB channel encryption of storage account {{resource.name}}'s file shares to AES-256-GCM.",
  ],
  [
    "azure-storage-smb-outdated",
    "transit",
    "allows old SMB protocol versions",
    "Allow only SMB 3.1.1 on the file shares of storage account {{resource.name}}.",
  ],
  [
    "azure-storage-shared-key-access-enabled",
    "credentials",
    "allows shared-key (account key) access",
    "Turn off shared key access on storage account {{resource.name}} after moving clients to Entra ID authentication.",
    {
      snippet: az(
        "az storage account update --name {{resource.shortId}} --resource-group <rg> --allow-shared-key-access false",
      ),
    },
  ],
  [
    "azure-storage-access-key-rotation-disabled",
    "credentials",
    "does not rotate its access keys",
    "Set a key expiration policy of 90 days or less on storage account {{resource.name}} and rotate both keys (or disable shared-key access).",
  ],
  [
    "azure-storage-entra-authorization-disabled",
    "credentials",
    "does not use Entra ID authorization by default",
    "Turn on 'default to Microsoft Entra authorization' for storage account {{resource.name}}.",
  ],
  [
    "azure-storage-trusted-services-blocked",
    "resilience",
    "blocks trusted Microsoft services",
    "Allow trusted Microsoft services to access storage account {{resource.name}} (network rules bypass AzureServices) so backup and logging keep working with the firewall on.",
  ],
  [
    "azure-storage-infrastructure-encryption-disabled",
    "encryption",
    "has infrastructure (double) encryption turned off",
    "Create the data in a storage account with infrastructure encryption enabled (it can only be set at creation) and migrate from {{resource.name}}.",
  ],
  [
    "azure-storage-geo-redundancy-disabled",
    "resilience",
    "does not replicate to a second region",
    "Change the redundancy of storage account {{resource.name}} to GRS or GZRS (RA- variants for read access during an outage).",
  ],
  [
    "azure-storage-file-share-soft-delete-disabled",
    "backup",
    "has soft delete for file shares turned off",
    "Enable soft delete for file shares on storage account {{resource.name}} with at least 7 days of retention.",
  ],

  // --- Databases ---
  [
    "azure-sql-vulnerability-assessment-disabled",
    "patching",
    "has vulnerability assessment off or without recurring scans and recipients",
    "Enable vulnerability assessment on SQL server {{resource.name}} with recurring scans and report emails to the owners and subscription admins.",
  ],
  [
    "azure-sql-threat-detection-retention-short",
    "logging",
    "keeps threat detection records for less than 90 days",
    "Set the retention of the threat-detection and audit logs of SQL server {{resource.name}} to more than 90 days.",
  ],
  [
    "azure-sql-threat-alerts-unrouted",
    "alerting",
    "does not send its threat alerts to anyone",
    "Configure the alert recipients of Microsoft Defender for SQL on {{resource.name}} (security team mailbox, and subscription owners and admins).",
  ],
  [
    "azure-sql-defender-disabled",
    "detection",
    "has Microsoft Defender for SQL (threat detection) turned off",
    "Turn on Microsoft Defender for SQL for server {{resource.name}} (or the subscription's Defender for Azure SQL plan).",
  ],
  [
    "azure-postgresql-geo-backup-disabled",
    "backup",
    "keeps its backups in one region only (geo-redundant backup off)",
    "Recreate PostgreSQL server {{resource.name}} from a backup with geo-redundant backup storage enabled (it can only be chosen at creation), then switch clients over.",
  ],
  [
    "azure-mysql-geo-backup-disabled",
    "backup",
    "keeps its backups in one region only (geo-redundant backup off)",
    "Recreate MySQL server {{resource.name}} from a backup with geo-redundant backup storage enabled (it can only be chosen at creation), then switch clients over.",
  ],
  [
    "azure-postgresql-connection-throttling-disabled",
    "hardening",
    "has connection_throttling turned off",
    "Set the server parameter connection_throttle.enable (connection_throttling) to ON on PostgreSQL server {{resource.name}}.",
    {
      snippet: az(
        "az postgres flexible-server parameter set --resource-group <rg> --server-name {{resource.shortId}} --name connection_throttle.enable --value on",
      ),
    },
  ],
  [
    "azure-postgresql-log-checkpoints-disabled",
    "logging",
    "has log_checkpoints turned off",
    "Set the server parameter log_checkpoints to ON on PostgreSQL server {{resource.name}}.",
    {
      snippet: az(
        "az postgres flexible-server parameter set --resource-group <rg> --server-name {{resource.shortId}} --name log_checkpoints --value on",
      ),
    },
  ],
  [
    "azure-postgresql-log-disconnections-disabled",
    "logging",
    "has log_disconnections turned off",
    "Set the server parameter log_disconnections to ON on PostgreSQL server {{resource.name}}.",
  ],
  [
    "azure-postgresql-log-connections-disabled",
    "logging",
    "has log_connections turned off",
    "Set the server parameter log_connections to ON on PostgreSQL server {{resource.name}}.",
  ],

  // --- Key Vault ---
  [
    "azure-keyvault-rbac-disabled",
    "identity",
    "uses access policies instead of Azure RBAC",
    "Switch Key Vault {{resource.name}} to the Azure RBAC permission model after mapping its access policies to role assignments.",
    { snippet: az("az keyvault update --name {{resource.shortId}} --enable-rbac-authorization true") },
  ],

  // --- Network ---
  [
    "azure-network-subnet-nsg-missing",
    "exposure",
    "has no network security group",
    "Associate a network security group with subnet {{resource.name}} that allows only the traffic the subnet needs.",
    { noun: "subnet" },
  ],
  [
    "azure-nsg-flow-log-retention-short",
    "logging",
    "keeps NSG flow logs for less than 90 days",
    "Set the retention of the flow logs of {{resource.name}} to 90 days or more (or 0, meaning forever, with a lifecycle rule on the storage account).",
    { noun: "Network Watcher flow log" },
  ],
  [
    "azure-network-ddos-protection-disabled",
    "resilience",
    "has no Azure DDoS Network Protection",
    "Attach a DDoS protection plan to virtual network {{resource.name}} if it hosts internet-facing services.",
  ],
  [
    "azure-network-watcher-disabled",
    "logging",
    "has no Network Watcher in every region in use",
    "Enable Network Watcher in every region the subscription uses.",
    { noun: "Azure subscription" },
  ],
  [
    "azure-network-bastion-missing",
    "exposure",
    "has no Azure Bastion host for administration",
    "Deploy Azure Bastion and close direct RDP and SSH from the internet.",
    { noun: "Azure subscription" },
  ],

  // --- Compute ---
  [
    "azure-vm-disk-cmk-disabled",
    "encryption",
    "has disks not encrypted with a customer-managed key",
    "Create a disk encryption set with your Key Vault key and assign it to the disks of {{resource.name}} (deallocate the VM first for OS disks).",
  ],
  [
    "azure-vm-unmanaged-disks",
    "resilience",
    "uses unmanaged disks",
    "Convert the disks of virtual machine {{resource.name}} to managed disks.",
    {
      snippet: az(
        "az vm deallocate --resource-group <rg> --name {{resource.shortId}}\naz vm convert --resource-group <rg> --name {{resource.shortId}}",
      ),
    },
  ],
  [
    "azure-vm-trusted-launch-disabled",
    "hardening",
    "does not use Trusted Launch (Secure Boot and vTPM)",
    "Enable Trusted Launch with Secure Boot and vTPM on virtual machine {{resource.name}} (Gen2 image required).",
  ],
  [
    "azure-vm-jit-disabled",
    "exposure",
    "has no just-in-time VM access",
    "Enable just-in-time access in Defender for Cloud for virtual machine {{resource.name}} and close its management ports by default.",
  ],
  [
    "azure-vm-unapproved-image",
    "hardening",
    "runs from an image that is not approved",
    "Rebuild virtual machine {{resource.name}} from an approved, hardened image from your compute gallery.",
  ],
  [
    "azure-vm-unapproved-extensions",
    "hardening",
    "has VM extensions that are not approved",
    "Remove the extensions of virtual machine {{resource.name}} that are not on your approved list.",
  ],
  [
    "azure-vm-endpoint-protection-missing",
    "detection",
    "has no endpoint protection installed",
    "Onboard virtual machine {{resource.name}} to Microsoft Defender for Endpoint (or your EDR) and confirm it reports healthy.",
  ],
  [
    "azure-vm-system-updates-missing",
    "patching",
    "is missing system updates",
    "Apply the missing OS updates to virtual machine {{resource.name}} with Azure Update Manager and schedule them from now on.",
  ],
  [
    "azure-vm-vulnerability-assessment-missing",
    "patching",
    "has no vulnerability assessment solution",
    "Enable the Defender for Servers vulnerability assessment on virtual machine {{resource.name}}.",
  ],
  [
    "azure-vm-adaptive-application-controls-disabled",
    "hardening",
    "has no adaptive application controls",
    "Turn on adaptive application controls in Defender for Cloud for the machine group of {{resource.name}}.",
  ],
  [
    "azure-vmss-load-balancer-missing",
    "resilience",
    "is not behind a load balancer",
    "Add virtual machine scale set {{resource.name}} to a load balancer backend pool with a health probe.",
  ],

  // --- Containers ---
  [
    "azure-aks-defender-disabled",
    "detection",
    "has the Microsoft Defender profile turned off",
    "Enable the Defender security profile on AKS cluster {{resource.name}}.",
    { snippet: az("az aks update --resource-group <rg> --name {{resource.shortId}} --enable-defender") },
  ],
  [
    "azure-aks-local-accounts-enabled",
    "credentials",
    "allows local (non-Entra) cluster accounts",
    "Disable local accounts on AKS cluster {{resource.name}} and use Entra ID with Kubernetes RBAC.",
    {
      snippet: az("az aks update --resource-group <rg> --name {{resource.shortId}} --disable-local-accounts"),
    },
  ],
  [
    "azure-aks-rbac-disabled",
    "identity",
    "has Kubernetes RBAC turned off",
    "Recreate AKS cluster {{resource.name}} with Kubernetes RBAC and Entra ID integration (RBAC cannot be enabled in place).",
  ],
  [
    "azure-aks-network-policy-disabled",
    "exposure",
    "does not enforce network policies",
    "Enable a network policy engine (Azure or Calico) on AKS cluster {{resource.name}} and add default-deny policies per namespace.",
  ],
  [
    "azure-acr-admin-user-enabled",
    "credentials",
    "has the admin user enabled",
    "Disable the admin user of container registry {{resource.name}} and use Entra ID identities or tokens scoped to repositories.",
    { snippet: az("az acr update --name {{resource.shortId}} --admin-enabled false") },
  ],
  [
    "azure-defender-container-scanning-disabled",
    "patching",
    "does not scan container images for vulnerabilities",
    "Turn on container vulnerability assessment (Defender for Containers or Defender CSPM) in the subscription.",
  ],
  [
    "azure-container-images-vulnerable",
    "patching",
    "runs container images with unresolved vulnerabilities",
    "Rebuild the vulnerable images on patched base images, push them and redeploy the workloads that run them.",
  ],

  // --- App Service ---
  [
    "azure-app-identity-admin-privileges",
    "identity",
    "has a managed identity with Owner, Contributor or access-administrator roles",
    "Replace the broad role assignments of the managed identity of {{resource.name}} with roles scoped to the resources it uses.",
  ],
  [
    "azure-app-managed-identity-missing",
    "credentials",
    "has no managed identity",
    "Turn on a managed identity for {{resource.name}} and use it instead of secrets in app settings.",
    { snippet: az("az webapp identity assign --resource-group <rg> --name {{resource.shortId}}") },
  ],
  [
    "azure-app-client-certificates-disabled",
    "credentials",
    "does not require client certificates",
    "Turn on 'incoming client certificates: require' for {{resource.name}} if callers are known systems.",
  ],
  [
    "azure-app-ftp-enabled",
    "transit",
    "allows FTP deployment",
    "Set the FTP state of {{resource.name}} to Disabled (or FTPS only).",
    {
      snippet: az(
        "az webapp config set --resource-group <rg> --name {{resource.shortId}} --ftps-state Disabled",
      ),
    },
  ],
  [
    "azure-app-http2-disabled",
    "hardening",
    "has HTTP/2 turned off",
    "Turn on HTTP/2 for {{resource.name}}.",
    {
      snippet: az(
        "az webapp config set --resource-group <rg> --name {{resource.shortId}} --http20-enabled true",
      ),
    },
  ],
  [
    "azure-app-insecure-transport",
    "kind",
    "does not redirect HTTP to HTTPS",
    "Turn on HTTPS Only for {{resource.name}}.",
    { snippet: az("az webapp update --resource-group <rg> --name {{resource.shortId}} --https-only true") },
  ],
  [
    "azure-app-tls-outdated",
    "kind",
    "accepts TLS versions older than 1.2",
    "Set the minimum TLS version of {{resource.name}} to 1.2.",
    {
      snippet: az(
        "az webapp config set --resource-group <rg> --name {{resource.shortId}} --min-tls-version 1.2",
      ),
    },
  ],
  [
    "azure-function-access-keys-missing",
    "credentials",
    "has no function keys for its HTTP triggers",
    "Set the authorization level of the HTTP triggers of {{resource.name}} to function (with keys kept in Key Vault) or put App Service authentication in front.",
    { noun: "Function app" },
  ],

  // --- Defender and policy ---
  [
    "azure-defender-notifications-incomplete",
    "alerting",
    "has incomplete security contact notifications",
    "Set the Defender for Cloud security contact of the subscription: a team email, a phone number, alert notifications at High severity or lower, attack-path notifications, and notifications to the Owner role.",
  ],
  [
    "azure-defender-auto-provisioning-disabled",
    "detection",
    "does not provision monitoring agents automatically",
    "Turn on auto-provisioning of the monitoring agent and vulnerability assessment in Defender for Cloud for the subscription.",
  ],
  [
    "azure-policy-security-center-not-enforced",
    "governance",
    "has the Defender for Cloud default policy not enforced",
    "Set the enforcement mode of the Microsoft cloud security benchmark policy assignment of the subscription to Default.",
    { noun: "Azure subscription" },
  ],

  // --- Identity ---
  [
    "azure-iam-custom-role-resource-locks",
    "identity",
    "lets a custom role manage resource locks",
    "Remove Microsoft.Authorization/locks/* from custom role {{resource.name}} unless it is the role meant to administer locks.",
  ],
  [
    "azure-resource-lock-missing",
    "resilience",
    "has no resource lock",
    "Add a CanNotDelete lock to {{resource.name}} if it is mission-critical.",
    { snippet: az("az lock create --name protect --lock-type CanNotDelete --resource <resource-id>") },
  ],
  [
    "azure-iam-custom-owner-role",
    "identity",
    "defines a custom role with subscription owner rights",
    "Delete custom role {{resource.name}} (actions '*' at subscription scope) and use built-in roles with least privilege.",
  ],
  [
    "azure-iam-user-access-administrator",
    "identity",
    "grants the User Access Administrator role",
    "Remove the User Access Administrator assignment {{resource.name}} unless it is time-bound through Privileged Identity Management.",
    { noun: "role assignment" },
  ],
  [
    "azure-entra-conditional-access-mfa-missing",
    "credentials",
    "has no Conditional Access policy requiring MFA for admin portals and Azure management",
    "Create a Conditional Access policy in tenant {{resource.name}} that requires MFA for all users on Microsoft Admin Portals and Windows Azure Service Management API.",
  ],
  [
    "azure-entra-app-credential-expired",
    "credentials",
    "has app registration credentials that expired or expire soon",
    "Rotate the client secrets or certificates of app registration {{resource.name}}, prefer certificates or managed identities, and remove the expired ones.",
    { noun: "app registration" },
  ],
  [
    "azure-entra-too-many-global-admins",
    "identity",
    "has five or more Global Administrators",
    "Reduce Global Administrators in tenant {{resource.name}} to fewer than five (and at least two), using narrower admin roles and PIM for the rest.",
  ],
  [
    "azure-entra-users-can-create-groups",
    "governance",
    "lets ordinary users create security or Microsoft 365 groups",
    "Turn off group creation for non-admin users in tenant {{resource.name}}.",
  ],
  [
    "azure-entra-users-can-register-apps",
    "identity",
    "lets ordinary users register applications",
    "Set 'Users can register applications' to No in tenant {{resource.name}}.",
  ],
  [
    "azure-entra-users-can-create-tenants",
    "governance",
    "lets ordinary users create tenants",
    "Restrict tenant creation to administrators in tenant {{resource.name}}.",
  ],
  [
    "azure-entra-guest-invites-unrestricted",
    "identity",
    "lets anyone invite guests",
    "Restrict guest invitations in tenant {{resource.name}} to users with specific admin roles.",
  ],
  [
    "azure-entra-guest-access-unrestricted",
    "identity",
    "lets guests see more of the directory than their own objects",
    "Set guest user access in tenant {{resource.name}} to 'restricted to properties and memberships of their own directory objects'.",
  ],
  [
    "azure-entra-user-consent-allowed",
    "identity",
    "lets users consent to applications",
    "Disable user consent (or allow it only for verified publishers and low-risk permissions) in tenant {{resource.name}}, with an admin consent workflow.",
  ],
  [
    "azure-entra-security-defaults-disabled",
    "credentials",
    "has Security Defaults turned off without Conditional Access in place",
    "Turn on Security Defaults in tenant {{resource.name}}, or cover the same protections with Conditional Access policies.",
  ],
  [
    "azure-entra-named-locations-missing",
    "credentials",
    "has no trusted named locations",
    "Define trusted named locations (office and VPN ranges) in tenant {{resource.name}} for Conditional Access.",
  ],
  [
    "azure-entra-user-inactive",
    "credentials",
    "has an enabled user who has not signed in for 90 days",
    "Disable user {{resource.name}} after confirming with their manager, and remove their role assignments.",
    { noun: "Entra ID user" },
  ],
];
