import type { EventType } from './event-types';

/**
 * Lanes of the mail hand-off. A small request's mails take the interactive lane: a topic of
 * their own beside the bulk one, so that an administrator's single send never queues behind
 * another customer's 100,000 mails, and the first turn at the SMTP connections.
 */
export const MAIL_LANES = ['interactive'] as const;

export type MailLane = (typeof MAIL_LANES)[number];

/**
 * The lane bulk verification requests are set aside to: the request topic is upstream's, keyed
 * by tenant, and a single send behind another tenant's 100 parts on one partition would wait
 * for all of their decisions. The decision step decides small requests where they arrive and
 * passes the others on to this lane, read by a consumer group of its own.
 */
export const BULK_LANE = 'bulk';

/** A lane a consumer group may read instead of its event types' own topics. */
export type Lane = MailLane | typeof BULK_LANE;

/** The topic a lane's events travel on: beside the event type's own, like its retries. */
export function laneTopicOf(topic: string, lane: Lane): string {
  return `${topic}.${lane}`;
}

/** The lanes' topics beside a deployment's own topics (its topic per event type). */
export function laneTopicsOf(topics: Readonly<Record<EventType, string>>): string[] {
  return [
    ...MAIL_LANES.map((lane) => laneTopicOf(topics.VerificationMailRequested, lane)),
    laneTopicOf(topics.VerificationRequested, BULK_LANE),
  ];
}
