import { bundles } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";

/** Steps for a detected threat: contain, preserve evidence, rotate, then find the way in. */
function threat(
  id: string,
  title: string,
  what: string,
  risk: string,
  first: [contain: string, rotate: string],
  steps: string[],
  intents: string[] = [
    "An attacker with access to the resource or its credentials",
    "An authorised test or a legitimate tool that behaves like one",
  ],
): KnowledgeEntry {
  return {
    id,
    title,
    headline: `${what} on {{resource.name}} ({{rule.name}})`,
    risk,
    impact:
      "An active intrusion can spread to data theft, ransomware or a large bill within hours; evidence lost now cannot be recovered.",
    intents,
    remediation: first,
    snippets: [
      {
        language: "text",
        label: "First steps",
        code: [
          `# {{resource.name}}: first steps`,
          ...steps.map((step, index) => `${index + 1}. ${step}`),
        ].join("\n"),
      },
    ],
    controls: [...bundles.incidentResponse, ...bundles.threatDetection],
  };
}

const preserve =
  "Preserve: snapshot the disks of {{resource.name}} and export its logs (CloudTrail/activity/audit, flow, DNS) for the time window before changing it.";
const isolate =
  "Contain: move {{resource.name}} to a quarantine security group or network policy that allows no traffic except your forensics access; do not terminate it.";

