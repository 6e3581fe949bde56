import { bundles, controls, frameworks } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";
import { moreCrossEntries, threatEntries } from "./threats.js";

/** Archetypes that apply on any cloud: secrets, vulnerabilities, exposure, threats. */
export const crossCloudEntries: KnowledgeEntry[] = [
  {
    id: "secret-in-instance-user-data",
    title: "Secret in instance user data",
    headline: "Instance {{resource.name}} has a secret in its user data or startup script",
    risk: "Anyone who can describe {{resource.name}}, or any process on it that reads the metadata service, can read the secret in clear text.",
    impact:
      "The leaked credential gives access to whatever it protects, often databases or third-party APIs, and it usually lives on in templates and images.",
    intents: [
      "A bootstrap script needed a password or token and it was pasted in",
      "Copied from a launch template that predates the secrets manager",
    ],
    remediation: [
      "Rotate the exposed secret now, then change the bootstrap of {{resource.name}} to fetch it at boot from your secrets manager using the instance identity.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Fetch at boot (AWS example)",
        code: "SECRET=$(aws secretsmanager get-secret-value --region {{resource.region}} --secret-id <secret-name> --query SecretString --output text)",
      },
    ],
    controls: bundles.secrets,
  },
  {
    id: "secret-in-environment-variables",
    title: "Secret in environment variables",
    headline: "{{resource.name}} stores a secret in plain-text environment variables",
    risk: "The secret in {{resource.name}} is visible to anyone who can read its configuration, and leaks into logs, crash dumps and child processes.",
    impact: "A leaked credential gives an attacker the same access as the application.",
    intents: [
      "The quickest way to hand configuration to the app",
      "The secrets-manager integration was postponed",
    ],
    remediation: [
      "Rotate the secret, move it to your secrets manager (Secrets Manager, Key Vault, Secret Manager, or a Kubernetes Secret mounted as a file) and reference it from {{resource.name}} instead of the literal value.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "Kubernetes: secret as a file",
        code: "# {{resource.name}}\nvolumes:\n- name: app-secret\n  secret:\n    secretName: <secret-name>\ncontainers:\n- name: app\n  volumeMounts:\n  - name: app-secret\n    mountPath: /var/run/secrets/app\n    readOnly: true",
      },
    ],
    controls: [...controls(frameworks.cisKubernetes, "5.4.1"), ...bundles.secrets],
  },
  {
    id: "secret-in-code",
    title: "Secret in code or image",
    headline: "A secret is exposed in the code, files or image of {{resource.name}}",
    risk: "The credential found in {{resource.name}} can be copied by anyone with access to the repository, image or file system.",
    impact:
      "Hard-coded credentials are a leading cause of cloud breaches; they spread with every clone and image pull.",
    intents: ["Committed during development or baked into an image for convenience"],
    remediation: [
      "Revoke and rotate the exposed credential first; then remove it from {{resource.name}} and load it at runtime from your secrets manager.",
      "Purge it from history or rebuild the image, and add secret scanning to CI.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Scan before commit (gitleaks)",
        code: "gitleaks detect --source . --redact",
      },
    ],
    controls: bundles.secrets,
  },
  {
    id: "secret-exposed",
    title: "Exposed secret",
    headline: "A secret or credential is exposed on {{resource.name}}",
    risk: "A credential on {{resource.name}} is readable by people or systems that should not have it.",
    impact: "Whoever finds it gets the access it grants.",
    intents: ["A credential was stored where it was convenient rather than in a secrets manager"],
    remediation: [
      "Rotate the credential now, then store it in your secrets manager and reference it from {{resource.name}}.",
    ],
    snippets: [
      {
        language: "text",
        label: "Checklist",
        code: "1. Revoke/rotate the credential at its issuer.\n2. Remove it from {{resource.name}}.\n3. Load it at runtime from the secrets manager.",
      },
    ],
    controls: bundles.secrets,
  },
  {
    id: "end-of-life-software",
    title: "End-of-life software",
    headline: "{{resource.name}} runs software that is past its end of life",
    risk: "No more security fixes are published for the software on {{resource.name}}; every new vulnerability stays open.",
    impact:
      "Unpatchable systems accumulate exploitable flaws and fail patching requirements in PCI DSS and SOC 2.",
    intents: ["Upgrade postponed because of compatibility work", "Nobody owns the component"],
    remediation: [
      "Upgrade {{resource.name}} to a supported version (runtime, OS or engine), testing in a non-production copy first.",
    ],
    snippets: [
      {
        language: "text",
        label: "Plan",
        code: "1. Identify the supported target version.\n2. Upgrade a staging copy of {{resource.name}} and run its tests.\n3. Roll out in a maintenance window.",
      },
    ],
    controls: bundles.unsupportedSoftware,
  },
  {
    id: "internet-exposed-resource",
    title: "Resource exposed to the internet",
    headline: "{{resource.name}} is reachable from the internet",
    risk: "{{resource.name}} can be reached by anyone, so any weakness on it (credentials, vulnerabilities, misconfiguration) is directly exploitable.",
    impact: "Internet exposure turns ordinary weaknesses into urgent ones.",
    intents: [
      "Exposed on purpose as a public service",
      "Exposed by accident through a broad network rule or public IP",
    ],
    remediation: [
      "If {{resource.name}} need not be public, remove its public IP or restrict the network rules to known ranges; if it must be public, put it behind a load balancer with a WAF.",
    ],
    snippets: [
      {
        language: "text",
        label: "Checklist",
        code: "1. Confirm with the owner whether {{resource.name}} must be public.\n2. If not: remove the public address / 0.0.0.0/0 rules.\n3. If so: front it with a WAF and keep it patched.",
      },
    ],
    controls: bundles.inboundNetwork,
  },
  {
    id: "threat-detected",
    title: "Threat detected",
    headline: "Suspicious activity detected on {{resource.name}}: {{rule.name}}",
    risk: "The platform saw behaviour on {{resource.name}} that matches attacker activity (“{{rule.name}}”); until it is explained, assume the resource and the credentials it holds are compromised.",
    impact:
      "An active intrusion can move to data theft or ransomware within hours; evidence lost now cannot be recovered.",
    intents: [
      "An attacker using the resource or its credentials",
      "An unusual but legitimate action by an administrator or a new deployment",
    ],
    remediation: [
      "Contain and preserve: ask the owner of {{resource.name}} whether the activity was expected; if not, isolate it (quarantine security group or network policy, do not delete it) and snapshot its disks and export its logs for the time window before changing anything else.",
      "Rotate every credential {{resource.name}} holds or used (instance or workload role sessions, access keys, tokens, passwords), then open an incident and find how the attacker got in.",
    ],
    snippets: [
      {
        language: "text",
        label: "First steps",
        code: "1. Confirm with the owner of {{resource.name}} whether the activity was expected.\n2. Contain: move {{resource.name}} to a quarantine security group / network policy; keep it running.\n3. Preserve: snapshot its disks; export CloudTrail/activity/audit logs and flow logs for the window.\n4. Rotate: credentials on or used by {{resource.name}} (role sessions, keys, tokens, passwords).\n5. Open an incident; rebuild from a clean image once the entry point is known.",
      },
    ],
    controls: [...bundles.incidentResponse, ...bundles.threatDetection],
  },
  {
    id: "log4shell-class-rce",
    title: "Log4Shell-class remote code execution",
    headline: "{{resource.name}} runs a Log4j version vulnerable to {{vulnerability.cve}} (Log4Shell)",
    risk: "A single crafted string that reaches a log line on {{resource.name}} can make it load and run attacker code.",
    impact:
      "Mass-exploited since December 2021; an exposed vulnerable service is likely to be compromised, with full access to its data and credentials.",
    intents: [
      "A dependency (often transitive) pins an old Log4j",
      "An image or appliance has not been rebuilt since the fix",
    ],
    remediation: [
      "Upgrade {{vulnerability.packageName}} on {{resource.name}} to {{vulnerability.fixedVersion}} (Log4j 2.17.1 or later) and redeploy.",
      "Until then, remove the JndiLookup class from the jar and block outbound LDAP/RMI from the host.",
    ],
    snippets: [
      {
        language: "bash",
        label: "Remove JndiLookup (temporary mitigation)",
        code: "zip -q -d <path-to>/log4j-core-*.jar org/apache/logging/log4j/core/lookup/JndiLookup.class",
      },
      {
        language: "xml",
        label: "Maven dependency",
        code: "<dependency>\n  <groupId>org.apache.logging.log4j</groupId>\n  <artifactId>log4j-core</artifactId>\n  <version>2.17.1</version>\n</dependency>",
      },
    ],
    controls: bundles.vulnerability,
  },
  {
    id: "exploitable-critical-cve",
    title: "Exploitable critical vulnerability",
    headline:
      "{{resource.name}} has {{vulnerability.cve}} in {{vulnerability.packageName}}, critical or with a known exploit",
    risk: "{{vulnerability.cve}} in {{vulnerability.packageName}} {{vulnerability.installedVersion}} on {{resource.name}} can be exploited with public tooling.",
    impact:
      "Exploitable flaws are how most intrusions start; PCI DSS expects critical fixes within one month.",
    intents: [
      "The image or host has not been rebuilt since the fix was released",
      "The package is a transitive dependency nobody tracks",
    ],
    remediation: [
      "Upgrade {{vulnerability.packageName}} on {{resource.name}} to {{vulnerability.fixedVersion}} and redeploy (rebuild the image for containers).",
      "If you cannot patch now, reduce exposure (network rules, WAF) and record a time-boxed exception.",
    ],
    snippets: [
      {
        language: "text",
        label: "Patch plan",
        code: "1. Bump {{vulnerability.packageName}} to {{vulnerability.fixedVersion}} in the manifest or base image.\n2. Rebuild and redeploy {{resource.name}}.\n3. Confirm the scanner no longer reports {{vulnerability.cve}}.",
      },
    ],
    controls: bundles.vulnerability,
  },
  {
    id: "vulnerable-package",
    title: "Vulnerable package",
    headline:
      "{{resource.name}} has a vulnerable package: {{vulnerability.packageName}} ({{vulnerability.cve}})",
    risk: "{{vulnerability.packageName}} {{vulnerability.installedVersion}} on {{resource.name}} has a known vulnerability.",
    impact:
      "Unpatched components add up to an exploitable attack surface and fail patch-management requirements.",
    intents: ["Routine patching has not reached this resource yet"],
    remediation: [
      "Upgrade {{vulnerability.packageName}} on {{resource.name}} to {{vulnerability.fixedVersion}} in the next regular patch cycle.",
    ],
    snippets: [
      {
        language: "text",
        label: "Patch plan",
        code: "Bump {{vulnerability.packageName}} to {{vulnerability.fixedVersion}}, rebuild and redeploy {{resource.name}}.",
      },
    ],
    controls: bundles.vulnerability,
  },
  ...threatEntries,
  ...moreCrossEntries,
];

/** The entry used when no archetype matches: generic, honest guidance. */
export const genericEntry: KnowledgeEntry = {
  id: "generic",
  title: "Security finding",
  headline: "{{rule.name}} on {{resource.name}}",
  risk: "The platform reports that {{resource.name}} does not meet its rule “{{rule.name}}”; no knowledge-base archetype covers this rule yet.",
  impact: "Until it is reviewed, the weakness may expose the resource or its data.",
  intents: ["Not known: no specific guidance exists for this rule yet"],
  remediation: [
    "Change {{resource.name}} so that the platform's rule “{{rule.name}}” passes (the rule's name states the setting it checks; the rule's page in the platform gives the exact steps), then re-scan to confirm.",
  ],
  snippets: [],
  controls: [],
};
