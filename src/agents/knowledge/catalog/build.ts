import type { Control } from "../../../core/finding.js";
import { bundles } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";
import { catalogControls } from "./catalog-controls.js";
import { type KindProse, kinds, type ThemeName, themes } from "./kinds.js";
import { nounOf } from "./services.js";

/**
 * One hand-written catalog archetype: `[id, theme, what, fix, extra]`. `what` completes "<noun>
 * <resource name> …" with the exact misconfiguration; `fix` is one or two concrete steps. The theme
 * (or, with `"kind"`, the problem kind of the id's suffix) supplies the risk, impact, intents and
 * controls the row does not state.
 */
export type CatalogRow = readonly [
  id: string,
  theme: ThemeName | "kind",
  what: string,
  fix: string | readonly [string, string],
  extra?: RowExtra,
];

/** What a row may state besides its misconfiguration and fix. */
export interface RowExtra {
  /** The resource's name in prose, instead of the service's noun. */
  noun?: string;
  risk?: string;
  impact?: string;
  intents?: string[];
  /** A fix snippet; without one, the steps are shown as a checklist. */
  snippet?: { language: string; label: string; code: string };
  controls?: Control[];
}

/**
 * Knowledge entries for archetype ids that have no hand-written entry: from a catalog row, or from the
 * problem kind of the id's suffix with the service's noun, plus the CIS requirements that the catalog
 * joins give the archetype. Ids neither can explain are left out (the knowledge base test lists them).
 */
export function buildCatalogEntries(
  archetypeIds: readonly string[],
  rows: readonly CatalogRow[],
  skip: ReadonlySet<string>,
): KnowledgeEntry[] {
  const byId = new Map(rows.map((row) => [row[0], row]));
  const entries: KnowledgeEntry[] = [];
  for (const id of new Set([...archetypeIds, ...byId.keys()])) {
    if (skip.has(id)) continue;
    const entry = entryFor(id, byId.get(id));
    if (entry) entries.push({ ...entry, controls: [...entry.controls, ...catalogControls(id)] });
  }
  return entries;
}

function entryFor(id: string, row: CatalogRow | undefined): KnowledgeEntry | undefined {
  const kind = kindOf(id);
  if (!row && !kind) return undefined;
  const extra = row?.[4] ?? {};
  const noun = extra.noun ?? nounOf(id);
  const Noun = capitalize(noun);
  const fill = (text: string) => text.replaceAll("%N", Noun).replaceAll("%n", noun);
  const what = row ? row[2] : fill(kind!.what);
  const theme = row && row[1] !== "kind" ? themes[row[1]] : undefined;
  const prose = kind && (!row || row[1] === "kind") ? kind : undefined;
  const fix = named(row ? (typeof row[3] === "string" ? [row[3]] : [...row[3]]) : kind!.fix.map(fill));
  const risk =
    extra.risk ??
    (prose ? fill(prose.risk) : (theme?.risk ?? "{{resource.name}} %w.").replaceAll("%w", what));
  return {
    id,
    title: `${Noun} ${what}`,
    headline: `${Noun} {{resource.name}} ${what}`,
    risk,
    impact: extra.impact ?? prose?.impact ?? theme?.impact ?? "Until it is fixed, the weakness stays open.",
    intents: extra.intents ?? prose?.intents ?? theme?.intents ?? ["Not known"],
    remediation: fix.map(fill),
    snippets: [
      namedSnippet(
        extra.snippet ??
          (prose && !row ? { ...prose.snippet, code: fill(prose.snippet.code) } : checklist(fix.map(fill))),
      ),
    ],
    controls: extra.controls ?? prose?.controls ?? theme?.controls ?? bundles.hardening,
  };
}

/** The problem kind of an id: its longest suffix that names a kind, or a port or alert pattern. */
function kindOf(id: string): KindProse | undefined {
  const suffix = kindSuffixes.find((candidate) => id.endsWith(`-${candidate}`));
  if (suffix) return kinds[suffix];
  const port = Object.keys(portLabels).find((name) => id.endsWith(`-${name}-open`));
  if (port) return portKind(portLabels[port] as string);
  const alert = /^(?:aws-cloudwatch-alarm|azure-monitor-alert|gcp-logging-alert)-(.+)$/.exec(id)?.[1];
  if (alert && alertLabels[alert]) return alertKind(alertLabels[alert], id);
  return undefined;
}

const kindSuffixes = Object.keys(kinds).sort((a, b) => b.length - a.length);

/** What each port archetype opens, for people. */
const portLabels: Record<string, string> = {
  ssh: "SSH (TCP 22)",
  rdp: "RDP (TCP 3389)",
  "database-port": "database ports (such as 3306, 5432, 1433, 27017, 6379, 9200)",
  telnet: "Telnet (TCP 23)",
  ftp: "FTP (TCP 20-21)",
  smb: "SMB/NetBIOS (TCP 445, 137-139)",
  ldap: "LDAP (TCP 389, 636)",
  kerberos: "Kerberos (TCP 88, 464, 749-750)",
  kafka: "Kafka (TCP 9092)",
  vnc: "VNC (TCP 5500, 5900)",
  smtp: "SMTP (TCP 25)",
  dns: "DNS (port 53)",
  rpc: "Windows RPC (TCP 135)",
  etcd: "etcd (TCP 2379-2380)",
  http: "HTTP (TCP 80)",
  icmp: "ICMP",
  udp: "UDP ports",
  "high-risk-ports": "high-risk or non-standard ports",
  "all-ports": "all ports",
};