/** Detected threats, one entry per kind of attack, each with first steps: contain, preserve, rotate. */
export const threatEntries: KnowledgeEntry[] = [
  threat(
    "threat-cryptomining",
    "Cryptocurrency mining detected",
    "Cryptocurrency mining",
    "Someone is running a coin miner on {{resource.name}} or using it to reach mining pools; miners are usually planted after an attacker gets in, and the same access can be used for worse.",
    [
      "Isolate {{resource.name}} (quarantine security group or network policy, keep it running) and snapshot its disks before stopping the miner, so you keep the evidence of how it got there.",
      "Rotate the credentials on {{resource.name}} (instance or workload role sessions, keys, tokens), rebuild it from a clean image, and close the entry point (exposed service, weak password, vulnerable package).",
    ],
    [
      isolate,
      preserve,
      "Stop the mining process and block the mining-pool domains at egress.",
      "Rotate credentials the resource holds; revoke its role sessions.",
      "Rebuild from a clean image after finding the entry point.",
    ],
  ),
  threat(
    "threat-reverse-shell",
    "Reverse shell detected",
    "A reverse shell",
    "A process on {{resource.name}} opened an interactive shell back to an outside host: an attacker is probably typing commands on it right now.",
    [
      "Isolate {{resource.name}} at once (quarantine security group or network policy blocking all egress), capture the running processes and memory if you can, and only then end the session.",
      "Revoke and rotate every credential reachable from {{resource.name}} (role sessions, service-account tokens, keys in environment or files), then rebuild it and patch the hole the attacker used.",
    ],
    [
      isolate,
      "Capture the process list, network connections and (if possible) memory.",
      preserve,
      "Revoke the role sessions and service-account tokens of the workload; rotate secrets it could read.",
      "Rebuild from a clean image and fix the entry point.",
    ],
  ),
  threat(
    "threat-command-and-control",
    "Command-and-control traffic detected",
    "Traffic to a known malicious or command-and-control host",
    "{{resource.name}} talks to a host known for controlling compromised machines, which usually means malware on it is taking orders.",
    [
      "Block the destination at the egress firewall or DNS resolver, isolate {{resource.name}} and snapshot its disks before cleaning anything.",
      "Rotate the credentials {{resource.name}} holds, rebuild it from a clean image, and search other resources for the same destination in flow and DNS logs.",
    ],
    [
      "Block the destination IP/domain at egress (firewall, DNS firewall).",
      isolate,
      preserve,
      "Rotate credentials the resource holds; revoke its role sessions.",
      "Search flow and DNS logs for other resources talking to the same destination.",
    ],
  ),
  threat(
    "threat-malware",
    "Malware detected",
    "Malware",
    "Malicious software was found on or in {{resource.name}}; it may steal data and credentials, encrypt files or spread.",
    [
      "Isolate {{resource.name}} and snapshot its disks (keep the malicious file as evidence, do not just delete it).",
      "Rotate the credentials that were on {{resource.name}}, rebuild it from a clean image, and scan every resource built from the same image or sharing the same storage.",
    ],
    [
      isolate,
      preserve,
      "Record the file hash and path from the finding; search other resources for it.",
      "Rotate credentials that were present on the resource.",
      "Rebuild from a clean image; restore data from a backup taken before the infection.",
    ],
  ),
  threat(
    "threat-brute-force",
    "Brute-force attack detected",
    "Brute-force login attempts",
    "{{resource.name}} is the target (or the source) of repeated login attempts; if any attempt succeeded, the attacker has an account.",
    [
      "Block the source addresses and close the targeted port (SSH, RDP, database) to the internet on {{resource.name}}; check its authentication logs for a successful login during the attack.",
      "Reset the passwords of targeted accounts and move to key-based login or MFA; if {{resource.name}} was the source of the attempts, treat it as compromised: isolate it and rotate its credentials.",
    ],
    [
      "Block the source IPs in the security group / NSG / firewall of {{resource.name}}.",
      "Restrict the targeted port to known ranges or a bastion.",
      "Search the auth logs for a success from those sources.",
      "Reset targeted passwords; require keys or MFA.",
    ],
  ),
  threat(
    "threat-llm-jacking",
    "LLM jacking detected",
    "Possible LLM jacking (stolen credentials used to call AI models)",
    "Credentials from {{resource.name}} appear to be used to call AI models for someone else, which can cost thousands per day and may expose your prompts and data.",
    [
      "Deactivate the access keys or revoke the sessions (linked to {{resource.name}}) that made the model calls, and restrict model access (SCP or policy) while you investigate; keep the CloudTrail and model-invocation logs.",
      "Rotate the affected credentials, turn on model invocation logging and a budget alarm, and find where the credentials leaked.",
    ],
    [
      "Identify the principal and keys behind the model calls in CloudTrail.",
      "Deactivate the keys / revoke the sessions; deny bedrock:Invoke* broadly until cleared.",
      "Export CloudTrail and invocation logs for the window.",
      "Rotate credentials; add a budget alarm on model spend.",
    ],
  ),
  threat(
    "threat-data-exfiltration",
    "Data exfiltration detected",
    "Possible data exfiltration",
    "Data from {{resource.name}} is being read or copied in an unusual way, possibly to an attacker.",
    [
      "Revoke the sessions and keys of the principal doing the reads, block the destination, and keep the access logs (CloudTrail data events, storage access logs) for the window.",
      "Work out exactly which data was read from {{resource.name}} (for breach-notification decisions), rotate the credentials involved and close the path that allowed it.",
    ],
    [
      "Identify the principal and destination from the finding.",
      "Revoke its sessions and keys; block the destination.",
      "Export data-access logs for the window.",
      "List the objects/records read; involve legal/privacy for notification.",
    ],
  ),
  threat(
    "threat-privilege-escalation",
    "Privilege escalation detected",
    "Possible privilege escalation",
    "A principal linked to {{resource.name}} gave itself more permissions than it had, a typical step before an attacker takes over an account.",
    [
      "Disable the principal acting on {{resource.name}} (deactivate keys, revoke sessions) and revert the permission changes it made, using CloudTrail or the activity log to list them; keep those logs.",
      "Rotate the credentials involved and review everything the principal did with its new permissions.",
    ],
    [
      "List the IAM/role changes in CloudTrail or the activity log.",
      "Disable the principal; revert the changes.",
      "Export the logs for the window.",
      "Review actions taken with the escalated rights; rotate credentials.",
    ],
  ),
  threat(
    "threat-defense-evasion",
    "Defense evasion detected",
    "Security logging or detection was disabled",
    "Someone turned off or changed logging or detection around {{resource.name}}, which attackers do to hide what comes next.",
    [
      "Turn the logging or detection around {{resource.name}} back on now, and treat the principal that turned it off as compromised: deactivate its keys and revoke its sessions.",
      "Preserve the remaining logs and investigate what happened during the gap; rotate the credentials involved.",
    ],
    [
      "Re-enable the trail / detector / diagnostic setting.",
      "Disable the principal that changed it.",
      "Preserve remaining logs; note the gap window.",
      "Investigate activity during the gap; rotate credentials.",
    ],
  ),
  threat(
    "threat-credential-compromise",
    "Compromised credentials",
    "Credentials used in a way that suggests they were stolen",
    "Credentials linked to {{resource.name}} are being used from an unusual place or in an unusual way; someone else may have them.",
    [
      "Deactivate the access keys linked to {{resource.name}} and revoke the active sessions of the principal (role sessions, tokens), keeping CloudTrail or sign-in logs for the window.",
      "Issue new credentials through a secrets manager, review every action the old ones took, and find where they leaked (code, logs, instance metadata).",
    ],
    [
      "Deactivate the keys / revoke sessions (e.g. `aws iam update-access-key --status Inactive`).",
      "Export the principal's API activity for the window.",
      "Issue new credentials from the secrets manager.",
      "Find and close the leak.",
    ],
  ),
  threat(
    "threat-suspicious-login",
    "Suspicious sign-in",
    "A suspicious sign-in",
    "An account linked to {{resource.name}} signed in from an unusual location, network or device; it may be in someone else's hands.",
    [
      "Confirm with the user of {{resource.name}} through a separate channel; if it was not them, revoke the account's sessions, reset its password and re-register MFA.",
      "Review everything the session did and keep the sign-in logs; tighten Conditional Access or login rules for that account.",
    ],
    [
      "Contact the user out of band.",
      "If not them: revoke sessions, reset password, re-enrol MFA.",
      "Export sign-in and activity logs for the window.",
      "Review actions taken during the session.",
    ],
    ["The account's owner travelling or using a VPN", "An attacker using stolen credentials"],
  ),
  threat(
    "threat-recon",
    "Reconnaissance detected",
    "Reconnaissance (port scans, probes or enumeration)",
    "Someone is probing {{resource.name}} to find open ports, services or permissions; probing usually comes before an attack.",
    [
      "Check that nothing the probe can reach on {{resource.name}} is unpatched or weakly protected, and close the ports that need not be open to the internet.",
      "Block the source if it keeps probing, and watch for follow-up activity from it; if the enumeration used your credentials, rotate them.",
    ],
    [
      "List what is reachable on {{resource.name}} from the internet.",
      "Close unneeded ports; patch exposed services.",
      "Block persistent sources.",
      "Watch for follow-up findings from the same source.",
    ],
    ["Internet-wide scanning that hits every address", "A targeted attacker mapping the environment"],
  ),
];

