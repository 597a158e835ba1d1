/** How long links and their uses outlive the link's expiry, so the page can still say so. */
export interface LinkRetention {
  /** Days after a link's expiry until it and its use are deleted. */
  retentionDays: number;
}

export const DEFAULT_LINK_RETENTION: LinkRetention = { retentionDays: 30 };
