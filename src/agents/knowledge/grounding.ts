import type { Facts } from "./knowledge-base.js";

/** Why a piece of model text is not grounded in the trusted facts. */
export interface GroundingIssue {
  /** The field of the model's answer, e.g. `remediationSteps.0`. */
  field: string;
  /** `link`, `address` or `command` not in the facts (a command must appear as the facts write it); `claim` of a status or decision; `privilege` a step that widens access. */
  kind: "link" | "address" | "command" | "claim" | "privilege" | "markup";
  /** The offending text, cut to 120 characters. */
  value: string;
}

/** The trusted text model output is checked against, and the hosts links may point to. */
export interface GroundingCorpus {
  /** Trusted text: knowledge-base templates, platform data, configured values. */
  text: string;
  /** Hosts (and their subdomains) links may point to besides the exact links in `text`. */
  hosts: readonly string[];
}

/**
 * The trusted facts of a case as a grounding corpus: the knowledge entry's templates (as written, with
 * placeholders), its snippets and console link, the platform's rule name and remediation text and the
 * controls. Values read from the resource (names, tags, owner) are left out: they are untrusted.
 * @example
 * const issues = groundingIssues({ risk: text }, groundingCorpus(facts, { hosts: ["wiki.acme.com"] }));
 */
export function groundingCorpus(facts: Facts, options: { hosts?: readonly string[] } = {}): GroundingCorpus {
  const { entry } = facts;
  const text = [
    entry.title,
    entry.headline,
    entry.risk,
    entry.impact,
    ...entry.intents,
    ...entry.remediation,
    ...entry.snippets.flatMap((snippet) => [snippet.label, snippet.code]),
    entry.consoleUrl ?? "",
    // Platform data: the rule and its remediation text (the generic entry's steps are made of them).
    facts.policy.name,
    facts.policy.id,
    ...(facts.remediationSource === "knowledge" ? [] : facts.remediationSteps),
    ...facts.snippets.map((snippet) => snippet.code),
    facts.consoleUrl ?? "",
    ...facts.controls.map((control) => `${control.framework} ${control.control}`),
    facts.resource.type,
  ].join("\n");
  return { text, hosts: options.hosts ?? [] };
}

/**
 * The parts of model text that the trusted corpus does not support: links and e-mail addresses not
 * in it (or, for links, not on a configured host), commands and technical identifiers (CLI calls,
 * code spans, flags, ARNs, IAM actions, CIDRs, managed-policy names) it does not contain, claims of a
 * status or decision (false positive, closed, approved, risk accepted…) it does not make, and
 * remediation steps (fields named `remediationSteps…`) that widen access or switch off a control
 * when the facts never say so, and sink markup (`<!channel>`, HTML tags, Markdown or Jira links,
 * `[code]`). An empty list means the
 * text may be delivered.
 * @example
 * groundingIssues({ "remediationSteps.0": "Attach AdministratorAccess to the user" }, corpus);
 * // [{ field: "remediationSteps.0", kind: "privilege", value: "Attach AdministratorAccess to the user" }, …]
 */
export function groundingIssues(
  fields: Readonly<Record<string, string>>,
  corpus: GroundingCorpus,
  options: { allowClaims?: readonly RegExp[] } = {},
): GroundingIssue[] {
  const trusted = corpus.text;
  const trustedLower = trusted.toLowerCase();
  const trustedCommands = normalizeCommand(trusted);
  const trustedLinks = new Set([...trusted.matchAll(linkPattern)].map((match) => trimLink(match[0])));
  const issues: GroundingIssue[] = [];
  const add = (field: string, kind: GroundingIssue["kind"], value: string) => {
    if (!issues.some((issue) => issue.field === field && issue.kind === kind && issue.value === value))
      issues.push({ field, kind, value: value.slice(0, 120) });
  };
  for (const [field, raw] of Object.entries(fields)) {
    // Placeholders are filled from the case later; they are not the model's to ground.
    const value = raw.normalize("NFKC");
    for (const match of value.matchAll(linkPattern)) {
      const link = trimLink(match[0]);
      if (!trustedLinks.has(link) && !onHost(link, corpus.hosts)) add(field, "link", link);
    }
    for (const match of value.matchAll(barePattern)) {
      const host = match[0].toLowerCase().replace(/\/.*$/, "");
      if (!trustedLower.includes(host) && !onHost(`https://${host}`, corpus.hosts))
        add(field, "link", match[0]);
    }
    for (const match of value.matchAll(addressPattern)) {
      if (!trustedLower.includes(match[0].toLowerCase())) add(field, "address", match[0]);
    }
    // A command is grounded only as the facts write it: recombining trusted words (`put-bucket-acl`
    // with `public-read`) makes a different command.
    for (const command of commandsIn(value)) {
      if (!trustedCommands.includes(normalizeCommand(command))) add(field, "command", command);
    }
    for (const pattern of identifierPatterns) {
      for (const match of value.matchAll(pattern)) {
        const token = match[0].replace(/[.,;:]+$/, "");
        if (!trustedLower.includes(token.toLowerCase())) add(field, "command", token);
      }
    }
    // Sink markup (Slack mentions and links, HTML, Markdown and Jira links, ServiceNow code tags) is
    // never the model's to write; each sink escapes it too, this is the second line.
    for (const match of value.matchAll(markupPattern)) {
      if (!trusted.includes(match[0])) add(field, "markup", match[0]);
    }
    for (const pattern of claimPatterns) {
      const match = pattern.exec(value);
      if (match === null || options.allowClaims?.some((allowed) => allowed.test(match[0]))) continue;
      if (!pattern.test(trusted)) add(field, "claim", match[0]);
    }
    // Describing a risk ("open to the internet") is fine; a step that widens access is not.
    if (!field.startsWith("remediationSteps")) continue;
    for (const pattern of privilegePatterns) {
      const match = pattern.exec(value);
      if (match !== null && !pattern.test(trusted)) add(field, "privilege", match[0]);
    }
  }
  return issues;
}

