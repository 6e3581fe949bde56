/** A Wiz Automation Rule webhook body (the default issue template), for the webhook examples. */
export const sampleWizWebhook = {
  trigger: { source: "ISSUES", type: "Created", ruleId: "ar-1", ruleName: "Send to governance" },
  issue: { id: "9b2f6c1e-example", status: "OPEN", severity: "HIGH", created: "2026-03-02T10:11:12Z" },
  resource: {
    id: "arn:aws:s3:::legacy-logs",
    name: "legacy-logs",
    type: "bucket",
    cloudPlatform: "AWS",
    subscriptionId: "111122223333",
    region: "us-east-1",
  },
  control: { id: "wc-id-1234", name: "S3 bucket allows public read access", severity: "HIGH" },
};
