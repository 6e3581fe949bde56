import {
  type ApiError,
  AuthenticationError,
  ConfigurationError,
  isCloudstewardError,
} from "../../core/errors.js";
import { resolveSecret, type Secret } from "../../core/secret.js";
import { mapStopReason, readForcedTool } from "../forced-tool.js";
import { toToolInputSchema } from "../json-schema.js";
import type {
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  ModelMessage,
  TextPart,
  ToolCall,
  ToolCallPart,
} from "../language-model.js";
import { type ProviderOptions, providerClient } from "../provider.js";
import { type AwsCredentials, signingFetch } from "./sigv4.js";

/** Options of {@link bedrock}. */
export interface BedrockOptions extends ProviderOptions {
  /** A model id (`anthropic.claude-sonnet-4-5-20250929-v1:0`), an inference profile (`us.anthropic.…`) or an ARN. */
  model: string;
  /** The AWS region. @default process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION */
  region?: string;
  /**
   * SigV4 credentials, or a function returning fresh ones (called before every request, so
   * temporary credentials can rotate).
   * @default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the environment
   */
  credentials?: AwsCredentials | (() => AwsCredentials | Promise<AwsCredentials>);
  /** A Bedrock API key, sent as a bearer token instead of SigV4. @default process.env.AWS_BEARER_TOKEN_BEDROCK */
  apiKey?: Secret;
  /** The runtime endpoint. @default `https://bedrock-runtime.${region}.amazonaws.com` */
  baseURL?: string;
  /** Retries after the first attempt, on throttling, 5xx and network errors. @default 2 */
  maxRetries?: number;
}

/**
 * A model on Amazon Bedrock through the Converse API, signed with SigV4 (or a Bedrock API key).
 * Structured output uses a forced tool (`toolConfig.toolChoice.tool`).
 * @example
 * const model = bedrock({ model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", region: "us-east-1" });
 * const { object } = await generateObject(model, { schema, schemaName: "explanation", prompt });
 */
export function bedrock(options: BedrockOptions): LanguageModel {
  // The credentials resolved for the attempt in flight: read by the signer and scrubbed from errors.
  let current: { credentials?: AwsCredentials; bearer?: string; region: string } | undefined;
  const http = providerClient(options, {
    integration: "bedrock",
    fetch: signingFetch({
      service: "bedrock",
      region: () => current?.region ?? "us-east-1",
      credentials: () => current?.credentials,
      fetch: options.fetch,
    }),
    headers: async (): Promise<Record<string, string>> => {
      current = await resolveAuth(options);
      return current.bearer ? { authorization: `Bearer ${current.bearer}` } : {};
    },
    secrets: () => [
      current?.credentials?.secretAccessKey,
      current?.credentials?.sessionToken,
      current?.bearer,
    ],
    authHint:
      "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK) and bedrock:InvokeModel access",
  });

  return {
    specificationVersion: "v1",
    provider: "bedrock",
    modelId: options.model,
    async generate(request) {
      const region = resolveRegion(options);
      const base = (options.baseURL ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, "");
      try {
        const response = await http.post<ConverseResponse>(
          `${base}/model/${encodeURIComponent(options.model)}/converse`,
          { json: toConverseBody(request), signal: request.signal },
        );
        return fromConverseResponse(response, request);
      } catch (error) {
        throw asAuthenticationError(error);
      }
    },
  };
}

interface ConverseResponse {
  output?: {
    message?: {
      content?: ({ text?: string } & { toolUse?: { toolUseId: string; name: string; input: unknown } })[];
    };
  };
  stopReason?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
}

async function resolveAuth(
  options: BedrockOptions,
): Promise<{ credentials?: AwsCredentials; bearer?: string; region: string }> {
  const region = resolveRegion(options);
  if (options.credentials !== undefined) {
    const credentials =
      typeof options.credentials === "function" ? await options.credentials() : options.credentials;
    return { credentials, region };
  }
  if (options.apiKey !== undefined || process.env.AWS_BEARER_TOKEN_BEDROCK) {
    const bearer = await resolveSecret(options.apiKey, {
      env: "AWS_BEARER_TOKEN_BEDROCK",
      option: "apiKey",
      integration: "bedrock",
    });
    return { bearer, region };
  }
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigurationError(
      "bedrock: credentials are missing. Pass `credentials` (or `apiKey`) to bedrock() or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK).",
      { option: "credentials", env: "AWS_ACCESS_KEY_ID" },
    );
  }
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined },
    region,
  };
}

