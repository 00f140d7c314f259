import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";

/** What changed, so that the gateway registry can refresh just that. */
export type Change =
  | { kind: "contract"; id: string }
  | { kind: "clientVersion"; id: string }
  | { kind: "apiVersion"; id: string }
  | { kind: "planVersion"; id: string };

type RemotePublisher = (changes: Change[]) => Promise<void>;

interface ChangeBus {
  emitter: EventEmitter;
  remote?: RemotePublisher;
  /** Identifies this process's changes when another transport brings them back. */
  origin?: string;
}

// Shared through globalThis: the portal bundle and the server entry load this module separately.
const bus: ChangeBus = ((globalThis as Record<string, unknown>).__porticoChanges ??= {
  emitter: new EventEmitter().setMaxListeners(0),
}) as ChangeBus;
bus.origin ??= randomUUID();

/** Called by domain rules after their transaction commits. */
export async function publishChanges(...changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  bus.emitter.emit("changes", changes);
  if (bus.remote) await bus.remote(changes);
}

export function onChanges(listener: (changes: Change[]) => void): () => void {
  bus.emitter.on("changes", listener);
  return () => bus.emitter.off("changes", listener);
}

/** Lets another transport (PostgreSQL NOTIFY) carry changes to other processes. */
export function setRemotePublisher(publisher: RemotePublisher | undefined): void {
  bus.remote = publisher;
}

/** The remote publisher in use, so that whoever installed it can remove just its own. */
export function getRemotePublisher(): RemotePublisher | undefined {
  return bus.remote;
}

/** This process's id on remote transports: its own changes, already delivered in-process, can be skipped. */
export function changeOrigin(): string {
  return bus.origin!;
}
