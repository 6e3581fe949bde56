/**
 * The governed pipeline past one machine: its stages and sinks on BullMQ queues (Redis or
 * PostgreSQL) that any number of worker processes serve. BullMQ (and `pg` for PostgreSQL) are
 * optional peer dependencies, loaded only here.
 * @module cloudsteward/queue
 */
export type { QueueConnection } from "./connection.js";
export {
  createQueuedPipeline,
  documentedLimits,
  type EnqueueOptions,
  type EnqueueResult,
  type QueueDeadLetter,
  type QueuedPipeline,
  type QueuedPipelineOptions,
  type QueueStatus,
  type QueueWorker,
  queueDeadLettersNamespace,
  queueIngestedNamespace,
  type StartWorkerOptions,
} from "./queued-pipeline.js";
