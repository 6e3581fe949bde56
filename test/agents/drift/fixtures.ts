/** `terraform show -json` of a state: the documented shape (values.root_module, child_modules). */
export const terraformState = {
  format_version: "1.0",
  terraform_version: "1.9.5",
  values: {
    root_module: {
      resources: [
        {
          address: "aws_s3_bucket.logs",
          mode: "managed",
          type: "aws_s3_bucket",
          name: "logs",
          provider_name: "registry.terraform.io/hashicorp/aws",
          schema_version: 0,
          values: {
            arn: "arn:aws:s3:::acme-logs",
            bucket: "acme-logs",
            acl: "private",
            tags: { team: "platform" },
          },
          sensitive_values: {},
        },
        {
          address: "data.aws_caller_identity.current",
          mode: "data",
          type: "aws_caller_identity",
          name: "current",
          values: {
            account_id: "123456789012",
            arn: "arn:aws:iam::123456789012:user/ci",
            id: "123456789012",
          },
        },
      ],
      child_modules: [
        {
          address: "module.network",
          resources: [
            {
              address: "module.network.aws_security_group.web",
              mode: "managed",
              type: "aws_security_group",
              name: "web",
              values: {
                id: "sg-0abc",
                ingress: [{ from_port: 443, to_port: 443, protocol: "tcp", cidr_blocks: ["10.0.0.0/8"] }],
              },
            },
          ],
        },
      ],
    },
  },
};

/** `terraform show -json` of a saved plan: resource_changes with before/after, and the prior state. */
export const terraformPlan = {
  format_version: "1.2",
  terraform_version: "1.9.5",
  prior_state: {
    format_version: "1.0",
    values: {
      root_module: {
        resources: [
          {
            address: "aws_s3_bucket.logs",
            mode: "managed",
            type: "aws_s3_bucket",
            name: "logs",
            values: { arn: "arn:aws:s3:::acme-logs", bucket: "acme-logs", versioning: [{ enabled: false }] },
          },
        ],
      },
    },
  },
  resource_changes: [
    {
      address: "aws_s3_bucket.logs",
      mode: "managed",
      type: "aws_s3_bucket",
      name: "logs",
      provider_name: "registry.terraform.io/hashicorp/aws",
      change: {
        actions: ["update"],
        before: { arn: "arn:aws:s3:::acme-logs", bucket: "acme-logs", versioning: [{ enabled: false }] },
        after: { bucket: "acme-logs", versioning: [{ enabled: true }] },
        after_unknown: {},
      },
    },
    {
      address: "aws_s3_bucket.old",
      mode: "managed",
      type: "aws_s3_bucket",
      name: "old",
      change: {
        actions: ["delete"],
        before: { arn: "arn:aws:s3:::acme-old", bucket: "acme-old" },
        after: null,
      },
    },
    {
      address: "data.aws_iam_policy_document.x",
      mode: "data",
      type: "aws_iam_policy_document",
      name: "x",
      change: { actions: ["read"], before: null, after: { id: "123" } },
    },
  ],
};
