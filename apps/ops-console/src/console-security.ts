import type { NextFunction, Request, Response } from 'express';

/** The pages show live figures and personal data: never kept by a browser or a proxy. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}
