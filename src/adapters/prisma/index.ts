/** @module cloudsteward/adapters/prisma */
export type { PrismaPolicyType } from "./map-category.js";
export { type NormalizeOptions, normalize, type PrismaRecordKind } from "./normalize.js";
export { type PrismaOptions, prisma } from "./prisma.js";
export type { PrismaAlert, PrismaWebhookAlert } from "./schemas.js";
export { type PrismaWebhookOptions, parseWebhook } from "./webhook.js";