function resolveRegion(options: BedrockOptions): string {
  const region = options.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION);
  if (!region) {
    throw new ConfigurationError(
      "bedrock: the region is missing. Pass `region` to bedrock() or set AWS_REGION.",
      {
        option: "region",
        env: "AWS_REGION",
      },
    );
  }
  return region;
}

function toConverseBody(request: GenerateRequest): Record<string, unknown> {
  const format = request.responseFormat;
  const tools = [
    ...(request.tools ?? []).map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        inputSchema: { json: tool.inputSchema },
      },
    })),
    ...(format
      ? [
          {
            toolSpec: {
              name: format.name,
              description: format.description ?? `Return the answer as a "${format.name}" object.`,
              inputSchema: { json: toToolInputSchema(format.schema) },
            },
          },
        ]
      : []),
  ];
  const body: Record<string, unknown> = {
    ...(request.system ? { system: [{ text: request.system }] } : {}),
    messages: request.messages.map(toConverseMessage),
  };
  const inferenceConfig: Record<string, number> = {};
  if (request.maxOutputTokens !== undefined) inferenceConfig.maxTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) inferenceConfig.temperature = request.temperature;
  if (Object.keys(inferenceConfig).length) body.inferenceConfig = inferenceConfig;
  if (tools.length) {
    const choice = format ? { tool: { name: format.name } } : toConverseToolChoice(request.toolChoice);
    body.toolConfig = { tools, ...(choice ? { toolChoice: choice } : {}) };
  }
  return body;
}

function toConverseMessage(message: ModelMessage): Record<string, unknown> {
  if (message.role === "tool") {
    return {
      role: "user",
      content: message.content.map((part) => ({
        toolResult: {
          toolUseId: part.toolCallId,
          content: [typeof part.output === "string" ? { text: part.output } : { json: part.output }],
          status: part.isError ? "error" : "success",
        },
      })),
    };
  }
  if (typeof message.content === "string")
    return { role: message.role, content: [{ text: message.content }] };
  return {
    role: message.role,
    content: (message.content as (TextPart | ToolCallPart)[]).flatMap((part): Record<string, unknown>[] => {
      if (part.type === "text") return part.text ? [{ text: part.text }] : [];
      return [{ toolUse: { toolUseId: part.toolCallId, name: part.toolName, input: part.input } }];
    }),
  };
}

function toConverseToolChoice(choice: GenerateRequest["toolChoice"]): unknown {
  if (choice === undefined || choice === "none") return undefined;
  if (choice === "auto") return { auto: {} };
  if (choice === "required") return { any: {} };
  return { tool: { name: choice.toolName } };
}

function fromConverseResponse(body: ConverseResponse, request: GenerateRequest): GenerateResult {
  let text = "";
  const uses: ToolCall[] = [];
  for (const block of body.output?.message?.content ?? []) {
    if (typeof block.text === "string") text += block.text;
    else if (block.toolUse) {
      uses.push({
        toolCallId: block.toolUse.toolUseId,
        toolName: block.toolUse.name,
        input: block.toolUse.input,
      });
    }
  }
  const { structured, ...answer } = readForcedTool(text, uses, request.responseFormat?.name);
  return {
    ...answer,
    usage: { inputTokens: body.usage?.inputTokens ?? 0, outputTokens: body.usage?.outputTokens ?? 0 },
    finishReason: mapStopReason(body.stopReason, structured),
    warnings: [],
    raw: body,
  };
}

/** AWS answers bad or expired credentials with 403 (UnrecognizedClientException, InvalidSignatureException, ExpiredToken). */
function asAuthenticationError(error: unknown): unknown {
  if (!isCloudstewardError(error, "PERMISSION_DENIED")) return error;
  const apiError = error as ApiError;
  if (
    !/security token|signature|expired ?token|unrecognized ?client/i.test(
      `${apiError.message} ${apiError.body ?? ""}`,
    )
  ) {
    return error;
  }
  return new AuthenticationError(apiError.message, {
    integration: apiError.integration,
    status: apiError.status,
    method: apiError.method,
    url: apiError.url,
    requestId: apiError.requestId,
    body: apiError.body,
    cause: error,
  });
}
