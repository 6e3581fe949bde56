import { bundles, cisKubernetes } from "../controls.js";
import type { KnowledgeEntry } from "../entry.js";

/** Kubernetes archetypes: pod security, RBAC and API exposure. */
export const kubernetesEntries: KnowledgeEntry[] = [
  {
    id: "k8s-privilege-escalation-allowed",
    title: "Container allows privilege escalation",
    headline: "Workload {{resource.name}} lets its containers gain more privileges than they start with",
    risk: "A process in {{resource.name}} can use setuid binaries or kernel flaws to become root inside the container.",
    impact: "Privilege escalation is the step that turns an application bug into a node compromise.",
    intents: ["allowPrivilegeEscalation was never set, so the permissive default applies"],
    remediation: [
      "Set `allowPrivilegeEscalation: false` in the securityContext of every container in {{resource.name}}.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "securityContext",
        code: '# {{resource.shortId}}: every container\nsecurityContext:\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: ["ALL"]',
      },
    ],
    controls: [...cisKubernetes("5.2.6"), ...bundles.hardening],
  },
  {
    id: "k8s-privileged-container",
    title: "Privileged container",
    headline: "Workload {{resource.name}} runs a privileged container",
    risk: "A privileged container in {{resource.name}} has all kernel capabilities and device access; escaping to the node is trivial.",
    impact:
      "Compromise of this workload gives control of the node and, through it, other workloads and cluster credentials.",
    intents: [
      "Set for a node agent, storage driver or debugging tool that needed host access",
      "Copied from an example manifest",
    ],
    remediation: [
      "Set `privileged: false` for the containers of {{resource.name}} and grant only the specific capabilities it needs.",
      "Enforce the `baseline` or `restricted` Pod Security Standard on the namespace so new privileged pods are rejected.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "securityContext",
        code: '# {{resource.shortId}}: every container\nsecurityContext:\n  privileged: false\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: ["ALL"]',
      },
      {
        language: "bash",
        label: "Enforce Pod Security (kubectl)",
        code: "kubectl label namespace <namespace> pod-security.kubernetes.io/enforce=baseline --overwrite",
      },
    ],
    controls: [...cisKubernetes("5.2.2"), ...bundles.hardening, ...bundles.leastPrivilege],
  },
  {
    id: "k8s-host-path-mount",
    title: "hostPath volume mounted",
    headline: "Workload {{resource.name}} mounts a directory from the node (hostPath)",
    risk: "Containers in {{resource.name}} can read or write node files, such as kubelet credentials or the container runtime socket.",
    impact: "Node files are a short path to node and cluster compromise.",
    intents: ["Used to read node logs or share a socket", "A quick fix for persistent storage"],
    remediation: [
      "Replace the hostPath volume of {{resource.name}} with a PersistentVolumeClaim, ConfigMap or emptyDir; if unavoidable, mount it read-only and narrowly.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "Volume",
        code: "# {{resource.shortId}}\nvolumes:\n- name: data\n  persistentVolumeClaim:\n    claimName: <claim-name>",
      },
    ],
    controls: [...cisKubernetes("5.2.12"), ...bundles.hardening],
  },
  {
    id: "k8s-host-namespaces",
    title: "Pod shares host namespaces",
    headline: "Workload {{resource.name}} shares the node's network, PID or IPC namespace",
    risk: "{{resource.name}} can see node processes or traffic and reach services bound to the node's loopback interface.",
    impact: "Breaks the isolation between workloads; a compromise spreads to the node and neighbours.",
    intents: ["hostNetwork used for performance or a port-binding workaround"],
    remediation: [
      "Set `hostNetwork`, `hostPID` and `hostIPC` to false in the pod spec of {{resource.name}}.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "Pod spec",
        code: "# {{resource.shortId}}\nspec:\n  hostNetwork: false\n  hostPID: false\n  hostIPC: false",
      },
    ],
    controls: [...cisKubernetes("5.2.3", "5.2.4", "5.2.5"), ...bundles.hardening],
  },
  {
    id: "k8s-added-capabilities",
    title: "Container adds dangerous capabilities",
    headline: "Workload {{resource.name}} adds Linux capabilities such as SYS_ADMIN or NET_RAW",
    risk: "Extra capabilities give {{resource.name}} kernel powers that help escape the container or spoof traffic.",
    impact: "Raises the chance that an application bug becomes a node compromise.",
    intents: ["Added to make a network tool or FUSE mount work"],
    remediation: ["Drop ALL capabilities in {{resource.name}} and add back only the ones proven necessary."],
    snippets: [
      {
        language: "yaml",
        label: "securityContext",
        code: '# {{resource.shortId}}\nsecurityContext:\n  capabilities:\n    drop: ["ALL"]\n    add: [] # add back only what is required, e.g. NET_BIND_SERVICE',
      },
    ],
    controls: [...cisKubernetes("5.2.8", "5.2.9"), ...bundles.hardening],
  },
  {
    id: "k8s-cluster-admin-binding",
    title: "cluster-admin granted broadly",
    headline: "{{resource.name}} binds the cluster-admin role",
    risk: "Subjects of {{resource.name}} can do anything in the cluster, including reading every secret.",
    impact: "Compromise of any bound subject is a full cluster compromise.",
    intents: ["Granted to a CI pipeline or operator to avoid writing a narrower role"],
    remediation: [
      "Replace the cluster-admin binding {{resource.name}} with a Role or ClusterRole listing only the verbs and resources needed.",
    ],
    snippets: [
      {
        language: "bash",
        label: "kubectl",
        code: "kubectl get clusterrolebinding {{resource.shortId}} -o yaml\nkubectl delete clusterrolebinding {{resource.shortId}}",
      },
    ],
    controls: [...cisKubernetes("5.1.1"), ...bundles.leastPrivilege],
  },
  {
    id: "k8s-api-server-exposed",
    title: "Kubernetes API exposed",
    headline: "The Kubernetes API server of {{resource.name}} is reachable from the internet",
    risk: "Attackers can probe the API of {{resource.name}} with stolen tokens, anonymous requests or API exploits.",
    impact: "Cluster takeover exposes every workload and secret.",
    intents: ["The API load balancer was made public for remote access"],
    remediation: [
      "Restrict API access for {{resource.name}} to VPN/office ranges or a private endpoint, and make sure anonymous authentication is disabled.",
    ],
    snippets: [
      {
        language: "text",
        label: "API server flag",
        code: "--anonymous-auth=false",
      },
    ],
    controls: [...cisKubernetes("1.2.1"), ...bundles.inboundNetwork],
  },
  {
    id: "k8s-run-as-root",
    title: "Container runs as root",
    headline: "Workload {{resource.name}} runs its containers as root",
    risk: "A compromise of {{resource.name}} starts with root inside the container, making escapes and tampering easier.",
    impact: "Raises the blast radius of any application vulnerability.",
    intents: ["The image has no non-root user", "runAsNonRoot was never set"],
    remediation: [
      "Set `runAsNonRoot: true` and a non-zero `runAsUser` for {{resource.name}}, and build the image with a non-root USER.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "securityContext",
        code: "# {{resource.shortId}}\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 10001",
      },
    ],
    controls: [...cisKubernetes("5.2.7"), ...bundles.hardening],
  },
  {
    id: "k8s-missing-resource-limits",
    title: "No CPU or memory limits",
    headline: "Workload {{resource.name}} has no CPU or memory limits",
    risk: "{{resource.name}} can consume all node resources, starving other workloads (accidentally or under attack).",
    impact: "Outages of unrelated services on the same nodes.",
    intents: ["Limits were never tuned"],
    remediation: [
      "Set resource requests and limits for every container in {{resource.name}}, and a LimitRange on the namespace.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "Container resources",
        code: "# {{resource.shortId}}\nresources:\n  requests: { cpu: 100m, memory: 128Mi }\n  limits: { cpu: 500m, memory: 512Mi }",
      },
    ],
    controls: bundles.hardening,
  },
  {
    id: "k8s-service-account-token-automount",
    title: "Service account token mounted needlessly",
    headline: "Workload {{resource.name}} automatically mounts a service account token",
    risk: "Anyone who gets code execution in {{resource.name}} also gets a token for the Kubernetes API.",
    impact: "Turns an application compromise into cluster API access.",
    intents: ["Automounting is the default"],
    remediation: [
      "Set `automountServiceAccountToken: false` on {{resource.name}} unless it calls the Kubernetes API.",
    ],
    snippets: [
      {
        language: "yaml",
        label: "Pod spec",
        code: "# {{resource.shortId}}\nspec:\n  automountServiceAccountToken: false",
      },
    ],
    controls: [...cisKubernetes("5.1.6"), ...bundles.leastPrivilege],
  },
];
