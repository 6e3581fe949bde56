import { bundles, cisAzure } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";

const portal = "https://portal.azure.com/#@/resource{{resource.id}}";

/** Azure archetypes: storage, SQL, network, identity, logging, Key Vault, AKS, Functions. */
export const azureEntries: KnowledgeEntry[] = [
  {
    id: "azure-storage-public-blob",
    title: "Storage account allows public blob access",
    headline: "Storage account {{resource.name}} allows anonymous public access to blobs",
    risk: "Containers in {{resource.name}} can be set (or already are set) to let anyone on the internet read blobs without credentials.",
    impact:
      "Anonymous read access is a frequent cause of large data leaks; exposure of personal or confidential data triggers breach notification and fines.",
    intents: [
      "A container was opened to host public assets or share files",
      "The account predates the secure default",
    ],
    remediation: [
      "Set `allowBlobPublicAccess` to false on storage account {{resource.name}}; serve public assets through Azure CDN/Front Door with private origin access.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az storage account update --ids {{resource.id}} --allow-blob-public-access false",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "azurerm_storage_account" "this" {\n  name                            = "{{resource.shortId}}"\n  allow_nested_items_to_be_public = false\n  # …\n}',
      },
    ],
    controls: [...cisAzure("3.7"), ...bundles.publicData],
    consoleUrl: portal,
  },
  {
    id: "azure-storage-https-only-disabled",
    title: "Storage account accepts HTTP",
    headline:
      "Storage account {{resource.name}} accepts unencrypted HTTP requests (secure transfer not required)",
    risk: "Data and shared-access tokens for {{resource.name}} can travel in the clear and be intercepted.",
    impact: "Breaks encryption-in-transit commitments and exposes access tokens that grant further access.",
    intents: ["A legacy client could not use HTTPS", "Created with an old template"],
    remediation: ["Turn on 'Secure transfer required' (HTTPS only) for storage account {{resource.name}}."],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az storage account update --ids {{resource.id}} --https-only true",
      },
    ],
    controls: [...cisAzure("3.1"), ...bundles.encryptionInTransit],
    consoleUrl: portal,
  },
  {
    id: "azure-storage-tls-min-version",
    title: "Storage account allows old TLS",
    headline: "Storage account {{resource.name}} accepts TLS versions older than 1.2",
    risk: "Clients can connect to {{resource.name}} with TLS 1.0/1.1, which have known weaknesses.",
    impact: "Weak transport encryption fails PCI DSS and most customer security requirements.",
    intents: ["Left at the old default", "Kept for a legacy client"],
    remediation: ["Set the minimum TLS version of storage account {{resource.name}} to TLS1_2."],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az storage account update --ids {{resource.id}} --min-tls-version TLS1_2",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "azurerm_storage_account" "this" {\n  name            = "{{resource.shortId}}"\n  min_tls_version = "TLS1_2"\n  # …\n}',
      },
    ],
    controls: [...cisAzure("3.15"), ...bundles.encryptionInTransit],
    consoleUrl: portal,
  },
  {
    id: "azure-storage-network-unrestricted",
    title: "Storage account reachable from all networks",
    headline: "Storage account {{resource.name}} accepts connections from all networks",
    risk: "The data endpoints of {{resource.name}} are reachable from the whole internet; only keys and tokens protect them.",
    impact: "A leaked account key or SAS token is usable from anywhere.",
    intents: ["Network rules were never configured", "Opened for a service outside the virtual network"],
    remediation: [
      "Set the default network action of {{resource.name}} to Deny and allow only the required virtual networks, IP ranges or private endpoints.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az storage account update --ids {{resource.id}} --default-action Deny\naz storage account network-rule add --account-name {{resource.shortId}} --ip-address <allowed-cidr>",
      },
    ],
    controls: [...cisAzure("3.8"), ...bundles.inboundNetwork],
    consoleUrl: portal,
  },
  {
    id: "azure-sql-tde-disabled",
    title: "Azure SQL without transparent data encryption",
    headline: "Azure SQL database {{resource.name}} has transparent data encryption turned off",
    risk: "Database files, backups and logs of {{resource.name}} are stored unencrypted.",
    impact: "Regulated data at rest fails its encryption requirement; stolen backups are readable.",
    intents: ["TDE was disabled for a migration or performance test"],
    remediation: ["Turn transparent data encryption on for database {{resource.name}}."],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az sql db tde set --ids {{resource.id}} --status Enabled",
      },
    ],
    controls: [...cisAzure("4.1.5"), ...bundles.encryptionAtRest],
    consoleUrl: portal,
  },
  {
    id: "azure-sql-auditing-disabled",
    title: "Azure SQL auditing off",
    headline: "Azure SQL server {{resource.name}} has auditing turned off",
    risk: "Queries and logins on {{resource.name}} are not recorded.",
    impact: "You cannot detect or investigate data access, and auditors will find the gap.",
    intents: ["Auditing was seen as a cost without immediate benefit"],
    remediation: [
      "Enable server-level auditing on {{resource.name}} to a Log Analytics workspace or storage account with retention of at least 90 days.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az sql server audit-policy update --ids {{resource.id}} --state Enabled --lats Enabled --lawri <log-analytics-workspace-id>",
      },
    ],
    controls: [...cisAzure("4.1.1"), ...bundles.logging],
    consoleUrl: portal,
  },
  {
    id: "azure-sql-public-network-access",
    title: "Azure database open to any IP",
    headline:
      "Database server {{resource.name}} accepts connections from the internet (firewall open to any IP)",
    risk: "{{resource.name}} can be reached from anywhere, exposing it to password spraying and exploits.",
    impact: "An internet-reachable database is a direct path to mass data theft.",
    intents: [
      "A 0.0.0.0–255.255.255.255 rule was added to unblock a developer or a SaaS tool",
      "'Allow Azure services' was ticked for convenience",
    ],
    remediation: [
      "Delete firewall rules on {{resource.name}} that allow 0.0.0.0/0 (including AllowAllWindowsAzureIps), and use private endpoints or named IP ranges.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az sql server firewall-rule list --ids {{resource.id}} -o table\naz sql server firewall-rule delete --ids {{resource.id}}/firewallRules/<rule-name>\naz sql server update --ids {{resource.id}} --enable-public-network false",
      },
    ],
    controls: [...cisAzure("4.1.2"), ...bundles.inboundNetwork],
    consoleUrl: portal,
  },
  {
    id: "azure-nsg-ssh-open",
    title: "SSH open to the internet (NSG)",
    headline: "Network security group {{resource.name}} allows SSH (port 22) from the internet",
    risk: "VMs behind {{resource.name}} accept SSH from anywhere and face constant brute-force attempts.",
    impact: "One weak credential gives an attacker a foothold in your network.",
    intents: ["Opened for quick admin access and never closed", "Source set to Any instead of the VPN range"],
    remediation: [
      "Delete or restrict the inbound rule on {{resource.name}} allowing TCP 22 from Any/Internet; use Azure Bastion or just-in-time VM access.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az network nsg rule list --ids {{resource.id}} --query \"[?destinationPortRange=='22']\" -o table\naz network nsg rule update --ids {{resource.id}}/securityRules/<rule-name> --source-address-prefixes <vpn-cidr>",
      },
    ],
    controls: [...cisAzure("6.2"), ...bundles.inboundNetwork],
    consoleUrl: portal,
  },
  {
    id: "azure-nsg-rdp-open",
    title: "RDP open to the internet (NSG)",
    headline: "Network security group {{resource.name}} allows RDP (port 3389) from the internet",
    risk: "Windows VMs behind {{resource.name}} accept Remote Desktop from anywhere, a top ransomware entry point.",
    impact: "Compromise of an exposed VM often leads to ransomware across the estate.",
    intents: ["Opened for a vendor or remote admin", "Copied from a quickstart"],
    remediation: [
      "Delete or restrict the inbound rule on {{resource.name}} allowing TCP 3389 from Any/Internet; use Azure Bastion or just-in-time access.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az network nsg rule list --ids {{resource.id}} --query \"[?destinationPortRange=='3389']\" -o table\naz network nsg rule delete --ids {{resource.id}}/securityRules/<rule-name>",
      },
    ],
    controls: [...cisAzure("6.1"), ...bundles.inboundNetwork],
    consoleUrl: portal,
  },
  {
    id: "azure-nsg-flow-logs-disabled",
    title: "NSG flow logs off",
    headline: "Network security group {{resource.name}} has no flow logs",
    risk: "Traffic through {{resource.name}} is not recorded, hiding scans, lateral movement and exfiltration.",
    impact: "Investigations cannot reconstruct network activity.",
    intents: ["Network Watcher flow logs were never set up for this region"],
    remediation: [
      "Enable flow logs for {{resource.name}} (or VNet flow logs) to a storage account with retention of at least 90 days.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az network watcher flow-log create --location {{resource.region}} --name {{resource.shortId}}-flowlog --nsg {{resource.id}} --storage-account <storage-account-id> --retention 90",
      },
    ],
    controls: bundles.logging,
    consoleUrl: portal,
  },
  {
    id: "azure-subscription-owner-sprawl",
    title: "Too many subscription owners",
    headline: "Subscription {{resource.accountName}} has Owner granted to more principals than needed",
    risk: "Every Owner of {{resource.accountName}} can change anything, including access and security settings; each one is a takeover path.",
    impact: "A compromised owner account means full control of the subscription's data and resources.",
    intents: [
      "Owner granted to unblock teams instead of scoped roles",
      "Former staff or old service principals never removed",
    ],
    remediation: [
      "Review Owner assignments on {{resource.accountName}}; keep at most three, move others to Contributor or narrower roles, and put the remaining owners under PIM just-in-time activation.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az role assignment list --role Owner --scope /subscriptions/{{resource.accountId}} -o table\naz role assignment delete --assignee <principal-id> --role Owner --scope /subscriptions/{{resource.accountId}}",
      },
    ],
    controls: bundles.leastPrivilege,
    consoleUrl: "https://portal.azure.com/#@/resource/subscriptions/{{resource.accountId}}/users",
  },
  {
    id: "azure-user-mfa-disabled",
    title: "Azure user without MFA",
    headline: "User {{resource.name}} can sign in without multi-factor authentication",
    risk: "A phished or reused password is enough to sign in as {{resource.name}}.",
    impact: "Account takeover with the user's roles, often privileged in Azure.",
    intents: [
      "Excluded from the Conditional Access policy during onboarding",
      "A shared or break-glass account without a reviewed exception",
    ],
    remediation: [
      "Require MFA for {{resource.name}} through a Conditional Access policy covering all users (exclude only reviewed break-glass accounts).",
    ],
    snippets: [
      {
        language: "text",
        label: "Portal steps",
        code: "Entra ID → Protection → Conditional Access → New policy: Users = All users (exclude break-glass), Target resources = All cloud apps, Grant = Require multifactor authentication → On.",
      },
    ],
    controls: bundles.mfa,
    consoleUrl: "https://portal.azure.com/#view/Microsoft_AAD_ConditionalAccess/ConditionalAccessBlade",
  },
  {
    id: "azure-activity-log-diagnostics-missing",
    title: "Activity log not exported",
    headline: "Subscription {{resource.accountName}} has no diagnostic setting exporting the activity log",
    risk: "Control-plane changes in {{resource.accountName}} are kept only 90 days and are not sent to your SIEM.",
    impact: "Incidents found late cannot be investigated, and audit evidence is lost.",
    intents: ["Diagnostic settings were never configured for this subscription"],
    remediation: [
      "Create a subscription diagnostic setting that sends Administrative, Security, Policy and Alert categories to a Log Analytics workspace or storage account.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: 'az monitor diagnostic-settings subscription create --name activity-to-law --location {{resource.region}} \\\n  --workspace <log-analytics-workspace-id> \\\n  --logs \'[{"category":"Administrative","enabled":true},{"category":"Security","enabled":true},{"category":"Policy","enabled":true},{"category":"Alert","enabled":true}]\'',
      },
    ],
    controls: [...cisAzure("5.1.1"), ...bundles.logging],
    consoleUrl:
      "https://portal.azure.com/#view/Microsoft_Azure_Monitoring/AzureMonitoringBrowseBlade/~/activityLog",
  },
  {
    id: "azure-keyvault-purge-protection-disabled",
    title: "Key Vault without purge protection",
    headline: "Key Vault {{resource.name}} does not have purge protection enabled",
    risk: "Keys and secrets in {{resource.name}} can be permanently deleted, by mistake or by an attacker, with no recovery.",
    impact:
      "Losing an encryption key makes the data it protects unreadable for good; losing secrets breaks applications.",
    intents: ["Left off so test vaults could be deleted and recreated quickly"],
    remediation: [
      "Enable purge protection (with soft delete) on Key Vault {{resource.name}}; it cannot be turned off afterwards.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az keyvault update --name {{resource.shortId}} --enable-purge-protection true",
      },
      {
        language: "hcl",
        label: "Terraform",
        code: 'resource "azurerm_key_vault" "this" {\n  name                     = "{{resource.shortId}}"\n  purge_protection_enabled = true\n  # …\n}',
      },
    ],
    controls: [...cisAzure("8.5"), ...bundles.keyManagement, ...bundles.backup],
    consoleUrl: portal,
  },
  {
    id: "azure-aks-public-api",
    title: "AKS API server public",
    headline: "AKS cluster {{resource.name}} exposes its API server to the internet without IP restrictions",
    risk: "The control plane of {{resource.name}} can be reached from anywhere; stolen credentials or API flaws are directly exploitable.",
    impact: "Cluster takeover exposes every workload and secret in it.",
    intents: ["Public API is the default", "Engineers connect from home without a VPN"],
    remediation: [
      "Restrict the API server of {{resource.name}} to authorized IP ranges, or make it a private cluster.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az aks update --ids {{resource.id}} --api-server-authorized-ip-ranges <vpn-cidr>",
      },
    ],
    controls: bundles.inboundNetwork,
    consoleUrl: portal,
  },
  {
    id: "azure-function-anonymous-access",
    title: "Function or web app without authentication",
    headline: "App {{resource.name}} accepts anonymous requests",
    risk: "Anyone can call {{resource.name}} without identifying themselves, running its code with its managed identity.",
    impact: "Abuse can leak data the app reaches or trigger costly or destructive operations.",
    intents: ["A webhook or prototype exposed with authLevel anonymous", "Authentication planned for later"],
    remediation: [
      "Turn on App Service authentication (Entra ID) for {{resource.name}}, or set HTTP triggers to function-level keys behind API Management.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az webapp auth update --ids {{resource.id}} --enabled true --action LoginWithAzureActiveDirectory",
      },
    ],
    controls: bundles.publicData,
    consoleUrl: portal,
  },
  {
    id: "azure-vm-disk-unencrypted",
    title: "VM disk without encryption",
    headline: "Disk or VM {{resource.name}} is not encrypted with the required keys",
    risk: "Data on {{resource.name}} and its snapshots is not protected by the encryption your policy requires.",
    impact:
      "Copies of the disk leave your control unprotected; regulated data fails its encryption requirement.",
    intents: ["Created before the encryption standard", "Customer-managed keys planned but not set up"],
    remediation: [
      "Enable encryption at host or a disk encryption set with a customer-managed key for {{resource.name}}.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az vm update --ids {{resource.id}} --set securityProfile.encryptionAtHost=true",
      },
    ],
    controls: bundles.encryptionAtRest,
    consoleUrl: portal,
  },
  {
    id: "azure-defender-disabled",
    title: "Microsoft Defender plan off",
    headline: "A Microsoft Defender for Cloud plan is off in subscription {{resource.accountName}}",
    risk: "Threat detection for the affected resource type is not running in {{resource.accountName}}.",
    impact: "Attacks on those resources go unnoticed for longer.",
    intents: ["Left on the free tier after a cost review"],
    remediation: [
      "Turn on the relevant Defender plan (e.g. Servers, Storage, SQL, Containers) for {{resource.accountName}}.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Azure CLI",
        code: "az security pricing create --name <plan, e.g. VirtualMachines> --tier Standard --subscription {{resource.accountId}}",
      },
    ],
    controls: bundles.threatDetection,
    consoleUrl:
      "https://portal.azure.com/#view/Microsoft_Azure_Security/SecurityMenuBlade/~/EnvironmentSettings",
  },
];
