import type { Control } from "../../core/finding.js";
import { bundles } from "./controls.js";
import type { CompensatingControlGuide, KnowledgeEntry } from "./entry.js";

/**
 * Compensating controls per kind of weakness (the control bundles of `controls.ts`): what can stand in
 * for the control an exception bypasses, and how a reviewer verifies it is in place. An archetype gets
 * those of every bundle its controls include, unless its entry names its own `compensatingControls`.
 * Text fields are templates, like the entries' (`{{resource.name}}`…).
 */
export const compensatingControlsByWeakness: Record<keyof typeof bundles, CompensatingControlGuide[]> = {
  publicData: [
    {
      description: "Nothing sensitive is stored in {{resource.name}}: its contents are classified public",
      verification:
        "List the objects of {{resource.name}} and check each prefix against the data inventory; a data-loss-prevention scan (Macie, Purview, Cloud DLP) of it finds no sensitive data.",
    },
    {
      description: "Access to {{resource.name}} is logged and anomalous reads alert the owner",
      verification:
        "Data-access logging is on for {{resource.name}} and an alert rule on unusual read volume or new source addresses exists and has a recipient.",
    },
  ],
  encryptionAtRest: [
    {
      description: "The data of {{resource.name}} is encrypted by the application before it is stored",
      verification:
        "Read a sample record straight from storage and confirm it is ciphertext; the application's key is held in the key manager, not in its configuration.",
    },
    {
      description: "Access to {{resource.name}} and its copies is limited to named roles",
      verification:
        "The access policy of {{resource.name}} names only the workload roles that need it, and its snapshots or backups are not shared.",
    },
  ],
  encryptionInTransit: [
    {
      description: "Traffic to {{resource.name}} only crosses a private network or an encrypted tunnel",
      verification:
        "Network paths to {{resource.name}} come only from private subnets, a VPN or a private endpoint; no public route or listener reaches it.",
    },
    {
      description: "Clients of {{resource.name}} are configured to require TLS",
      verification:
        "The client configuration (connection strings, SDK settings) of each consumer requires TLS and certificate verification.",
    },
  ],
  inboundNetwork: [
    {
      description:
        "A web application firewall or an allow-list of known source addresses sits in front of {{resource.name}}",
      verification:
        "The firewall or load-balancer rules in front of {{resource.name}} admit only the listed sources; a connection attempt from another address is refused.",
    },
    {
      description: "Access to the open port goes through strong authentication (SSO, certificates or MFA)",
      verification:
        "The service listening on the port refuses anonymous and password-only logins; its configuration requires keys, certificates or SSO with MFA.",
    },
  ],
  outboundNetwork: [
    {
      description:
        "Egress from {{resource.name}} goes through a proxy or firewall that allows known destinations",
      verification:
        "The route table of {{resource.name}} sends internet traffic to the egress proxy or firewall, whose rules list the allowed destinations.",
    },
    {
      description: "DNS and flow logs of {{resource.name}} are monitored for unexpected destinations",
      verification:
        "Flow or DNS query logging is on for the network of {{resource.name}} and an alert fires on destinations outside the expected set.",
    },
  ],
  leastPrivilege: [
    {
      description: "Use of the broad permission is logged and alerts the owner",
      verification:
        "The audit trail records every use of the identity behind {{resource.name}} and an alert rule on sensitive or unusual actions has a recipient.",
    },
    {
      description: "A permissions boundary or organization policy caps what the identity can do",
      verification:
        "A permissions boundary, service control policy or deny policy applies to {{resource.name}} and blocks privilege escalation and destructive actions.",
    },
  ],
  mfa: [
    {
      description: "Sign-in for the identity is only possible from the corporate network or managed devices",
      verification:
        "A conditional-access or IP-condition policy applies to the identity and refuses sign-ins from other networks or unmanaged devices.",
    },
    {
      description: "Every sign-in of the identity alerts its owner",
      verification: "A sign-in alert for the identity exists, is enabled and has a recipient who reviews it.",
    },
  ],
  credentialHygiene: [
    {
      description: "The credential's use is restricted to known sources and monitored",
      verification:
        "A policy condition limits the credential to known source addresses or networks, and an alert fires on use from elsewhere.",
    },
    {
      description: "A rotation date is set and owned",
      verification:
        "The credential has a named owner and a rotation ticket due before the exception expires.",
    },
  ],
  logging: [
    {
      description: "Equivalent events for {{resource.name}} are collected at another layer",
      verification:
        "The SIEM holds recent events for {{resource.name}} from another source (a proxy, an agent or the platform's audit trail); a search for the last day returns them.",
    },
  ],
  logIntegrity: [
    {
      description: "Logs are copied to a separate account or write-once storage",
      verification:
        "The log destination is in another account or has object lock / immutability on, and the copy is current.",
    },
  ],
  keyManagement: [
    {
      description: "Use of the key is limited to named roles and logged",
      verification:
        "The key policy names only the roles that need it and every use appears in the audit trail.",
    },
    {
      description: "A rotation is scheduled and owned",
      verification: "A ticket with an owner rotates the key before the exception expires.",
    },
  ],
  threatDetection: [
    {
      description: "Another detection tool covers {{resource.name}}",
      verification:
        "The other tool (an EDR agent, a SIEM rule set, a third-party scanner) lists {{resource.name}} as monitored and has raised a test alert.",
    },
  ],
  hardening: [
    {
      description: "{{resource.name}} is isolated from sensitive networks and data",
      verification:
        "Network rules keep {{resource.name}} away from production data stores and administration interfaces.",
    },
    {
      description: "Runtime monitoring watches {{resource.name}} for misuse of the setting",
      verification: "A runtime agent or audit policy covers {{resource.name}} and alerts on its use.",
    },
  ],
  vulnerability: [
    {
      description:
        "The vulnerable code path is not reachable: the component is not exposed or the feature is off",
      verification:
        "The component on {{resource.name}} has no public listener and the vulnerable feature is disabled in its configuration; a scan of its reachable ports does not show it.",
    },
    {
      description: "A virtual patch (WAF or IPS rule) blocks the known exploit",
      verification:
        "The WAF or IPS in front of {{resource.name}} has a rule for the CVE in blocking mode, and a test request carrying the exploit pattern is blocked.",
    },
  ],
  secrets: [
    {
      description: "The exposed secret was rotated and the old value revoked",
      verification:
        "The secret store shows a rotation after the finding's first-seen date, and the old value is rejected when used.",
    },
  ],
  backup: [
    {
      description: "The data of {{resource.name}} is backed up by another mechanism",
      verification: "A restore of the latest copy made by the other mechanism was tested within 90 days.",
    },
  ],
  configurationMonitoring: [
    {
      description: "Changes to {{resource.name}} are tracked by infrastructure as code and review",
      verification:
        "{{resource.name}} is managed in a repository whose changes need review, and drift detection runs on it.",
    },
  ],
  resilience: [
    {
      description: "A documented failover or rebuild procedure exists for {{resource.name}}",
      verification: "The runbook for {{resource.name}} was exercised within the last year.",
    },
  ],
  alerting: [
    {
      description: "The events the missing alarm would catch are alerted on in the SIEM",
      verification:
        "The SIEM has a rule for the same events, enabled, with a recipient, and it fired in a test.",
    },
  ],
  incidentResponse: [
    {
      description: "The incident is contained and tracked by the incident-response team",
      verification: "An incident ticket exists with an owner, containment steps taken and a review date.",
    },
  ],
  unsupportedSoftware: [
    {
      description: "{{resource.name}} is isolated and scheduled for upgrade",
      verification:
        "Network rules isolate {{resource.name}}, and an upgrade ticket with an owner is due before the exception expires.",
    },
  ],
};

/**
 * The compensating controls the knowledge base suggests for an archetype: the entry's own
 * `compensatingControls` when it names them, else those of every weakness whose control bundle its
 * controls include, in bundle order. Templates are left unrendered (`personalize` fills them).
 * @example
 * compensatingControlsFor(defaultKnowledge.get("aws-sg-ssh-open")!);
 * // [{ description: "A web application firewall or an allow-list …", verification: "…" }, …]
 */
export function compensatingControlsFor(entry: KnowledgeEntry): CompensatingControlGuide[] {
  if (entry.compensatingControls && entry.compensatingControls.length > 0) return entry.compensatingControls;
  const keys = new Set(entry.controls.map(controlKey));
  const found: CompensatingControlGuide[] = [];
  for (const [weakness, controls] of Object.entries(bundles) as [keyof typeof bundles, Control[]][]) {
    if (controls.every((control) => keys.has(controlKey(control))))
      found.push(...compensatingControlsByWeakness[weakness]);
  }
  return found;
}

function controlKey(control: Control): string {
  return `${control.framework}\u0000${control.control}`;
}
