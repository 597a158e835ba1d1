import { Schema } from 'mongoose';
import type { DeliveryStatus } from '@app/verification';

export const MAIL_DELIVERY_COLLECTION = 'mail_deliveries';

/**
 * What is known of one verification mail's delivery. `_id` is `["tenant","sendId"]`
 * (tenantRecordId): one record per send, which every attempt at it claims and answers in turn.
 */
export interface MailDeliveryDocument {
  _id: string;
  tenantId: string;
  sendId: string;
  status: DeliveryStatus;
  sender: string;
  claimedAt: Date;
  linkIssuedAt: Date;
  answeredAt?: Date;
  reason?: string;
  /** When the record may go: the retention of the link it carried. */
  expiresAt: Date;
}

export const mailDeliverySchema = new Schema<MailDeliveryDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    sendId: { type: String, required: true },
    status: { type: String, required: true },
    sender: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    linkIssuedAt: { type: Date, required: true },
    answeredAt: { type: Date },
    reason: { type: String },
    expiresAt: { type: Date, required: true },
  },
  { collection: MAIL_DELIVERY_COLLECTION, versionKey: false, strict: 'throw' },
);
