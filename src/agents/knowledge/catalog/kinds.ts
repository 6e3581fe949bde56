import type { Control } from "../../../core/finding.js";
import { bundles } from "../controls.js";

/**
 * The prose of one problem kind, written once for every service it applies to. `%n` is the service's
 * noun ("RDS database"), `%N` the same with a capital; `{{…}}` placeholders are filled per case.
 */
export interface KindProse {
  /** What is wrong, after "<noun> <name> ", e.g. "has deletion protection turned off". */
  what: string;
  risk: string;
  impact: string;
  intents: string[];
  /** One or two concrete steps. */
  fix: string[];
  /** A default snippet: a short checklist when no command is known for the service. */
  snippet: { language: string; label: string; code: string };
  controls: Control[];
}

const steps = (...lines: string[]) => ({
  language: "text",
  label: "Steps",
  code: lines.map((line, index) => `${index + 1}. ${line}`).join("\n"),
});

/** One problem kind per archetype-id suffix shared by many services (see `kindKeywords` in core). */
export const kinds: Record<string, KindProse> = {
  "public-snapshot": {
    what: "has a snapshot or image shared publicly",
    risk: "Any account on the platform can copy the public snapshot of {{resource.name}} and read every byte that was in it, including data, credentials and keys.",
    impact:
      "A public snapshot is a full copy of the data; finding one is routine for scanners and counts as a data breach.",
    intents: [
      "Shared publicly to move data to another account, instead of sharing with that account alone",
      "A public share made for a test that was never reverted",
    ],
    fix: [
      "Make the snapshots of %n {{resource.name}} private again, and share them only with named accounts that need them.",
    ],
    snippet: steps(
      "List the snapshots of {{resource.name}} and their sharing attributes.",
      "Remove the public ('all') permission from each.",
      "Share with specific account ids only where needed.",
    ),
    controls: bundles.publicData,
  },
  "snapshot-unencrypted": {
    what: "has snapshots that are not encrypted",
    risk: "Unencrypted snapshots of {{resource.name}} can be copied and read by anyone who obtains access to them, without any key to revoke.",
    impact:
      "Backups carry the same data as production; unencrypted copies fail encryption-at-rest requirements.",
    intents: ["Taken from an unencrypted source, so the copies are unencrypted too"],
    fix: [
      "Copy each unencrypted snapshot of %n {{resource.name}} to a new snapshot encrypted with your KMS key, then delete the unencrypted ones.",
    ],
    snippet: steps(
      "List unencrypted snapshots of {{resource.name}}.",
      "Copy each with encryption on and your customer-managed key.",
      "Delete the unencrypted originals after checking the copies.",
    ),
    controls: bundles.encryptionAtRest,
  },
  "copy-tags-disabled": {
    what: "does not copy its tags to snapshots or backups",
    risk: "Backups of {{resource.name}} lose the owner, classification and cost tags, so nobody can tell who owns them or how sensitive they are.",
    impact: "Untagged copies escape data-classification rules, retention policies and cost reports.",
    intents: ["The option defaults to off and was never changed"],
    fix: ["Turn on copying of tags to snapshots and backups for %n {{resource.name}}."],
    snippet: steps("Edit {{resource.name}}.", "Enable 'copy tags to snapshots/backups'.", "Save."),
    controls: bundles.configurationMonitoring,
  },
  "cert-expiring": {
    what: "uses a certificate that is expired or about to expire",
    risk: "When the certificate of {{resource.name}} expires, clients refuse to connect or, worse, users learn to click through warnings.",
    impact:
      "An expired certificate is an outage for every client of the service and a common cause of emergency changes.",
    intents: ["Renewal was manual and nobody owns the calendar entry"],
    fix: [
      "Renew or replace the certificate used by %n {{resource.name}} and switch to a managed, auto-renewing certificate where possible.",
    ],
    snippet: steps(
      "Check the certificate's expiry date on {{resource.name}}.",
      "Issue a new certificate (prefer a managed, auto-renewing one).",
      "Attach it and confirm clients connect.",
    ),
    controls: bundles.encryptionInTransit,
  },
  "cross-account-access": {
    what: "grants access to other accounts or tenants",
    risk: "The resource policy of {{resource.name}} lets principals outside your account or organization use it; if that party is compromised or untrusted, so is the data.",
    impact: "Access outside your control boundary bypasses your own identity controls and audit.",
    intents: [
      "Shared with a partner or another team's account for an integration",
      "A broad principal written for convenience",
    ],
    fix: [
      "Remove the statements in the policy of %n {{resource.name}} that allow principals outside your organization, or restrict them with an organization-id condition.",
    ],
    snippet: steps(
      "Read the resource policy of {{resource.name}}.",
      "List every external account or tenant it names.",
      "Remove the ones not approved, or add an organization condition.",
    ),
    controls: bundles.leastPrivilege,
  },
  "cmk-disabled": {
    what: "is not encrypted with a customer-managed key",
    risk: "Data in {{resource.name}} is encrypted with a provider-owned key, so you cannot control, audit or revoke access to the key yourself.",
    impact:
      "Regulated data often requires keys you control; without one you cannot crypto-shred the data or separate key admins from data users.",
    intents: ["Created with the default encryption", "A customer-managed key was planned but never wired in"],
    fix: [
      "Encrypt %n {{resource.name}} with a customer-managed key (AWS KMS, Azure Key Vault or Cloud KMS) that has rotation on; for services that fix the key at creation, create an encrypted copy and switch over.",
    ],
    snippet: steps(
      "Create or pick a customer-managed key with rotation on.",
      "Set it as the encryption key of {{resource.name}} (or restore a copy encrypted with it).",
      "Grant the service, and only the service, use of the key.",
    ),
    controls: [...bundles.encryptionAtRest, ...bundles.keyManagement],
  },
  "tls-outdated": {
    what: "allows outdated TLS versions or weak ciphers",
    risk: "Clients can connect to {{resource.name}} with old protocol versions or ciphers that have known weaknesses, so traffic may be decrypted or tampered with.",
    impact: "Weak TLS fails PCI DSS and most security baselines, and is flagged by every external scan.",
    intents: [
      "Kept for old clients that could not use TLS 1.2",
      "The default security policy was older when it was created",
    ],
    fix: [
      "Set the minimum TLS version of %n {{resource.name}} to 1.2 (1.3 where supported) and choose the provider's current recommended security policy.",
    ],
    snippet: steps(
      "Check which clients still use TLS 1.0/1.1 (access logs).",
      "Set minimum TLS 1.2 and the current recommended cipher policy on {{resource.name}}.",
      "Re-test with an external TLS scanner.",
    ),
    controls: bundles.encryptionInTransit,
  },
  "insecure-transport": {
    what: "does not enforce encryption in transit (TLS/HTTPS)",
    risk: "Data sent to or from {{resource.name}} can travel unencrypted, so anyone on the network path can read or change it.",
    impact:
      "Unencrypted traffic exposes credentials and data and breaks encryption-in-transit commitments (PCI DSS 4.2, HIPAA).",
    intents: [
      "Encryption in transit was optional and left off",
      "A client that could not speak TLS was supported",
    ],
    fix: [
      "Turn on and require TLS for %n {{resource.name}} (HTTPS-only listeners or redirects, TLS-required connection settings, encryption in transit).",
    ],
    snippet: steps(
      "Enable encryption in transit / HTTPS-only on {{resource.name}}.",
      "Reject or redirect plain-text connections.",
      "Update clients to connect with TLS.",
    ),
    controls: bundles.encryptionInTransit,
  },
  unencrypted: {
    what: "is not encrypted at rest",
    risk: "Data stored by {{resource.name}} is not encrypted at rest, so a leaked disk, backup or storage-level access exposes it in clear text.",
    impact:
      "Unencrypted data fails encryption-at-rest requirements for regulated data and weakens your position after an incident.",
    intents: ["Created before encryption was the default", "Encryption was left optional in the template"],
    fix: [
      "Turn on encryption at rest for %n {{resource.name}} with a KMS key; where encryption can only be set at creation, create an encrypted copy and switch over.",
    ],
    snippet: steps(
      "Enable encryption at rest on {{resource.name}} (KMS key).",
      "If the service needs it at creation: create an encrypted copy, migrate, delete the old one.",
      "Make encryption mandatory in your templates.",
    ),
    controls: bundles.encryptionAtRest,
  },
  "iam-auth-disabled": {
    what: "does not use central identity (IAM / Entra ID) authentication",
    risk: "People and applications sign in to {{resource.name}} with local passwords that are not governed by your identity provider, MFA or offboarding.",
    impact: "Local accounts are shared, rarely rotated and survive when people leave.",
    intents: [
      "Local users were simpler to set up",
      "Central authentication needed a change in the application",
    ],
    fix: [
      "Enable IAM / Entra ID authentication on %n {{resource.name}}, move users and applications to it, and retire the local accounts.",
    ],
    snippet: steps(
      "Enable IAM/Entra ID authentication on {{resource.name}}.",
      "Create roles for the applications and people that connect.",
      "Disable or remove the local accounts.",
    ),
    controls: [...bundles.credentialHygiene, ...bundles.leastPrivilege],
  },
  "auth-disabled": {
    what: "accepts requests without proper authentication",
    risk: "Anyone who can reach {{resource.name}} can call it without proving who they are, so its data and actions are open to them.",
    impact: "Unauthenticated access is a direct path to data exposure and abuse, billed to you.",
    intents: [
      "Left open while an integration was built",
      "Authentication was expected to be handled elsewhere",
    ],
    fix: [
      "Require authentication on %n {{resource.name}} (an authorizer, identity provider, or credentials), and deny anonymous and guest access.",
    ],
    snippet: steps(
      "Turn on the authentication option of {{resource.name}}.",
      "Give legitimate callers credentials or identities.",
      "Verify an anonymous request is now rejected.",
    ),
    controls: bundles.leastPrivilege,
  },
  "public-ip": {
    what: "has a public IP address",
    risk: "{{resource.name}} can be reached directly from the internet on its public address, so every open port and weakness on it is exposed to scanners.",
    impact: "Directly reachable machines are the most common entry point of intrusions.",
    intents: ["Given a public address for remote administration", "Launched in a public subnet by default"],
    fix: [
      "Remove the public IP from %n {{resource.name}} (turn off automatic public IP assignment) and reach it through a load balancer, NAT gateway or bastion instead.",
    ],
    snippet: steps(
      "Turn off automatic public IP assignment for {{resource.name}}.",
      "Move it to a private subnet; publish services through a load balancer.",
      "Use a bastion, SSM Session Manager or IAP for administration.",
    ),
    controls: bundles.inboundNetwork,
  },
  "public-subnet": {
    what: "is placed in a public subnet",
    risk: "{{resource.name}} sits in a subnet with a route to the internet, one setting away from being reachable by anyone.",
    impact: "Data stores in public subnets are routinely exposed by a single change to a security group.",
    intents: ["Launched in the default (public) subnets"],
    fix: [
      "Move %n {{resource.name}} to private subnets (its subnet group should contain no subnet with an internet gateway route).",
    ],
    snippet: steps(
      "Create a subnet group with private subnets only.",
      "Move {{resource.name}} to it in a maintenance window.",
    ),
    controls: bundles.inboundNetwork,
  },
  public: {
    what: "is accessible to anyone (public access)",
    risk: "The policy or access settings of {{resource.name}} let anyone, without credentials, use or read it.",
    impact: "Public resources are found by scanners within hours; data or functions behind them are exposed.",
    intents: [
      "Opened for a quick share or test and never closed",
      "A wildcard principal written for convenience",
    ],
    fix: [
      "Remove the public grant (`*`, allUsers, everyone) from the policy of %n {{resource.name}} and grant access to the specific principals that need it.",
    ],
    snippet: steps(
      "Read the access policy of {{resource.name}}.",
      "Remove statements that grant access to everyone.",
      "Grant named principals instead and re-check.",
    ),
    controls: bundles.publicData,
  },
  "public-network": {
    what: "is reachable from the public internet",
    risk: "{{resource.name}} accepts connections from any network, so anyone can try its endpoint with stolen or guessed credentials and known exploits.",
    impact: "Internet-reachable data services are the most frequent source of breaches and ransom demands.",
    intents: ["Opened for access from a laptop or a partner", "Public access is the default for the service"],
    fix: [
      "Turn off public network access for %n {{resource.name}} and reach it through private networking (VPC/VNet, private endpoint) or an allow-list of known ranges.",
    ],
    snippet: steps(
      "Disable public network access / public accessibility on {{resource.name}}.",
      "Add a private endpoint or keep it inside the private network.",
      "Limit any remaining firewall rules to known address ranges.",
    ),
    controls: bundles.inboundNetwork,
  },
  "private-endpoint-missing": {
    what: "is not reached through a private endpoint",
    risk: "Traffic to {{resource.name}} goes to its public endpoint instead of staying on your private network.",
    impact: "Without a private endpoint you cannot turn off public access, so the service stays exposed.",
    intents: ["Private networking was planned for later"],
    fix: [
      "Create a private endpoint (Private Link) for %n {{resource.name}} in your virtual network, then turn off its public network access.",
    ],
    snippet: steps(
      "Create a private endpoint for {{resource.name}} in the workload's network.",
      "Add the private DNS zone.",
      "Disable public network access.",
    ),
    controls: bundles.inboundNetwork,
  },
  "waf-disabled": {
    what: "has no web application firewall attached",
    risk: "Requests to {{resource.name}} reach the application without filtering, so common web attacks (injection, bots, floods) are not stopped at the edge.",
    impact: "A WAF is an expected compensating control for internet-facing applications under PCI DSS 6.4.",
    intents: ["The WAF was considered optional for this endpoint"],
    fix: [
      "Associate a web ACL (AWS WAF, Azure WAF or Cloud Armor) with the managed core rule set to %n {{resource.name}}.",
    ],
    snippet: steps(
      "Create or reuse a web ACL with the provider's managed core rules.",
      "Associate it with {{resource.name}}.",
      "Start in count mode for a day, then block.",
    ),
    controls: bundles.inboundNetwork,
  },
  "default-admin": {
    what: "uses a default administrator user or database name",
    risk: "Attackers guessing credentials for {{resource.name}} start with default names like admin, postgres or dev, so half of the login is already known.",
    impact: "Predictable administrator names make password spraying far more effective.",
    intents: ["Created with the console defaults"],
    fix: [
      "Create a new administrator with a non-default name on %n {{resource.name}}, move its grants, and remove or lock the default one (some services need a new instance from a snapshot).",
    ],
    snippet: steps(
      "Create an admin user with a non-default name.",
      "Move privileges and applications to it.",
      "Remove or disable the default admin.",
    ),
    controls: bundles.credentialHygiene,
  },
  "default-port": {
    what: "listens on the engine's default port",
    risk: "Scanners probe default database ports first, so {{resource.name}} is found and tried more often.",
    impact: "A non-default port is a small but cheap reduction of automated attacks.",
    intents: ["Created with defaults"],
    fix: ["Change %n {{resource.name}} to a non-default port and update clients and security groups."],
    snippet: steps(
      "Pick a non-default port.",
      "Modify {{resource.name}} to use it.",
      "Update clients and firewall rules.",
    ),
    controls: bundles.hardening,
  },
  "deletion-protection-disabled": {
    what: "has deletion protection turned off",
    risk: "{{resource.name}} can be deleted in one call, by mistake or by an attacker, with no confirmation step.",
    impact: "Losing a production database, stack or load balancer means downtime and possibly data loss.",
    intents: ["Left off so test environments could be torn down easily"],
    fix: ["Turn on deletion (termination) protection for %n {{resource.name}}."],
    snippet: steps("Edit {{resource.name}}.", "Enable deletion protection.", "Save and confirm the setting."),
    controls: bundles.backup,
  },
  "soft-delete-disabled": {
    what: "has soft delete or purge protection turned off",
    risk: "Data or keys deleted from {{resource.name}} are gone at once; a mistake or a malicious delete cannot be undone.",
    impact: "Without soft delete, ransomware or a bad script can destroy data permanently.",
    intents: ["Not enabled when the resource was created"],
    fix: [
      "Turn on soft delete (and purge protection or object lock where offered) for %n {{resource.name}} with a retention of at least 7 days.",
    ],
    snippet: steps(
      "Enable soft delete on {{resource.name}}.",
      "Set retention to 7 days or more.",
      "Enable purge protection if available.",
    ),
    controls: bundles.backup,
  },
  "versioning-disabled": {
    what: "has versioning turned off",
    risk: "An overwrite or delete in {{resource.name}} cannot be rolled back.",
    impact: "Lost or encrypted objects mean data loss with no quick recovery path.",
    intents: ["Left off to save storage cost"],
    fix: ["Turn on versioning for %n {{resource.name}} and add a lifecycle rule that expires old versions."],
    snippet: steps(
      "Enable versioning on {{resource.name}}.",
      "Add a lifecycle rule for non-current versions.",
    ),
    controls: bundles.backup,
  },
  "log-retention-short": {
    what: "keeps its logs for too short a time",
    risk: "Logs of {{resource.name}} expire before an investigation usually needs them; breaches are often found months later.",
    impact: "PCI DSS asks for a year of audit history; short retention makes scoping an incident impossible.",
    intents: ["Retention set low to save storage cost"],
    fix: [
      "Set the log retention of %n {{resource.name}} to at least 90 days (365 for audit logs), archiving older logs to cheaper storage.",
    ],
    snippet: steps(
      "Set retention on {{resource.name}} to 90–365 days.",
      "Archive older logs to cold storage if cost matters.",
    ),
    controls: bundles.logging,
  },
  "backup-plan-missing": {
    what: "is not covered by a backup plan",
    risk: "{{resource.name}} is not included in a managed backup plan, so its recovery depends on ad-hoc snapshots.",
    impact: "Without scheduled, retained backups, a deletion or corruption can cause permanent data loss.",
    intents: ["The resource was created after the backup plan's tag rules were defined"],
    fix: [
      "Add %n {{resource.name}} to a backup plan (for example by tagging it to match the plan's selection).",
    ],
    snippet: steps(
      "Find the backup plan that covers this environment.",
      "Tag {{resource.name}} so the plan selects it.",
      "Check the next backup job succeeds.",
    ),
    controls: bundles.backup,
  },
  "backup-disabled": {
    what: "has automated backups turned off or too short",
    risk: "If {{resource.name}} is deleted, corrupted or encrypted by ransomware, there is no recent backup to restore.",
    impact: "Recovery without backups means lost data and long outages.",
    intents: ["Backups were left off in a non-production template", "Retention was lowered to save cost"],
    fix: [
      "Turn on automated backups for %n {{resource.name}} with a retention of at least 7 days (longer for production), and test a restore.",
    ],
    snippet: steps(
      "Enable automated backups on {{resource.name}}.",
      "Set retention to 7+ days.",
      "Test a restore into a scratch copy.",
    ),
    controls: bundles.backup,
  },
  "cross-zone-disabled": {
    what: "has cross-zone load balancing turned off",
    risk: "Traffic to {{resource.name}} is not spread evenly across zones, so one zone can be overloaded while others sit idle.",
    impact: "Uneven load makes outages more likely during a zone failure or traffic spike.",
    intents: ["Turned off to avoid inter-zone data charges"],
    fix: ["Turn on cross-zone load balancing for %n {{resource.name}}."],
    snippet: steps("Edit the attributes of {{resource.name}}.", "Enable cross-zone load balancing."),
    controls: bundles.resilience,
  },
  "multi-az-disabled": {
    what: "is not set up for high availability across zones",
    risk: "{{resource.name}} runs in a single zone or without failover, so a zone or node failure takes it down.",
    impact: "Outages of production services during zone incidents, and missed availability commitments.",
    intents: ["A single zone was cheaper for a workload first seen as non-critical"],
    fix: [
      "Turn on the multi-zone / high-availability option of %n {{resource.name}} (Multi-AZ, zone redundancy, automatic failover, at least two zones).",
    ],
    snippet: steps(
      "Enable multi-AZ / zone redundancy on {{resource.name}}.",
      "Schedule the change in a maintenance window.",
      "Test failover.",
    ),
    controls: bundles.resilience,
  },
  "auto-upgrade-disabled": {
    what: "has automatic minor-version upgrades turned off",
    risk: "Security fixes for {{resource.name}} are not applied automatically, so known flaws stay open until someone upgrades by hand.",
    impact: "Unpatched services fail patch-management requirements and are easier to exploit.",
    intents: ["Turned off to avoid unexpected restarts"],
    fix: [
      "Turn on automatic minor-version (or managed platform) upgrades for %n {{resource.name}} in a maintenance window you choose.",
    ],
    snippet: steps(
      "Enable auto minor version upgrade on {{resource.name}}.",
      "Set a maintenance window outside business hours.",
    ),
    controls: bundles.unsupportedSoftware,
  },
  "outdated-version": {
    what: "runs an outdated or unsupported version",
    risk: "{{resource.name}} runs a version that is deprecated or near its end of support, so new security fixes will not reach it.",
    impact: "Unsupported software accumulates exploitable flaws and fails patching requirements.",
    intents: ["The upgrade was postponed because of compatibility testing"],
    fix: ["Upgrade %n {{resource.name}} to a currently supported version, testing on a copy first."],
    snippet: steps(
      "Find the currently supported version.",
      "Upgrade a copy of {{resource.name}} and run its tests.",
      "Upgrade production in a maintenance window.",
    ),
    controls: bundles.unsupportedSoftware,
  },
  "key-rotation-disabled": {
    what: "does not rotate its key or secret automatically",
    risk: "The key or secret of {{resource.name}} stays the same for years, so anyone who ever obtained it keeps access.",
    impact: "Long-lived secrets turn one leak into a lasting compromise and fail rotation requirements.",
    intents: ["Rotation needed an application change that was postponed"],
    fix: [
      "Turn on automatic rotation for %n {{resource.name}} (every 90 days or less for secrets, yearly or better for keys).",
    ],
    snippet: steps(
      "Enable automatic rotation on {{resource.name}}.",
      "Make sure the application reads the current version.",
    ),
    controls: bundles.keyManagement,
  },
  "expiry-missing": {
    what: "has no expiration date",
    risk: "{{resource.name}} never expires, so it stays valid long after it should have been replaced.",
    impact: "Keys and secrets without expiry are forgotten, shared and never rotated.",
    intents: ["Expiry was not set when it was created"],
    fix: ["Set an expiration date on %n {{resource.name}} and rotate it before that date."],
    snippet: steps(
      "Set an expiry date on {{resource.name}}.",
      "Add a reminder or automation to rotate it before expiry.",
    ),
    controls: bundles.keyManagement,
  },
  "mfa-disabled": {
    what: "does not require multi-factor authentication",
    risk: "A stolen or guessed password is enough to sign in to {{resource.name}}.",
    impact: "Phished passwords without MFA are the most common way accounts are taken over.",
    intents: ["MFA was optional when users were set up"],
    fix: ["Require MFA for %n {{resource.name}}."],
    snippet: steps("Turn on required MFA for {{resource.name}}.", "Have users enrol a second factor."),
    controls: bundles.mfa,
  },
  "tracing-disabled": {
    what: "has tracing turned off",
    risk: "Requests through {{resource.name}} leave no trace, so abuse and failures are hard to follow end to end.",
    impact: "Slower investigations and troubleshooting.",
    intents: ["Tracing was considered a cost with no immediate use"],
    fix: ["Turn on tracing (AWS X-Ray or the equivalent) for %n {{resource.name}}."],
    snippet: steps("Enable tracing on {{resource.name}}.", "Check traces appear in the tracing console."),
    controls: bundles.logging,
  },
  "monitoring-disabled": {
    what: "has enhanced monitoring or metrics turned off",
    risk: "Problems and abuse on {{resource.name}} go unnoticed because the detailed metrics are not collected.",
    impact: "Outages and attacks are detected later and take longer to diagnose.",
    intents: ["Left off to save cost"],
    fix: ["Turn on enhanced monitoring / insights / metrics for %n {{resource.name}} and alarm on them."],
    snippet: steps("Enable the monitoring option on {{resource.name}}.", "Add alarms for the key metrics."),
    controls: bundles.alerting,
  },
  "logging-disabled": {
    what: "has logging turned off",
    risk: "Actions on {{resource.name}} are not recorded, so you cannot tell who did what after an incident.",
    impact:
      "Without logs an investigation cannot scope a breach, which forces wider notification and fails audit requirements.",
    intents: ["Logging was seen as a cost with no immediate use", "Created outside the standard template"],
    fix: [
      "Turn on logging for %n {{resource.name}} and send the logs to your central, access-controlled log store.",
    ],
    snippet: steps(
      "Enable logging on {{resource.name}}.",
      "Deliver the logs to the central log account/workspace.",
      "Check new entries arrive.",
    ),
    controls: bundles.logging,
  },
  "not-in-vpc": {
    what: "does not run inside a private network (VPC/VNet)",
    risk: "{{resource.name}} runs outside your private network, so its traffic cannot be filtered by your network controls and it may reach, or be reached from, the internet.",
    impact: "Network segmentation and egress controls do not apply to it.",
    intents: ["Created with the default, public networking"],
    fix: [
      "Attach %n {{resource.name}} to your private network (VPC/VNet subnets and security groups) and restrict its egress.",
    ],
    snippet: steps(
      "Configure VPC/VNet subnets and security groups for {{resource.name}}.",
      "Restrict outbound traffic to what it needs.",
    ),
    controls: bundles.inboundNetwork,
  },
  unused: {
    what: "is unused",
    risk: "{{resource.name}} is not used, but still exists with its access and cost; forgotten resources are rarely patched or watched.",
    impact: "Unused resources widen the attack surface and the bill.",
    intents: ["Left behind after a migration or test"],
    fix: [
      "Confirm with the owner that %n {{resource.name}} is no longer needed, then delete it (or detach it).",
    ],
    snippet: steps("Confirm {{resource.name}} is unused with its owner.", "Delete or release it."),
    controls: bundles.configurationMonitoring,
  },
};

