/** The starter `policy.yaml` that `init` writes: read-only, tickets for critical and high findings. */
export function policyTemplate(sinks: readonly string[]): string {
  const ticketSink = sinks.includes("jira") ? "jira" : "default";
  const notify = sinks.includes("slack");
  return `# A starter governance policy (docs/governance.md). Start in read-only mode: actions are
# kept as drafts for review; move to assisted, then automated, as you trust it.
version: 1
mode: read-only
routing: first

rules:
  - id: critical-and-high
    description: Critical and high findings get a ticket${notify ? " and a message to the owner" : ""}
    when:
      severity: [critical, high]
    do:
      - kind: ticket
        sink: ${ticketSink}
${notify ? "      - kind: notify\n        sink: slack\n        automatic: true\n" : ""}
  - id: medium
    when:
      severity: medium
    do:
      - kind: ticket
        sink: ${ticketSink}
        automatic: true

sla:
  critical: 7
  high: 30
  medium: 90

principals:
  - id: cloudsteward-bot
    scopes: [execute:ticket, execute:notify]
  - id: security-lead
    scopes: ["approve:*"]

allowedActions: [ticket, notify]
`;
}
