import { SITE_STYLESHEET } from './site-stylesheet';

// Served as /assets/page.css: the shared frame's rules, then the verification pages' own.
export const PAGE_STYLESHEET = `${SITE_STYLESHEET}ol,form{margin:0 0 16px}
li{margin-bottom:8px}
.english{margin-top:24px;padding-top:16px;border-top:1px solid #e5e7eb;font-size:.95rem;color:#374151}
`;
