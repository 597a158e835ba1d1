// Served as /assets/page.css: the Content-Security-Policy allows styles from the page's own
// origin only, so there is no inline style to allow. Colours: #1f2937 on white and white on
// #0b5cad both exceed WCAG AA contrast (4.5:1); focus is always visible.
export const PAGE_STYLESHEET = `*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#1f2937;font:16px/1.5 Arial,Helvetica,sans-serif}
.brand{background:#12355b;color:#fff;font-weight:bold;padding:16px 24px}
main{max-width:640px;margin:24px auto;padding:24px;background:#fff;border:1px solid #d1d5db;border-radius:6px}
@media (max-width:680px){main{margin:0;border:0;border-radius:0}}
h1{margin:0 0 16px;font-size:1.5rem;line-height:1.3;color:#12355b}
h2{margin:24px 0 8px;font-size:1.15rem;color:#12355b}
p,ol,form{margin:0 0 16px}
li{margin-bottom:8px}
.button{display:inline-block;min-height:44px;padding:12px 24px;border:2px solid #0b5cad;border-radius:4px;background:#0b5cad;color:#fff;font:bold 1rem Arial,Helvetica,sans-serif;text-decoration:none;cursor:pointer}
.button:hover{background:#084a8c}
.button:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
a{color:#0b5cad}
.english{margin-top:24px;padding-top:16px;border-top:1px solid #e5e7eb;font-size:.95rem;color:#374151}
`;
