import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import type { Queryable } from "@/db/client";
import { webhookEndpoints } from "@/db/schema";
import { openWebhookSecret, webhookAddressRefusal, webhookRules } from "@/lib/domain/webhooks";
import type { UpstreamRules } from "@/lib/domain/upstream-rules";
import { type DeliveryResult, type OutboxMessage, registerSender } from "./worker";

/**
 * Delivers webhook messages of the outbox (Standard Webhooks): the JSON body signed with the
 * endpoint's secret, the event id as webhook-id on every attempt. Redirects are not followed,
 * and the address a host name resolves to is judged by the webhook rules before connecting.
 */

/** Retried with backoff for a day, then failed. */
export const WEBHOOK_RETRY_FOR_MS = 24 * 60 * 60_000;
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookSenderOptions {
  /** The webhook rules; read from the settings at each delivery by default. */
  rules?: () => UpstreamRules;
  timeoutMs?: number;
  /** Resolves host names; tests put their own in. */
  lookup?: LookupFunction;
  /** The time written in webhook-timestamp. */
  clock?: () => Date;
}

/** Why the connection was refused, kept apart from network errors so the log says so. */
class RefusedAddressError extends Error {}

function guardedLookup(rules: UpstreamRules, port: number, lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, found) => {
      if (error) return callback(error, "", 0);
      const addresses = found as unknown as LookupAddress[];
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      for (const { address } of addresses) {
        const refusal = webhookAddressRefusal(rules, hostname, address, port);
        if (refusal) return callback(new RefusedAddressError(refusal), "", 0);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Posts a signed body to the URL once; a 2xx answer is a delivery. */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { rules: UpstreamRules; timeoutMs: number; lookup: LookupFunction },
): Promise<DeliveryResult> {
  const url = new URL(target);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const literal = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  // An address in the URL is never looked up: it is judged here.
  const refusal = isIP(literal) ? webhookAddressRefusal(options.rules, literal, literal, port) : undefined;
  if (refusal) return Promise.resolve({ ok: false, error: `Not delivered: ${refusal}` });
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: DeliveryResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "Portico-Webhooks" },
        lookup: guardedLookup(options.rules, port, options.lookup),
        agent: false,
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        // The body is not kept: only the status tells the outcome.
        response.resume();
        response.on("end", () => done(statusCode >= 200 && statusCode < 300 ? { ok: true, statusCode } : { ok: false, statusCode, error: `The endpoint answered ${statusCode}.` }));
        response.on("error", () => done({ ok: false, statusCode, error: "The endpoint's answer broke off." }));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      done({ ok: false, error: `No answer within ${options.timeoutMs / 1000} s.` });
    }, options.timeoutMs);
    request.on("error", (error) => {
      if (error instanceof RefusedAddressError) done({ ok: false, error: `Not delivered: ${error.message}` });
      else done({ ok: false, error: `Could not reach the endpoint (${(error as NodeJS.ErrnoException).code ?? error.message}).` });
    });
    request.end(body);
  });
}

/** Sends one outbox message to its endpoint, signed with the endpoint's current secret. */
export async function sendWebhookMessage(db: Queryable, message: OutboxMessage, options: WebhookSenderOptions = {}): Promise<DeliveryResult> {
  if (!message.webhookEndpointId) return { ok: false, error: "The message names no endpoint." };
  const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, message.webhookEndpointId));
  if (!endpoint) return { ok: false, error: "The endpoint was deleted." };
  if (!endpoint.enabled) return { ok: false, error: "The endpoint is disabled; the event waits until it is enabled again or gives up." };
  const body = JSON.stringify(message.payload);
  const timestamp = (options.clock ?? (() => new Date()))();
  const signature = new Webhook(openWebhookSecret(endpoint)).sign(message.eventId, timestamp, body);
  const headers = {
    "webhook-id": message.eventId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": signature,
  };
  return postWebhook(endpoint.url, headers, body, {
    rules: (options.rules ?? webhookRules)(),
    timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    lookup: options.lookup ?? (dnsLookup as unknown as LookupFunction),
  });
}

/** Installs the webhook sender in the outbox worker (scripts/start.ts calls it at start-up). */
export function registerWebhookSender(options: WebhookSenderOptions = {}): void {
  registerSender("webhook", { send: (db, message) => sendWebhookMessage(db, message, options), retryForMs: WEBHOOK_RETRY_FOR_MS });
}
