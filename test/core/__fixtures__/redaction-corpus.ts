/**
 * Redaction corpus: every positive `text` must come out without any of its `secrets`, and every
 * negative string must come out unchanged. All credentials here are fake (random or documented
 * example values) and shaped like the real thing.
 */
export interface PositiveCase {
  name: string;
  text: string;
  /** Substrings that must not survive redaction. */
  secrets: string[];
  /** The mask kind expected in the output. */
  kind: string;
}

const random36 = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";
const random40 = "KLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXu";
const awsSecret = "76UMFxFkM+R5Kjp1vRt/1fjORS+6ilI8ihN5KXSc";
const random35 = "8DwkNhFdnXsiVpzz63FfkCzJr4i0B3JrTAw";
const random24 = "R4y9ojfljoQoaF1LlqsajAIx";
const random48 = "nCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgVvVqE1S";
const random32 = "kHbn88HxjSI6bWHtP3fS2qHx6kwXoIIX";
const random43 = "QCyEZDz_TddJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Z";
const random64 = "V8fUkkibjL5DZPjN0MEQ7wjJJibaZUPgHV7iB3m03nbqnsGpWLuqIA1id6Vw5DQL";
const jwt =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtc2Nhbm5lciIsImV4cCI6MTcwMDAwMDAwMH0.Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0";
const pemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu";