/** Secrets in configuration, exposure, SSH passwords, weak crypto, and vulnerabilities without details. */
export const moreCrossEntries: KnowledgeEntry[] = [
  {
    id: "secret-in-configuration",
    title: "Secret in resource configuration",
    headline:
      "{{resource.name}} has a secret in its configuration (definition, variables, outputs or parameters)",
    risk: "A credential is stored in clear text in the configuration of {{resource.name}}, where anyone who can read the configuration, its history or its logs can copy it.",
    impact:
      "A leaked credential gives its holder the same access as the application, and configuration is copied into templates, logs and tickets.",
    intents: [
      "The quickest way to hand a credential to the workload",
      "Copied from an example that used a literal value",
    ],
    remediation: [
      "Rotate the exposed credential at its issuer, then replace the literal in {{resource.name}} with a reference to your secrets manager (Secrets Manager, Key Vault, Secret Manager or SSM SecureString).",
    ],
    snippets: [
      {
        language: "text",
        label: "Steps",
        code: "1. Rotate the credential at its issuer.\n2. Store the new value in the secrets manager.\n3. Reference it from {{resource.name}} instead of the literal; remove the old value from history.",
      },
    ],
    controls: bundles.secrets,
  },
  {
    id: "public-ip-listed-in-shodan",
    title: "Public IP listed in Shodan",
    headline: "The public IP of {{resource.name}} is indexed by Shodan",
    risk: "Shodan lists open services on {{resource.name}}'s address, so attackers looking for a product or version can find it without scanning.",
    impact: "Indexed services receive targeted exploitation soon after new vulnerabilities are published.",
    intents: ["A service was exposed on purpose", "A port was opened for testing"],
    remediation: [
      "Close the ports of {{resource.name}} that need not be public (security group, NSG or firewall) and patch the services that must stay exposed; release the address if it is unused.",
    ],
    snippets: [
      {
        language: "text",
        label: "Steps",
        code: "1. Look up the address on shodan.io to see which services are listed.\n2. Close the ones that should not be public on {{resource.name}}.\n3. Patch what stays exposed.",
      },
    ],
    controls: bundles.inboundNetwork,
  },
  {
    id: "ssh-password-authentication",
    title: "SSH password authentication allowed",
    headline: "{{resource.name}} accepts SSH logins with a password",
    risk: "Passwords on {{resource.name}} can be guessed or sprayed over SSH; keys cannot.",
    impact: "Password logins are the target of constant brute-force traffic on the internet.",
    intents: ["The image's default allows passwords", "A user could not set up keys"],
    remediation: [
      "Set `PasswordAuthentication no` in /etc/ssh/sshd_config on {{resource.name}} (or disable password authentication in the VM's settings) and use SSH keys or OS Login / Entra ID login instead.",
    ],
    snippets: [
      {
        language: "bash",
        label: "On the machine",
        code: "# on {{resource.name}}\nsudo sed -i 's/^#\\?PasswordAuthentication .*/PasswordAuthentication no/' /etc/ssh/sshd_config\nsudo systemctl reload sshd",
      },
    ],
    controls: bundles.credentialHygiene,
  },
  {
    id: "weak-cryptography-in-code",
    title: "Weak cryptography in code",
    headline: "The code of {{resource.name}} uses a weak hash or cipher",
    risk: "Weak algorithms such as MD5 or SHA-1 in {{resource.name}} can be broken or collided, so hashes, signatures or tokens built on them can be forged.",
    impact: "Forged tokens or cracked hashes lead to account takeover or tampered data.",
    intents: ["Old code or a library default", "Used for a checksum and later reused for security"],
    remediation: [
      "Replace the weak algorithm in {{resource.name}} with SHA-256 or better (bcrypt/scrypt/Argon2 for passwords, AES-GCM for encryption) and re-hash or re-issue what was protected with it.",
    ],
    snippets: [
      {
        language: "text",
        label: "Steps",
        code: "1. Find the call site in {{resource.name}} named in the finding.\n2. Switch to SHA-256+ / AES-GCM / Argon2 as fits the use.\n3. Migrate stored hashes or tokens.",
      },
    ],
    controls: bundles.encryptionAtRest,
  },
  {
    id: "cve-package-unidentified",
    title: "Known vulnerability (package not reported)",
    headline:
      "{{resource.name}} is affected by {{vulnerability.cve}}; the platform did not say which package",
    risk: "{{vulnerability.cve}} is a published vulnerability that affects software on {{resource.name}}; until the affected package is found and updated, it stays exploitable.",
    impact:
      "Known vulnerabilities are how most intrusions start; patch-management requirements expect a fix within your SLA.",
    intents: ["The image or host has not been rebuilt since a fix was released"],
    remediation: [
      "Look up {{vulnerability.cve}} in the NVD (https://nvd.nist.gov/vuln/detail/{{vulnerability.cve}}) and the vendor's security advisory to find the affected product, the vulnerable versions and the fixed version.",
      "Find that package on {{resource.name}} (the platform's finding details, the image SBOM, or `dpkg -l` / `rpm -qa` / `pip list` / `npm ls`), upgrade it to the fixed version and redeploy.",
    ],
    snippets: [
      {
        language: "text",
        label: "Where to look",
        code: "1. https://nvd.nist.gov/vuln/detail/{{vulnerability.cve}} — affected products and versions.\n2. The vendor advisory linked from the NVD page — the fixed version.\n3. On {{resource.name}}: the SBOM or package list to find the installed version.\n4. Upgrade, rebuild, redeploy; confirm the scanner clears {{vulnerability.cve}}.",
      },
    ],
    controls: bundles.vulnerability,
  },
  {
    id: "vulnerability-unidentified",
    title: "Vulnerable software (no CVE reported)",
    headline: "{{resource.name}} runs vulnerable software reported as “{{rule.name}}”",
    risk: "The platform reports vulnerable software on {{resource.name}} (“{{rule.name}}”) without a CVE or package; the weakness stays open until it is identified and updated.",
    impact:
      "Unpatched components add up to an exploitable attack surface and fail patch-management requirements.",
    intents: ["Routine patching has not reached this resource"],
    remediation: [
      "Open the finding “{{rule.name}}” in the platform to get the package, version and advisory behind it (or list the packages on {{resource.name}} from its SBOM), then upgrade that package to a fixed version and redeploy.",
    ],
    snippets: [
      {
        language: "text",
        label: "Where to look",
        code: "1. The finding's details in the platform (package, version, advisory).\n2. The image SBOM or package list of {{resource.name}}.\n3. The vendor advisory for the fixed version; upgrade and redeploy.",
      },
    ],
    controls: bundles.vulnerability,
  },
];
