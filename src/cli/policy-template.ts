/**
 * The starter `policy.yaml` that `init` writes: read-only, tickets for critical and high findings.
 * Tickets go to the first of Jira, ServiceNow and the webhook that is configured; owners are
 * notified through the first of Slack, Teams and e-mail.
 */
export function policyTemplate(sinks: readonly string[]): string {
  const ticketSink = ["jira", "servicenow", "webhook"].find((sink) => sinks.includes(sink)) ?? "default";
  const notifySink = ["slack", "teams", "email"].find((sink) => sinks.includes(sink));
  return `# A starter governance policy (docs/governance.md). Start in read-only mode: actions are
# kept as drafts for review; move to assisted, then automated, as you trust it.
version: 1
mode: read-only
routing: first

rules:
  - id: critical-and-high
    description: Critical and high findings get a ticket${notifySink ? " and a message to the owner" : ""}
    when:
      severity: [critical, high]
    do:
      - kind: ticket
        sink: ${ticketSink}
${notifySink ? `      - kind: notify\n        sink: ${notifySink}\n        automatic: true\n` : ""}
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
