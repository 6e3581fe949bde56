/** @module cloudsteward/llm/azure-openai */
export { type AzureOpenAIOptions, azureOpenai } from "./azure-openai.js";
