// The stylesheet of the shared frame (site-layout.ts), served with each site's own rules after
// it: /assets/page.css and /assets/console.css. The Content-Security-Policy allows styles from
// the site's own origin only, so there is no inline style to allow. Colours: #1f2937 on white,
// white on #12355b and on #0b5cad all exceed WCAG AA contrast (4.5:1); focus is always visible.
export const SITE_STYLESHEET = `*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2937;font:16px/1.5 Arial,Helvetica,sans-serif}
a{color:#0b5cad}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;background:#12355b;color:#fff;padding:16px 24px}
.top a{color:#fff}
.brand{font-weight:bold;text-decoration:none;margin-right:auto}
main{max-width:640px;margin:24px auto;padding:24px;background:#fff;border:1px solid #d1d5db;border-radius:6px}
@media (max-width:680px){main{margin:0;border:0;border-radius:0}}
h1{margin:0 0 16px;font-size:1.5rem;line-height:1.3;color:#12355b}
h2{margin:24px 0 8px;font-size:1.15rem;color:#12355b}
p{margin:0 0 16px}
.button{display:inline-block;min-height:44px;padding:12px 24px;border:2px solid #0b5cad;border-radius:4px;background:#0b5cad;color:#fff;font:bold 1rem Arial,Helvetica,sans-serif;text-decoration:none;cursor:pointer}
.button:hover{background:#084a8c}
.button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
`;
