import { type ArchetypeMatcher, m, PUBLIC } from "./matcher.js";

const K8S = ["kubernetes"];
const APISERVER = ["api server", "apiserver", "kube apiserver"];
const KUBELET = ["kubelet"];
const ETCD = ["etcd"];
const CONTROLLER = ["controller manager", "controllermanager", "kube controller manager"];
const SCHEDULER = ["scheduler"];

/** Built-in Kubernetes matchers, in precedence order. */
export const kubernetesMatchers: readonly ArchetypeMatcher[] = [
  // --- Node files (before anything that reads "root") ---
  m("k8s-node-file-permissions", K8S, [
    ["kubelet", "kubeconfig", "kubelet.conf", "config.yaml", "service file"],
    ["permissions", "permission"],
  ]),
  m("k8s-node-file-ownership", K8S, [
    ["kubelet", "kubeconfig", "kubelet.conf", "config.yaml", "service file"],
    ["ownership", "owned by"],
  ]),

  // --- API server flags ---
  ...flags("k8s-apiserver", APISERVER, [
    ["anonymous-auth", ["anonymous"]],
    ["always-allow-authorization", ["alwaysallow", "always allow"]],
    ["node-authorization-missing", ["node in", "include node", "authorization mode node"]],
    ["rbac-authorization-missing", ["rbac"]],
    ["always-admit-plugin", ["alwaysadmit", "always admit"]],
    ["always-pull-images-disabled", ["alwayspullimages", "always pull images"]],
    ["event-rate-limit-disabled", ["eventratelimit", "event rate limit"]],
    ["namespace-lifecycle-disabled", ["namespacelifecycle", "namespace lifecycle"]],
    ["node-restriction-disabled", ["noderestriction", "node restriction"]],
    ["security-context-deny-disabled", ["securitycontextdeny", "security context deny", "podsecuritypolicy"]],
    [
      "service-account-plugin-disabled",
      ["serviceaccount admission", "service account admission", "serviceaccount plugin"],
    ],
    ["deny-external-ips-disabled", ["denyserviceexternalips", "deny service external ips", "external ips"]],
    [
      "audit-log-rotation-unset",
      ["audit log maxage", "audit log maxbackup", "audit log maxsize", "maxage", "maxbackup", "maxsize"],
    ],
    ["audit-log-disabled", ["audit log path", "audit log"]],
    ["token-auth-file", ["token auth file"]],
    ["kubelet-certificate-authority-unset", ["kubelet certificate authority"]],
    ["kubelet-client-certificate-unset", ["kubelet client certificate", "kubelet client key"]],
    ["etcd-ca-unset", ["etcd cafile"]],
    ["etcd-tls-unset", ["etcd certfile", "etcd keyfile", "etcd tls"]],
    ["encryption-provider-unset", ["encryption provider"]],
    ["service-account-lookup-disabled", ["service account lookup"]],
    ["service-account-key-file-unset", ["service account key file"]],
    ["client-ca-unset", ["client ca file"]],
    ["request-timeout-unset", ["request timeout"]],
    ["profiling-enabled", ["profiling"]],
    ["weak-ciphers", ["cipher", "ciphers"]],
    ["tls-unset", ["tls cert file", "tls private key file", "tls cert"]],
  ]),
  ...flags("k8s-controller-manager", CONTROLLER, [
    ["bind-address-exposed", ["bind address", "bound to", "loopback"]],
    ["profiling-enabled", ["profiling"]],
    ["terminated-pod-gc-default", ["terminated pod gc", "garbage collection"]],
    ["root-ca-unset", ["root ca file"]],
    [
      "kubelet-cert-rotation-disabled",
      ["rotatekubeletservercertificate", "rotate kubelet server certificate"],
    ],
    ["service-account-credentials-disabled", ["use service account credentials"]],
    ["service-account-private-key-unset", ["service account private key file"]],
  ]),
  ...flags("k8s-scheduler", SCHEDULER, [
    ["bind-address-exposed", ["bind address", "bound to", "loopback"]],
    ["profiling-enabled", ["profiling"]],
  ]),
  ...flags("k8s-etcd", ETCD, [
    [
      "peer-auto-tls-enabled",
      ["peer auto tls", "self signed certificates for peer", "automatically generated"],
    ],
    ["peer-client-cert-auth-disabled", ["peer client cert", "peer client certificate"]],
    ["peer-tls-unset", ["peer tls", "peer connections", "peer certfile"]],
    ["auto-tls-enabled", ["auto tls"]],
    ["client-cert-auth-disabled", ["client cert auth", "client certificate authentication"]],
    ["unique-ca-missing", ["unique certificate authority", "unique ca", "distinct from"]],
    ["tls-unset", ["tls encryption", "tls", "cert file"]],
  ]),
  ...flags("k8s-kubelet", KUBELET, [
    ["anonymous-auth", ["anonymous"]],
    ["always-allow-authorization", ["alwaysallow", "always allow", "authorization mode"]],
    ["client-ca-unset", ["client ca"]],
    ["read-only-port-enabled", ["read only port"]],
    ["streaming-timeout-disabled", ["streaming connection"]],
    ["iptables-unmanaged", ["iptables"]],
    ["event-qps-unset", ["eventrecordqps", "event record qps"]],
    ["certificate-rotation-disabled", ["rotate", "rotation"]],
    ["weak-ciphers", ["cipher", "ciphers"]],
    ["tls-unset", ["tls certificate", "tls cert", "private key"]],
  ]),

  // --- RBAC ---
  m("k8s-cluster-admin-binding", K8S, [["cluster-admin", "clusteradmin", "cluster admin"]]),
  m("k8s-rbac-csr-approval", K8S, [["certificatesigningrequests", "csr"]]),
  m("k8s-rbac-node-proxy", K8S, [["nodes/proxy", "node proxy"]]),
  m("k8s-rbac-pod-creation", K8S, [["create"], ["pods", "pod creation"]], { exclude: ["persistentvolume"] }),
  m("k8s-rbac-pv-creation", K8S, [["persistentvolumes", "persistent volume", "persistentvolume"]]),
  m("k8s-rbac-secret-access", K8S, [["secrets"], ["get", "list", "watch", "access"]]),
  m("k8s-rbac-token-creation", K8S, [["service account tokens", "serviceaccount token", "token creation"]]),
  m("k8s-rbac-webhook-configuration", K8S, [["webhook"]]),
  m("k8s-rbac-wildcard", K8S, [["wildcard"]]),

  // --- Workloads ---
  m("k8s-privilege-escalation-allowed", K8S, [["privilege escalation", "allowprivilegeescalation"]]),
  m("k8s-windows-hostprocess", K8S, [["hostprocess", "host process"]]),
  m("k8s-privileged-container", K8S, [["privileged"]]),
  m("k8s-host-path-mount", K8S, [["hostpath", "host path"]]),
  m("k8s-host-port", K8S, [["hostport", "hostports", "host port"]]),
  m("k8s-host-namespaces", K8S, [
    ["hostnetwork", "host network", "hostpid", "host pid", "hostipc", "host ipc", "host namespace"],
  ]),
  m("k8s-added-capabilities", K8S, [["capabilit", "sys_admin", "net_raw", "net_admin"]]),
  m("k8s-root-filesystem-writable", K8S, [
    ["read only root", "readonly root", "readonlyrootfilesystem", "root filesystem", "root file system"],
  ]),
  m("k8s-seccomp-profile-missing", K8S, [["seccomp"]]),
  m("k8s-api-server-exposed", K8S, [
    ["api server", "apiserver", "kubernetes api", "control plane"],
    [...PUBLIC, "exposed", "internet"],
  ]),
  m("k8s-run-as-root", K8S, [["root", "runasnonroot", "run as non-root", "uid 0"]], {
    exclude: ["filesystem", "file system", "readonlyrootfilesystem", "root:root", "root ca"],
  }),
  m("k8s-missing-resource-requests", K8S, [
    ["request", "requests"],
    ["cpu", "memory"],
  ]),
  m("k8s-missing-resource-limits", K8S, [["limit"], ["cpu", "memory", "resource"]]),
  m("k8s-liveness-probe-missing", K8S, [["liveness"]]),
  m("k8s-readiness-probe-missing", K8S, [["readiness"]]),
  m("k8s-image-tag-mutable", K8S, [["image tag", "fixed tags", "latest tag", "image tags"]]),
  m("k8s-service-account-token-automount", K8S, [["automount", "service account token"]]),
];

/** One archetype per component flag: ids `<component>-<flag>`, each needing a component word. */
function flags(
  component: string,
  words: readonly string[],
  entries: [string, string[]][],
): ArchetypeMatcher[] {
  return entries.map(([flag, keywords]) => m(`${component}-${flag}`, K8S, [words, keywords]));
}
