import { type ArchetypeMatcher, m, SECRET } from "./matcher.js";

const ANY = ["*"];
const SECRET_WORDS = [
  "secret",
  "secrets",
  "credential",
  "credentials",
  "password",
  "passwords",
  "sensitive",
  "api key",
  "access key",
  "token",
];

/**
 * Matchers for any resource type: secrets, detected threats, exposure and software age. They are
 * tried after the resource's own service (and the services its rule names), except for a finding
 * of the category they are preferred for (`preferredFor`), where they go first.
 */
export const commonMatchers: readonly ArchetypeMatcher[] = [
  // --- Secrets ---
  m(
    "secret-in-instance-user-data",
    ANY,
    [["user data", "userdata", "custom data", "startup script", "metadata script"], SECRET],
    { preferredFor: ["secret"] },
  ),
  m(
    "secret-in-environment-variables",
    ANY,
    [["environment variable", "environment variables", "env var", "env vars", "environment"], SECRET],
    { preferredFor: ["secret"] },
  ),
  m(
    "secret-in-code",
    ANY,
    [
      SECRET,
      [
        "code",
        "repository",
        "source",
        "image",
        "file",
        "layer",
        "commit",
        "exposed",
        "cleartext",
        "plaintext",
        "hardcoded",
        "hard-coded",
        "default branch",
        "notebook",
      ],
    ],
    { categories: ["secret"], preferredFor: ["secret"] },
  ),
  m("secret-in-code", ANY, [
    [...SECRET_WORDS, "hardcoded", "hard-coded"],
    [
      "code",
      "layer",
      "layers",
      "image",
      "repository",
      "default branch",
      "source",
      "notebook",
      "lifecycle configuration",
      "commit",
    ],
  ]),
  m(
    "secret-in-configuration",
    ANY,
    [
      SECRET_WORDS,
      [
        "stage variables",
        "definition",
        "definitions",
        "outputs",
        "connection properties",
        "arguments",
        "parameters",
        "document",
        "log events",
        "build settings",
        "command",
        "template",
        "url",
        "urls",
        "configuration",
        "config map",
        "configmap",
      ],
    ],
    { preferredFor: ["secret"] },
  ),

  // --- Threats: what the platform saw happen ---
  m(
    "threat-cryptomining",
    ANY,
    [
      [
        "cryptocurrency",
        "crypto mining",
        "cryptomining",
        "coin miner",
        "coinminer",
        "bitcoin",
        "monero",
        "miner",
        "mining pool",
        "cryptojacking",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m("threat-reverse-shell", ANY, [["reverse shell", "reverseshell", "bind shell"]], {
    preferredFor: ["threat"],
  }),
  m(
    "threat-command-and-control",
    ANY,
    [
      [
        "c&c",
        "command and control",
        "command & control",
        "c2",
        "backdoor",
        "blackhole",
        "botnet",
        "malicious ip",
        "malicious domain",
        "known malicious",
        "tor exit",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m(
    "threat-malware",
    ANY,
    [
      [
        "malware",
        "trojan",
        "virus",
        "ransomware",
        "rootkit",
        "webshell",
        "web shell",
        "malicious file",
        "infected",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m(
    "threat-brute-force",
    ANY,
    [
      [
        "brute force",
        "bruteforce",
        "password spray",
        "credential stuffing",
        "sshbruteforce",
        "rdpbruteforce",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m("threat-llm-jacking", ANY, [["llm jacking", "llmjacking", "llm hijack"]], { preferredFor: ["threat"] }),
  m(
    "threat-credential-compromise",
    ANY,
    [
      [
        "credential exfiltration",
        "credentialexfiltration",
        "compromised credential",
        "compromised credentials",
        "leaked credential",
        "credentialaccess",
        "credential access",
        "unauthorizedaccess",
        "unauthorized access",
        "stolen",
        "anomalous api",
        "unusual api",
      ],
    ],
    // GuardDuty's UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B is a sign-in from somewhere new.
    { preferredFor: ["threat"], exclude: ["consoleloginsuccess", "console login success"] },
  ),
  m(
    "threat-data-exfiltration",
    ANY,
    [
      [
        "exfiltration",
        "exfiltrat",
        "data theft",
        "mass download",
        "unusual data transfer",
        "objectread.unusual",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m(
    "threat-privilege-escalation",
    ANY,
    [
      ["privilege escalation", "privilegeescalation"],
      ["activity", "detected", "anomalous", "potential", "attempt", "behavior", "behaviour"],
    ],
    { preferredFor: ["threat"] },
  ),
  m(
    "threat-defense-evasion",
    ANY,
    [
      [
        "stealth",
        "defense evasion",
        "defenseevasion",
        "cloudtrailloggingdisabled",
        "logging disabled by",
        "anti forensics",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m(
    "threat-suspicious-login",
    ANY,
    [
      [
        "unusual location",
        "impossible travel",
        "unfamiliar location",
        "anomalous login",
        "anomalous sign",
        "suspicious login",
        "suspicious sign",
        "consoleloginsuccess",
        "console login from",
        "login from",
        "sign in from",
        "new geolocation",
        "anonymizing",
      ],
    ],
    { preferredFor: ["threat"] },
  ),
  m(
    "threat-recon",
    ANY,
    [
      [
        "recon",
        "port probe",
        "portprobe",
        "port scan",
        "portscan",
        "reconnaissance",
        "enumeration",
        "scanning activity",
      ],
    ],
    { preferredFor: ["threat"] },
  ),

  // --- Exposure, access, software ---
  m("public-ip-listed-in-shodan", ANY, [["shodan"]]),
  m("ssh-password-authentication", ANY, [["ssh"], ["password", "username and password"]]),
  m("weak-cryptography-in-code", ANY, [
    [
      "weak hash",
      "weak hashing",
      "md5",
      "weak crypto",
      "weak cryptograph",
      "insecure hash",
      "insecure random",
    ],
  ]),
  m("end-of-life-software", ANY, [
    ["end of life", "end-of-life", "eol", "unsupported version", "deprecated runtime", "no longer supported"],
  ]),
  m("internet-exposed-resource", ANY, [
    ["publicly exposed", "internet-facing", "exposed to the internet", "public ip", "internet exposed"],
  ]),
];