/** Prose shared by hand-written archetypes of one theme, for what a row does not say itself. */
export interface Theme {
  risk: string;
  impact: string;
  intents: string[];
  controls: Control[];
}

/** The themes of hand-written catalog archetypes (`%w` is the row's misconfiguration). */
export const themes = {
  exposure: {
    risk: "{{resource.name}} %w, which widens who can reach it from the internet or other networks.",
    impact: "Network exposure turns ordinary weaknesses into exploitable ones.",
    intents: ["Opened for a quick test or an integration and never closed"],
    controls: bundles.inboundNetwork,
  },
  data: {
    risk: "{{resource.name}} %w, so data in it can be read or changed by people who should not have access.",
    impact: "Exposed data leads to notification duties, fines and loss of trust.",
    intents: ["A shortcut taken to share data"],
    controls: bundles.publicData,
  },
  encryption: {
    risk: "{{resource.name}} %w, so data is not protected by encryption you control.",
    impact: "Fails encryption requirements for regulated data.",
    intents: ["The setting was left at its default"],
    controls: bundles.encryptionAtRest,
  },
  transit: {
    risk: "{{resource.name}} %w, so traffic can be read or altered on the network.",
    impact: "Breaks encryption-in-transit commitments.",
    intents: ["Kept for compatibility with old clients"],
    controls: bundles.encryptionInTransit,
  },
  identity: {
    risk: "{{resource.name}} %w, which gives more access than the job needs; a compromised identity can do correspondingly more damage.",
    impact: "Excess privilege turns one stolen credential into an account-wide incident.",
    intents: ["Broad access granted to get something working quickly"],
    controls: bundles.leastPrivilege,
  },
  credentials: {
    risk: "{{resource.name}} %w, so credentials stay valid longer or are shared more widely than they should.",
    impact: "Stale or shared credentials are a leading cause of account takeovers.",
    intents: ["No process owns credential hygiene for it"],
    controls: bundles.credentialHygiene,
  },
  logging: {
    risk: "{{resource.name}} %w, so activity is not recorded or kept well enough to investigate.",
    impact: "Investigations cannot scope incidents; audit requirements fail.",
    intents: ["Logging seen as a cost with no immediate use"],
    controls: bundles.logging,
  },
  alerting: {
    risk: "{{resource.name}} %w, so a risky change can happen without anyone being told.",
    impact: "Attackers and mistakes go unnoticed for longer; CIS benchmarks expect these alerts.",
    intents: ["Alerting was never set up for this event"],
    controls: bundles.alerting,
  },
  detection: {
    risk: "{{resource.name}} %w, so threats and misconfigurations in its scope are not detected.",
    impact: "Attacks run undetected longer and fail monitoring requirements.",
    intents: ["The service was not enabled in every account or region"],
    controls: bundles.threatDetection,
  },
  resilience: {
    risk: "{{resource.name}} %w, so a failure or a mistake can take it down or lose data.",
    impact: "Outages and data loss in incidents that could have been absorbed.",
    intents: ["Chosen for cost in a workload first seen as non-critical"],
    controls: bundles.resilience,
  },
  backup: {
    risk: "{{resource.name}} %w, so data cannot be recovered reliably after a deletion or ransomware.",
    impact: "Permanent data loss and long outages.",
    intents: ["Backups were not part of the original setup"],
    controls: bundles.backup,
  },
  hardening: {
    risk: "{{resource.name}} %w, which departs from the secure baseline and gives an attacker or a mistake an easier path.",
    impact: "Weaker defaults add up to exploitable attack surface and fail configuration baselines.",
    intents: ["The default setting was never changed"],
    controls: bundles.hardening,
  },
  patching: {
    risk: "{{resource.name}} %w, so known security flaws are not fixed.",
    impact: "Unpatched systems are the easiest way in for attackers.",
    intents: ["Patching is manual and fell behind"],
    controls: bundles.vulnerability,
  },
  governance: {
    risk: "{{resource.name}} %w, which weakens the guardrails that keep the estate under control.",
    impact: "Without guardrails, mistakes and drift spread unnoticed across accounts.",
    intents: ["The guardrail was never set up for this account or organization"],
    controls: bundles.configurationMonitoring,
  },
  keys: {
    risk: "{{resource.name}} %w, so the key material protecting your data is not managed safely.",
    impact: "Key misuse or loss can expose or destroy everything the key protects.",
    intents: ["Key settings were left at defaults"],
    controls: bundles.keyManagement,
  },
  secrets: {
    risk: "{{resource.name}} %w, so anyone who can read it can use the credential.",
    impact: "A leaked credential gives its holder the same access as the application.",
    intents: ["The quickest way to hand a credential to the workload"],
    controls: bundles.secrets,
  },
} satisfies Record<string, Theme>;

/** A theme of hand-written catalog archetypes. */
export type ThemeName = keyof typeof themes;