/** One line summing up grounding issues for a warning or an audit record. */
export function describeGroundingIssues(issues: readonly GroundingIssue[]): string {
  const shown = issues
    .slice(0, 3)
    .map((issue) => `${issue.kind} not in the facts in ${issue.field}: ${JSON.stringify(issue.value)}`);
  return `${shown.join("; ")}${issues.length > 3 ? `; and ${issues.length - 3} more` : ""}`;
}

// Internal helpers.

const linkPattern =
  /\b(?:https?|ftp|file|javascript|data|vbscript|mailto|slack|ms-\w+):[^\s<>"'`)\]|]+|\bwww\.[^\s<>"'`)\]|]+/gi;
/** A bare host name with a common top-level domain, e.g. `evil-corp.com/fix` (no scheme). */
const barePattern =
  /(?<![@\w.:/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|co|dev|app|xyz|ru|cn|info|biz|me|site|online|top|link|click|sh|ly|gl|to|tk|zip|mov|example)(?:\/[^\s<>"'`)\]|]*)?(?![\w-])/gi;
const addressPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const markupPattern =
  /<[!@#][^>\s]*>|<\/?[a-z][a-z0-9-]*(?:\s[^>]*)?\/?>|\[\s*\/?\s*code\s*\]|!?\[[^\]\n]*\]\([^)\n]*\)|\[[^\]|\n]+\|[^\]\n]+\]/gi;

/** Technical identifiers that only a command, policy or rule would hold. */
const identifierPatterns: readonly RegExp[] = [
  /\barn:[a-z0-9-]+:[^\s,;"'`)]*/gi,
  // IAM-style actions and wildcards: iam:PassRole, s3:*, *:*
  /(?<![\w/])(?:[a-z0-9-]+|\*):(?:\*|[A-Z][A-Za-z0-9]*\*?)(?![\w/])/g,
  // CIDRs and addresses: 0.0.0.0/0, 10.0.0.1
  /\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?\b/g,
  // Command-line flags: --policy-arn
  /(?<![\w-])--[a-z][\w-]+/gi,
  // Managed-policy and role names: AdministratorAccess, PowerUserAccess
  /\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*(?:Access|Admin|Administrator|FullAccess|Owner|Role|Policy)\b/g,
];

/** Programs whose invocation in model text is a command. */
const programs =
  "aws|az|gcloud|gsutil|bq|kubectl|helm|terraform|tofu|pulumi|curl|wget|sudo|chmod|chown|bash|zsh|pwsh|powershell|ssh|scp|ncat|docker|openssl|iptables|ufw|systemctl|certutil|iex|Invoke-WebRequest|Invoke-Expression|Set-[A-Z]\\w+|New-[A-Z]\\w+|Remove-[A-Z]\\w+|Add-[A-Z]\\w+|Grant-[A-Z]\\w+";
const invocationPattern = new RegExp(
  `(?<![\\w-])(?:${programs})\\s+[-\\w{}.:/=*@'"$]+(?:[ \\t]+(?!(?:and|or|then|to|so|for|in|on|the|a|an)\\b)[-\\w{}.:/=*,@'"$<>]+)*`,
  "g",
);

/** Commands in text: code spans, fenced blocks and CLI invocations. */
function commandsIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/```[\w-]*\n?([\s\S]*?)```|`([^`\n]+)`/g))
    found.push((match[1] ?? match[2] ?? "").trim());
  const withoutCode = text.replace(/```[\s\S]*?```|`[^`\n]+`/g, " ");
  for (const match of withoutCode.matchAll(invocationPattern)) {
    // "helm chart" or "docker image" in prose is not a command; a subcommand, flag, path or URL is.
    const rest = match[0].replace(/^\S+/, "");
    if (/[-/=:{*@$]/.test(rest)) found.push(match[0].trim());
  }
  return found.filter((command) => command !== "");
}

/** Whitespace, line continuations and trailing punctuation do not make a command different. */
function normalizeCommand(text: string): string {
  return text
    .replace(/\\\s*\n/g, " ")
    .replace(/\{\{\s*([\w.]+)\s*\}\}/g, "{{$1}}")
    .replace(/\s+/g, " ")
    .replace(/[.,;:]+$/, "")
    .trim();
}

function trimLink(link: string): string {
  return link.replace(/[.,;:!?]+$/, "");
}

function onHost(link: string, hosts: readonly string[]): boolean {
  if (hosts.length === 0) return false;
  let host: string;
  try {
    const url = new URL(link);
    if (url.protocol !== "https:" && url.protocol !== "http:") return false;
    host = url.hostname.toLowerCase();
  } catch {
    return false;
  }
  return hosts.some((allowed) => {
    const wanted = allowed.toLowerCase().replace(/^\*\./, "");
    return host === wanted || host.endsWith(`.${wanted}`);
  });
}

/** Claims of a status or decision: only the platform and people decide these. */
const claimPatterns: readonly RegExp[] = [
  /\bfalse[\s-]+positive\b/i,
  /\b(?:risk|exception|waiver|finding|issue|ticket|case|alert|incident|change|remediation|request)s?\b[^.\n]{0,40}?\b(?:was|were|has\s+been|have\s+been|had\s+been|is\s+already|are\s+already|is\s+now|are\s+now|got)\s+(?:already\s+)?(?:closed|resolved|fixed|remediated|suppressed|approved|accepted|dismissed|waived|muted|granted|signed[\s-]off|handled|mitigated)\b/i,
  /\b(?:ticket|finding|issue|case|alert|incident|request|exception)s?\s+(?:closed|resolved|dismissed|suppressed|approved|granted|accepted)\b/i,
  /(?<!\b(?:until|unless|once|when|whenever|after|before|if|so|while)\s+(?:the\s+|this\s+|that\s+|its\s+)?)\b(?:ticket|finding|issue|case|alert|incident|request|exception|risk)s?\s+(?:is|are)\s+(?:closed|resolved|dismissed|suppressed|approved|accepted|granted|waived)\b/i,
  /\bstatus\s*(?:[:=]|is|was)\s*(?:closed|resolved|fixed|approved|accepted|suppressed|dismissed|done)\b/i,
  /\b(?:accepted|approved|signed[\s-]off|waived|authori[sz]ed|cleared)\s+by\s+(?:the\s+)?\w+/i,
  /\b(?:pre-?approved|auto-?approved|already\s+(?:fixed|remediated|resolved|closed|approved|patched|mitigated)|no\s+action\s+(?:is\s+)?(?:needed|required)|safe\s+to\s+(?:ignore|close|dismiss)|can\s+be\s+(?:safely\s+)?(?:ignored|closed|dismissed)|risk\s+accept(?:ed|ance))\b/i,
  /\b(?:approve|close|suppress|dismiss|ignore|mute|resolve|skip)\s+(?:all|every|this|these|the)\s+(?:pending\s+|open\s+)?(?:actions?|findings?|tickets?|alerts?|requests?|cases?|issues?|approvals?)\b/i,
  /\b(?:not\s+a\s+(?:real\s+)?(?:risk|issue|vulnerability)|benign\s+by\s+design|intended\s+behaviou?r)\b/i,
];

/** Steps that widen access or switch a control off. */
const privilegePatterns: readonly RegExp[] = [
  /\b(?:attach|grant|give|add|assign|bind|elevate)\b[^.\n]{0,60}?\b(?:admin\w*|administrators?|owner|root|full[\s-]access|power\s*user|superuser|privileged|cluster-admin|\*:\*)/i,
  /\b(?:disable|turn\s+off|switch\s+off|remove|delete|stop|suspend|bypass|skip)\b[^.\n]{0,40}?\b(?:mfa|multi-factor|logging|cloudtrail|guardduty|defender|encryption|monitoring|audit(?:ing)?|firewall|security\s+center|scc|alerts?|the\s+gate|approvals?)\b/i,
  /\b(?:make|set)\b[^.\n]{0,40}?\bpublic(?:ly)?\b/i,
  /\b(?:open|allow)\b[^.\n]{0,40}?\b(?:to|from)\s+(?:the\s+)?(?:internet|anywhere|everyone|all)\b/i,
];
