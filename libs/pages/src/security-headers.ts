import helmet from 'helmet';

/**
 * Headers of every response of our HTML sites (the verification page and the console): no
 * scripts at all, styles, images and form posts only to this origin, no framing, and no
 * Referer, so neither a link's token nor a console address ever leaves for another site.
 * `https`: true when the site's public address is https (browsers are then told to stay on it
 * and to upgrade any plain request); false when it is plain http; undefined when a proxy
 * decides per request (the console), where HSTS is sent (browsers ignore it over http) but
 * nothing is upgraded.
 */
export function htmlSecurityHeaders(https?: boolean): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https !== false,
  });
}
