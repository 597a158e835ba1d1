// The rule lives in the contract so that the contract's address fields, imports and
// VerificationRequested all apply the same one; the domain code imports it from here.
export { normalizeEmail, sameAddress, MAX_EMAIL_LENGTH } from '@app/contracts';
