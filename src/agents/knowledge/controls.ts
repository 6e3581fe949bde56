import type { Control } from "../../core/finding.js";

/** Framework names used by the built-in knowledge base, exactly as they appear in `controls`. */
export const frameworks = {
  cisAws: "CIS AWS Foundations 3.0",
  cisAzure: "CIS Azure Foundations 2.0",
  cisGcp: "CIS GCP Foundations 2.0",
  cisKubernetes: "CIS Kubernetes 1.8",
  nist: "NIST SP 800-53 Rev. 5",
  pci: "PCI DSS 4.0",
  soc2: "SOC 2",
  iso: "ISO/IEC 27001:2022",
  hipaa: "HIPAA Security Rule",
} as const;

/** Controls of one framework. */
export function controls(framework: string, ...ids: string[]): Control[] {
  return ids.map((control) => ({ framework, control }));
}

/** CIS AWS Foundations Benchmark v3.0.0 recommendations. */
export const cisAws = (...ids: string[]): Control[] => controls(frameworks.cisAws, ...ids);
/** CIS Microsoft Azure Foundations Benchmark v2.0.0 recommendations. */
export const cisAzure = (...ids: string[]): Control[] => controls(frameworks.cisAzure, ...ids);
/** CIS Google Cloud Platform Foundation Benchmark v2.0.0 recommendations. */
export const cisGcp = (...ids: string[]): Control[] => controls(frameworks.cisGcp, ...ids);
/** CIS Kubernetes Benchmark v1.8 recommendations. */
export const cisKubernetes = (...ids: string[]): Control[] => controls(frameworks.cisKubernetes, ...ids);

const { nist, pci, soc2, iso, hipaa } = frameworks;

/** Control bundles shared by several archetypes, one per kind of weakness. */
export const bundles = {
  publicData: [
    ...controls(nist, "AC-3", "AC-6", "SC-7"),
    ...controls(pci, "1.3.1", "7.2.1"),
    ...controls(soc2, "CC6.1", "CC6.6"),
    ...controls(iso, "A.5.15", "A.8.3", "A.8.12"),
    ...controls(hipaa, "164.312(a)(1)"),
  ],
  encryptionAtRest: [
    ...controls(nist, "SC-28", "SC-28(1)"),
    ...controls(pci, "3.5.1"),
    ...controls(soc2, "CC6.1"),
    ...controls(iso, "A.8.24"),
    ...controls(hipaa, "164.312(a)(2)(iv)"),
  ],
  encryptionInTransit: [
    ...controls(nist, "SC-8", "SC-8(1)"),
    ...controls(pci, "4.2.1"),
    ...controls(soc2, "CC6.7"),
    ...controls(iso, "A.8.24"),
    ...controls(hipaa, "164.312(e)(1)", "164.312(e)(2)(ii)"),
  ],
  inboundNetwork: [
    ...controls(nist, "SC-7", "AC-17", "CM-7"),
    ...controls(pci, "1.3.1", "1.4.2"),
    ...controls(soc2, "CC6.6"),
    ...controls(iso, "A.8.20", "A.8.22"),
  ],
  outboundNetwork: [
    ...controls(nist, "SC-7", "SC-7(5)"),
    ...controls(pci, "1.3.2"),
    ...controls(soc2, "CC6.6"),
    ...controls(iso, "A.8.20"),
  ],
  leastPrivilege: [
    ...controls(nist, "AC-6", "AC-6(5)", "AC-2"),
    ...controls(pci, "7.2.1", "7.2.2"),
    ...controls(soc2, "CC6.3"),
    ...controls(iso, "A.5.15", "A.5.18", "A.8.2"),
    ...controls(hipaa, "164.312(a)(1)"),
  ],
  mfa: [
    ...controls(nist, "IA-2(1)", "IA-2(2)"),
    ...controls(pci, "8.4.2"),
    ...controls(soc2, "CC6.1"),
    ...controls(iso, "A.8.5"),
    ...controls(hipaa, "164.312(d)"),
  ],
  credentialHygiene: [
    ...controls(nist, "IA-5", "AC-2(3)"),
    ...controls(pci, "8.2.6", "8.6.3"),
    ...controls(soc2, "CC6.1", "CC6.2"),
    ...controls(iso, "A.5.17", "A.5.18"),
    ...controls(hipaa, "164.308(a)(5)(ii)(D)"),
  ],
  logging: [
    ...controls(nist, "AU-2", "AU-12"),
    ...controls(pci, "10.2.1"),
    ...controls(soc2, "CC7.2"),
    ...controls(iso, "A.8.15", "A.8.16"),
    ...controls(hipaa, "164.312(b)"),
  ],
  logIntegrity: [
    ...controls(nist, "AU-9"),
    ...controls(pci, "10.3.2", "10.3.4"),
    ...controls(soc2, "CC7.2"),
    ...controls(iso, "A.8.15"),
    ...controls(hipaa, "164.312(b)"),
  ],
  keyManagement: [
    ...controls(nist, "SC-12"),
    ...controls(pci, "3.7.4"),
    ...controls(soc2, "CC6.1"),
    ...controls(iso, "A.8.24"),
  ],
  threatDetection: [
    ...controls(nist, "SI-4"),
    ...controls(pci, "11.5.1"),
    ...controls(soc2, "CC7.2"),
    ...controls(iso, "A.8.16"),
    ...controls(hipaa, "164.308(a)(1)(ii)(D)"),
  ],
  hardening: [
    ...controls(nist, "CM-6", "CM-7"),
    ...controls(pci, "2.2.1"),
    ...controls(soc2, "CC6.8"),
    ...controls(iso, "A.8.9"),
  ],
  vulnerability: [
    ...controls(nist, "RA-5", "SI-2"),
    ...controls(pci, "6.3.3", "11.3.1"),
    ...controls(soc2, "CC7.1"),
    ...controls(iso, "A.8.8"),
    ...controls(hipaa, "164.308(a)(1)(ii)(B)"),
  ],
  secrets: [
    ...controls(nist, "IA-5(7)", "SC-28"),
    ...controls(pci, "8.6.2"),
    ...controls(soc2, "CC6.1"),
    ...controls(iso, "A.5.17", "A.8.28"),
  ],
  backup: [
    ...controls(nist, "CP-9"),
    ...controls(soc2, "A1.2"),
    ...controls(iso, "A.8.13"),
    ...controls(hipaa, "164.308(a)(7)(ii)(A)"),
  ],
  configurationMonitoring: [
    ...controls(nist, "CM-8", "CM-3"),
    ...controls(soc2, "CC7.1"),
    ...controls(iso, "A.8.9"),
  ],
  resilience: [...controls(nist, "CP-10", "SC-36"), ...controls(soc2, "A1.2"), ...controls(iso, "A.8.14")],
  alerting: [
    ...controls(nist, "AU-6", "SI-4"),
    ...controls(pci, "10.4.1"),
    ...controls(soc2, "CC7.2"),
    ...controls(iso, "A.8.16"),
  ],
  incidentResponse: [
    ...controls(nist, "IR-4", "IR-5"),
    ...controls(pci, "12.10.1"),
    ...controls(soc2, "CC7.3", "CC7.4"),
    ...controls(iso, "A.5.26"),
    ...controls(hipaa, "164.308(a)(6)(ii)"),
  ],
  unsupportedSoftware: [
    ...controls(nist, "SA-22", "SI-2"),
    ...controls(pci, "6.3.3", "12.3.4"),
    ...controls(soc2, "CC7.1"),
    ...controls(iso, "A.8.8"),
  ],
} satisfies Record<string, Control[]>;