function portKind(label: string): KindProse {
  return {
    what: `allows ${label} from the internet (0.0.0.0/0)`,
    risk: `Anyone on the internet can reach ${label} on the resources behind {{resource.name}}; these services are scanned constantly and exploited when weak or unpatched.`,
    impact:
      "An exposed management, file-sharing or data port is a common first step of ransomware and data theft.",
    intents: [
      "Opened for a test, a vendor or remote work and never closed",
      "An allow-all rule added to rule out the firewall while troubleshooting",
    ],
    fix: [
      `Remove the rule in %n {{resource.name}} that allows ${label} from 0.0.0.0/0 (and ::/0); allow only the address ranges that need it, or reach the service through a VPN, bastion or private endpoint.`,
    ],
    snippet: {
      language: "text",
      label: "Steps",
      code: `1. Open the inbound rules of {{resource.name}}.\n2. Delete the rule allowing ${label} from 0.0.0.0/0 and ::/0.\n3. Add rules for known source ranges only, if the service must stay reachable.`,
    },
    controls: bundles.inboundNetwork,
  };
}

/** The event each CIS alerting archetype watches. */
const alertLabels: Record<string, string> = {
  "console-signin-without-mfa": "console sign-ins without MFA",
  "console-authentication-failures": "failed console sign-ins",
  "unauthorized-api-calls": "unauthorized API calls",
  "root-usage": "use of the root user",
  "s3-policy-changes": "S3 bucket policy changes",
  "config-changes": "AWS Config configuration changes",
  "cloudtrail-changes": "CloudTrail configuration changes",
  "kms-key-deletion": "disabling or scheduled deletion of customer-managed KMS keys",
  "organizations-changes": "AWS Organizations changes",
  "nacl-changes": "network ACL changes",
  "network-gateway-changes": "network gateway changes",
  "route-table-changes": "route table changes",
  "security-group-changes": "security group changes",
  "iam-policy-changes": "IAM policy changes",
  "vpc-changes": "VPC changes",
  "policy-assignment-changes": "creation of policy assignments",
  "policy-assignment-deletion": "deletion of policy assignments",
  "nsg-changes": "creation or update of network security groups",
  "nsg-deletion": "deletion of network security groups",
  "public-ip-changes": "creation or update of public IP addresses",
  "public-ip-deletion": "deletion of public IP addresses",
  "security-solution-changes": "creation or update of security solutions",
  "security-solution-deletion": "deletion of security solutions",
  "sql-firewall-changes": "creation or update of SQL Server firewall rules",
  "sql-firewall-deletion": "deletion of SQL Server firewall rules",
  "service-health": "Service Health incidents",
  "project-ownership-changes": "project ownership assignments and changes",
  "audit-config-changes": "audit configuration changes",
  "custom-role-changes": "custom IAM role changes",
  "bucket-iam-changes": "Cloud Storage IAM permission changes",
  "sql-config-changes": "Cloud SQL instance configuration changes",
  "firewall-rule-changes": "VPC firewall rule changes",
  "route-changes": "VPC route changes",
  "compute-config-changes": "Compute Engine configuration changes",
  "network-changes": "VPC network changes",
};

function alertKind(label: string, id: string): KindProse {
  const how = id.startsWith("aws-")
    ? "a CloudWatch Logs metric filter on the CloudTrail log group and an alarm that notifies an SNS topic the security team reads"
    : id.startsWith("azure-")
      ? "an Azure Monitor activity log alert with an action group that notifies the security team"
      : "a log-based metric and an alerting policy with a notification channel the security team reads";
  return {
    what: `has no alert for ${label}`,
    risk: `Nobody is told about ${label} in {{resource.name}}, so a risky or malicious change can go unnoticed.`,
    impact: "Attackers and mistakes stay unnoticed for longer; the CIS benchmarks expect these alerts.",
    intents: ["Alerting was never set up for this event", "Alerts exist but in another account or region"],
    fix: [`Create ${how} for ${label} in {{resource.name}}.`],
    snippet: {
      language: "text",
      label: "Steps",
      code: `1. In {{resource.name}}, create ${how}, matching ${label}.\n2. Send a test event and confirm the notification arrives.`,
    },
    controls: bundles.alerting,
  };
}

const namesResource = /\{\{\s*resource\.(name|shortId|id)\s*\}\}/;

/** Steps that name the resource: the first one is prefixed with it when none does. */
function named(fix: string[]): string[] {
  if (fix.some((step) => namesResource.test(step))) return fix;
  const [first, ...rest] = fix;
  return [`For {{resource.name}}: ${first ?? ""}`, ...rest];
}

/** A snippet that names the resource, in a comment line when its code does not. */
function namedSnippet(snippet: { language: string; label: string; code: string }) {
  if (namesResource.test(snippet.code)) return snippet;
  const comment = snippet.language === "text" ? "For {{resource.name}}:" : "# {{resource.name}}";
  return { ...snippet, code: `${comment}\n${snippet.code}` };
}

function checklist(fix: readonly string[]): { language: string; label: string; code: string } {
  return {
    language: "text",
    label: "Steps",
    code: [...fix, "Re-run the scan to confirm the finding is resolved."]
      .map((line, index) => `${index + 1}. ${line}`)
      .join("\n"),
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
