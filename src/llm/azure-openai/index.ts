/** @module cloudsteward/llm/azure-openai */
export {};
