import { type Connection, type Model, Schema } from 'mongoose';
import { VERIFICATION_METHODS } from '@app/contracts';
import { LINK_OUTCOMES, type EmailVerifiedLog, type EmailVerifiedRecord } from '@app/verification';
import { ignoreNamespaceExists, isDuplicateKey } from '../mongo-errors';

export const EMAIL_VERIFIED_COLLECTION = 'email_verified_events';

/** One handled EmailVerified; `_id` is the event id. No address: the user's state has it. */
interface EmailVerifiedDocument extends Omit<EmailVerifiedRecord, 'eventId'> {
  _id: string;
}

const emailVerifiedSchema = new Schema<EmailVerifiedDocument>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    method: { type: String, required: true, enum: VERIFICATION_METHODS },
    outcome: { type: String, required: true, enum: LINK_OUTCOMES },
    verifiedAt: { type: Date, required: true },
    handledAt: { type: Date, required: true },
  },
  { collection: EMAIL_VERIFIED_COLLECTION, versionKey: false, strict: 'throw' },
);
// Serves an operator's "what happened to this user's verifications".
emailVerifiedSchema.index({ tenantId: 1, userId: 1 });

/** What the linker did with each EmailVerified, stale ones included. Insert only. */
export class EmailVerifiedLogRepository implements EmailVerifiedLog {
  private readonly model: Model<EmailVerifiedDocument>;

  constructor(connection: Connection) {
    this.model = connection.model<EmailVerifiedDocument>(
      EMAIL_VERIFIED_COLLECTION,
      emailVerifiedSchema,
    );
  }

  async init(): Promise<void> {
    await this.model.createCollection().catch(ignoreNamespaceExists);
    await this.model.syncIndexes();
  }

  async record(entry: EmailVerifiedRecord): Promise<void> {
    const { eventId, ...rest } = entry;
    try {
      await this.model.create({ _id: eventId, ...rest });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async findByUser(tenantId: string, userId: string): Promise<EmailVerifiedRecord[]> {
    const docs = await this.model.find({ tenantId, userId }).lean<EmailVerifiedDocument[]>().exec();
    return docs.map(({ _id, ...rest }) => ({ eventId: _id, ...rest }));
  }
}