export const positives: PositiveCase[] = [
  { name: "AWS access key id", text: "found key AKIAQ7ZL4UI6D39ZZZG4 in env", secrets: ["AKIAQ7ZL4UI6D39ZZZG4"], kind: "aws_access_key_id" },
  { name: "AWS STS key id", text: "session ASIAUI6D39ZZZZG4ZDME used", secrets: ["ASIAUI6D39ZZZZG4ZDME"], kind: "aws_access_key_id" },
  { name: "AWS secret key in env file", text: `AWS_SECRET_ACCESS_KEY=${awsSecret}`, secrets: [awsSecret], kind: "aws_secret_key" },
  { name: "AWS secret key in JSON", text: `{"AccessKeyId":"AKIAQ7ZL4UI6D39ZZZG4","SecretAccessKey":"${awsSecret}"}`, secrets: [awsSecret, "AKIAQ7ZL4UI6D39ZZZG4"], kind: "aws_secret_key" },
  { name: "AWS secret key in ini", text: `[default]\naws_secret_access_key = ${awsSecret}\n`, secrets: [awsSecret], kind: "aws_secret_key" },
  { name: "RSA private key", text: `key:\n-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----\ndone`, secrets: ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj", "MzEfYyjiWA4R4"], kind: "private_key" },
  { name: "PKCS8 private key", text: `-----BEGIN PRIVATE KEY-----\n${pemBody}\n-----END PRIVATE KEY-----`, secrets: ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"], kind: "private_key" },
  { name: "EC private key with escaped newlines", text: `{"key":"-----BEGIN EC PRIVATE KEY-----\\n${pemBody.replace("\n", "\\n")}\\n-----END EC PRIVATE KEY-----\\n"}`, secrets: ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"], kind: "private_key" },
  { name: "OpenSSH private key, truncated", text: `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW`, secrets: ["b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"], kind: "private_key" },
  { name: "JWT alone", text: `token in log: ${jwt}`, secrets: [jwt.split(".")[1]!, jwt.split(".")[2]!], kind: "jwt" },
  { name: "Prisma x-redlock-auth JWT", text: `x-redlock-auth: ${jwt}`, secrets: [jwt.split(".")[1]!], kind: "jwt" },
  { name: "Bearer header", text: `Authorization: Bearer ${random40}`, secrets: [random40], kind: "authorization" },
  { name: "Bearer in curl", text: `curl -H "Authorization: Bearer ${random36}" https://api.example.com`, secrets: [random36], kind: "bearer" },
  { name: "Basic credentials", text: "proxy sent Basic dXNlcjpzM2NyM3RQYXNz to upstream", secrets: ["dXNlcjpzM2NyM3RQYXNz"], kind: "basic" },
  { name: "Orca Token scheme", text: `Authorization: Token ${random48}`, secrets: [random48], kind: "authorization" },
  { name: "Cookie header", text: "Cookie: session=9f8e7d6c5b4a; csrftoken=abcdefg12345", secrets: ["9f8e7d6c5b4a", "abcdefg12345"], kind: "cookie" },
  { name: "password in https URL", text: "clone https://deploy:Sup3rS3cret!@git.example.com/repo.git", secrets: ["Sup3rS3cret!"], kind: "password" },
  { name: "postgres URL", text: "DATABASE_URL=postgres://app:pg-Pa55word@db.internal:5432/app", secrets: ["pg-Pa55word"], kind: "password" },
  { name: "mongodb+srv URL", text: "mongodb+srv://admin:m0ng0Secret@cluster0.abcd.mongodb.net/test", secrets: ["m0ng0Secret"], kind: "password" },
  { name: "redis URL with empty user", text: "redis://:r3disPass@cache:6379/0", secrets: ["r3disPass"], kind: "password" },
  { name: "ADO connection string", text: "Server=tcp:sql.example.net,1433;Database=app;User ID=sa;Password=Adm1n!Pass;Encrypt=True;", secrets: ["Adm1n!Pass"], kind: "password" },
  { name: "ODBC Pwd", text: "Driver={ODBC Driver 18};Server=db;Uid=report;Pwd=R3portPwd;", secrets: ["R3portPwd"], kind: "password" },
  { name: "Azure storage connection string", text: `DefaultEndpointsProtocol=https;AccountName=stdata;AccountKey=${random64}==;EndpointSuffix=core.windows.net`, secrets: [random64], kind: "access_key" },
  { name: "Azure service bus SAS key", text: `Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${random43}=`, secrets: [random43], kind: "access_key" },
  { name: "GitHub classic token", text: `GITHUB_TOKEN ghp_${random36}`, secrets: [`ghp_${random36}`], kind: "github_token" },
  { name: "GitHub app token in URL", text: `https://x-access-token:ghs_${random36}@github.com/org/repo`, secrets: [random36], kind: "password" },
  { name: "GitHub fine-grained token", text: `github_pat_11ABCDEFG0${random48}`, secrets: [random48], kind: "github_token" },
  { name: "Slack bot token", text: "SLACK_BOT_TOKEN xoxb-1234567890123-1234567890123-R4y9ojfljoQoaF1LlqsajAIx", secrets: ["R4y9ojfljoQoaF1LlqsajAIx"], kind: "slack_token" },
  { name: "Slack webhook", text: "notify https://hooks.slack.com/services/T00000000/B00000000/R4y9ojfljoQoaF1LlqsajAIx now", secrets: ["R4y9ojfljoQoaF1LlqsajAIx"], kind: "slack_webhook" },
  { name: "Stripe live key", text: `stripe key sk_live_${random24}`, secrets: [random24], kind: "stripe_key" },
  { name: "Stripe restricted key", text: `rk_test_${random32}`, secrets: [random32], kind: "stripe_key" },
  { name: "Google API key", text: `maps key AIza${random35}`, secrets: [random35], kind: "google_api_key" },
  { name: "OpenAI project key", text: `OPENAI sk-proj-${random48}`, secrets: [random48], kind: "api_key" },
  { name: "Anthropic key", text: `ANTHROPIC sk-ant-api03-${random43}`, secrets: [random43], kind: "api_key" },
  { name: "Hugging Face token", text: `hf_${random36} in notebook`, secrets: [random36], kind: "huggingface_token" },
  { name: "SendGrid key", text: `SG.${random24.slice(0, 22)}.${random43}`, secrets: [random43], kind: "sendgrid_key" },
  { name: "Entra ID client secret", text: "client secret abc8Q~R4y9ojfljoQoaF1LlqsajAIx.k_0Zz-9 leaked", secrets: ["R4y9ojfljoQoaF1LlqsajAIx"], kind: "azure_client_secret" },
  { name: "form body client secret", text: "grant_type=client_credentials&client_id=app&client_secret=s3cr3tValue", secrets: ["s3cr3tValue"], kind: "url_param" },
  { name: "GitLab token", text: `glpat-${random24}`, secrets: [random24], kind: "gitlab_token" },
  { name: "labelled password", text: "db password=hunter2 set in user data", secrets: ["hunter2"], kind: "password" },
  { name: "labelled password, quoted with spaces", text: 'config: password: "correct horse battery staple"', secrets: ["correct horse battery staple"], kind: "password" },
  { name: "env var password", text: "MYSQL_ROOT_PASSWORD=r00tPw", secrets: ["r00tPw"], kind: "password" },
  { name: "JSON client secret", text: '{"client_id":"app-1","client_secret":"cs~8Q_x-Zp3"}', secrets: ["cs~8Q_x-Zp3"], kind: "secret" },
  { name: "YAML api key", text: "datadog:\n  api_key: 0123abcd4567ef89\n", secrets: ["0123abcd4567ef89"], kind: "api_key" },
  { name: "labelled token", text: "Lacework X-LW-UAKS exchange failed, token: tk_9a8b7c", secrets: ["tk_9a8b7c"], kind: "token" },
  { name: "URL signature params", text: `GET https://bucket.s3.amazonaws.com/obj?X-Amz-Credential=AKIAQ7ZL4UI6D39ZZZG4%2F20240101&X-Amz-Signature=${random64}`, secrets: [random64, "AKIAQ7ZL4UI6D39ZZZG4"], kind: "url_param" },
  { name: "Azure SAS sig", text: "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=Zm9vYmFy%2BYmF6cXV4&se=2025-01-01", secrets: ["Zm9vYmFy%2BYmF6cXV4"], kind: "url_param" },
  { name: "OAuth code and access_token", text: "redirect /cb?code=4%2F0AbCdEf&state=x#access_token=ya29.a0AfH6SMB", secrets: ["4%2F0AbCdEf", "ya29.a0AfH6SMB"], kind: "url_param" },
  { name: "unlabelled high-entropy token", text: `leaked ${random48} in a log line`, secrets: [random48], kind: "high_entropy" },
  { name: "unlabelled base64 secret with slashes", text: `value ${awsSecret} found`, secrets: [awsSecret], kind: "high_entropy" },
];

export const negatives: string[] = [
  "S3 bucket customer-exports allows public read access",
  "arn:aws:iam::123456789012:role/service-role/AWSServiceRoleForAmazonEKSNodegroup",
  "arn:aws:s3:::customer-exports-2024-eu-west-1",
  "arn:aws:lambda:us-east-1:123456789012:function:ProcessPaymentsHandlerV2Production",
  "/subscriptions/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata01",
  "//compute.googleapis.com/projects/prod-123/zones/us-central1-a/instances/vm-1",
  "k8s prod-eks/payments/deployment/api-server-7d9f8b6c5d",
  "issue 8a4e2b1c-0d3f-4e5a-9b6c-7d8e9f0a1b2c was resolved",
  "image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it",
  "md5 5d41402abc4b2a76b9719d911017c592",
  "Released version 2.14.3-beta.1+build.20240101",
  "Occurred at 2024-06-01T12:34:56.789Z on host 10.0.12.34",
  "Listening on [2001:db8::8a2e:370:7334]:8443",
  "Ensure the password policy requires at least 14 characters",
  "Rotate secrets every 90 days and store them in AWS Secrets Manager",
  "The access token expires after one hour",
  "Enable MFA for the root user",
  "Basic authentication is enabled on the web app",
  "Bearer tokens must be sent over TLS",
  "password: required",
  "password=${DB_PASSWORD}",
  'api_key: "<your-api-key>"',
  "client_secret: ********",
  "Use the Authorization header with a Bearer scheme",
  "https://console.wiz.io/issues#~(issue~'8a4e2b1c-0d3f-4e5a-9b6c-7d8e9f0a1b2c)",
  "https://api.prismacloud.io/v2/alert?timeType=relative&timeAmount=24&timeUnit=hour&pageToken=",
  "https://app.us.orcasecurity.io/api/alerts?limit=100&page=2",
  "CVE-2024-3094 affects xz-utils 5.6.0 and 5.6.1, fixed in 5.6.2",
  "aGVsbG8gd29ybGQ=",
  "dGhlIHF1aWNrIGJyb3duIGZveA==",
  "Pod api-server-7d9f8b6c5d-x2k9p in namespace payments runs as root",
  "Security group sg-0a1b2c3d4e5f67890 allows 0.0.0.0/0 on port 22",
  "Instance i-0abc123def4567890 has IMDSv1 enabled",
  "AWSServiceRoleForAmazonEKSNodegroup",
  "KMS key alias/aws/s3 is not rotated",
  "projects/prod-123/secrets/db-password/versions/3",
  "Finding P-1234567 from policy 8f2c7a31-5a3e-4b1d-9c6e-2f4d8a9b0c1e",
  "orca-12345 severity high",
  "Lacework alert 987654 closed with reason 1",
  "secretName: db-credentials",
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf",
  "The tokenizer splits text into tokens",
  "max_tokens 4096, temperature 0.2",
  "Microsoft.KeyVault/vaults/kv-prod-weu-001/secrets/sql-admin-password",
  "ResourceId=/subscriptions/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/resourceGroups/rg",
  "com.amazonaws.services.s3.AmazonS3ClientBuilderConfigurationProvider2",
  "user@example.com reported the issue from 192.168.1.20",
];
