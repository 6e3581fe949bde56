/** @module cloudsteward/sinks/email */
export {
  type EmailMessage,
  type EmailOptions,
  type EmailSink,
  type EmailTransport,
  email,
  type SmtpOptions,
} from "./email.js";
