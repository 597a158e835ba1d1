import { SITE_STYLESHEET } from '@app/pages';

// Served as /assets/console.css: the shared frame's rules (@app/pages), then the console's own,
// which make it denser and wider. The Content-Security-Policy allows styles from the console's
// own origin only. Its badge colours on their tints exceed WCAG AA contrast (4.5:1) as the
// shared palette does.
export const CONSOLE_STYLESHEET = `${SITE_STYLESHEET}body{font:15px/1.45 Arial,Helvetica,sans-serif}
code{font:0.92em/1.3 "DejaVu Sans Mono",Menlo,Consolas,monospace;overflow-wrap:anywhere}
.en{color:#4b5563;font-weight:normal}
.top{padding:12px 24px}
.brand .product{font-weight:normal;margin-left:8px;padding-left:10px;border-left:1px solid #5f7ea3}
.top .en{color:#c7d4e5}
.top nav{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px}
.top nav a{text-decoration:none}
.top nav a:hover{text-decoration:underline}
.logout{margin:0}
.logout button{background:transparent;color:#fff;border:1px solid #8aa4c4;border-radius:4px;padding:5px 12px;font:inherit;cursor:pointer}
.logout button:hover{background:#1d4a7a}
main{max-width:1240px;margin:20px auto;padding:20px 28px 28px;background:#fff;border:1px solid #d1d5db;border-radius:6px}
@media (max-width:700px){main{margin:0;border:0;border-radius:0;padding:16px}}
h1{margin:0 0 12px;font-size:1.5rem;line-height:1.3;color:#12355b}
h1 .en{font-size:1.05rem}
h2{margin:28px 0 10px;font-size:1.1rem;color:#12355b}
h2 .en{font-size:.95rem;margin-left:4px}
section+section{margin-top:12px;border-top:1px solid #e5e7eb}
p{margin:0 0 12px}
.heading{display:flex;flex-wrap:wrap;align-items:baseline;gap:8px 16px}
.heading h1{margin-right:auto}
.crumbs{margin-bottom:8px;font-size:.93rem}
.meta{color:#374151}
.hint{font-size:.93rem;color:#374151;background:#f9fafb;border-left:4px solid #9ca3af;padding:8px 12px}
.notice{background:#fff7ed;border-left:4px solid #c2410c;padding:10px 14px}
.failure{background:#fef2f2;border-left:4px solid #b91c1c;padding:4px 14px 2px;margin-top:16px}
.failure h2{margin-top:10px;color:#991b1b}
.empty{color:#4b5563;font-style:italic}
.uri code{background:#f3f4f6;padding:2px 6px;border-radius:3px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:0 0 8px;font-size:.95rem}
table.narrow,table.reasons{width:auto;min-width:360px}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid #e5e7eb}
th{font-size:.85rem;color:#1f2937;background:#f9fafb;border-bottom:2px solid #d1d5db;white-space:nowrap}
th .en{display:block;font-size:.8rem}
td .en{display:block;font-size:.85rem}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.when{white-space:nowrap;font-variant-numeric:tabular-nums}
td a code{white-space:nowrap}
.id{display:inline-block;max-width:15ch;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom}
td.message{max-width:420px;overflow-wrap:anywhere}
tr.zero td{color:#6b7280}
tr.zero .en{color:#6b7280}
tbody tr:hover{background:#f9fafb}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:.85rem;font-weight:bold;white-space:nowrap;border-width:1px;border-style:solid}
.badge .en{display:inline;font-size:inherit;font-weight:normal;color:inherit}
.tone-running{background:#eff6ff;color:#1e40af;border-color:#bfdbfe}
.tone-done{background:#ecfdf5;color:#065f46;border-color:#a7f3d0}
.tone-failed{background:#fef2f2;color:#991b1b;border-color:#fecaca}
.tone-neutral{background:#f3f4f6;color:#374151;border-color:#d1d5db}
.tiles{display:flex;flex-wrap:wrap;gap:12px;list-style:none;padding:0;margin:4px 0 8px}
.tile{flex:1 1 200px;display:flex;align-items:center;gap:14px;padding:12px 16px;border-width:1px;border-style:solid;border-radius:6px}
.tile-value{font-size:1.9rem;font-weight:bold;font-variant-numeric:tabular-nums;min-width:1.5em;text-align:center}
.tile-label .en{display:block;font-size:.88rem;color:inherit;opacity:.85}
.progress{display:flex;align-items:center;gap:10px;margin:0 0 4px;min-width:220px}
progress{width:140px;height:12px;flex:none;accent-color:#0b5cad}
.heading+.meta+.progress progress{width:320px;height:16px}
.progress-text{font-size:.88rem;color:#374151;white-space:nowrap;font-variant-numeric:tabular-nums}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin:16px 0 4px}
.figures div{border:1px solid #e5e7eb;border-radius:6px;padding:10px 14px;background:#f9fafb}
.figures dt{font-size:.88rem;color:#374151}
.figures dt .en{display:block;font-size:.8rem}
.figures dd{margin:6px 0 0;font-size:1.35rem;font-weight:bold;font-variant-numeric:tabular-nums}
.figures.times dd{font-size:1rem;font-weight:normal}
.toggle{font-size:.93rem}
.lookup,.login{display:flex;flex-wrap:wrap;align-items:flex-end;gap:12px;margin:0 0 16px}
.lookup label,.login label{display:flex;flex-direction:column;gap:4px;font-size:.9rem;font-weight:bold}
.lookup label .en,.login label .en{font-size:.82rem}
.login{flex-direction:column;align-items:stretch;max-width:420px}
input{font:inherit;padding:8px 10px;border:1px solid #6b7280;border-radius:4px;min-width:220px}
.button{min-height:40px;padding:8px 20px;border:2px solid #0b5cad;border-radius:4px;background:#0b5cad;color:#fff;font:bold 1rem Arial,Helvetica,sans-serif;cursor:pointer}
.button .en{color:#dbe7f5}
main.narrow{max-width:600px}
.command{display:block;margin-top:6px}
.en-block{color:#374151}
footer{max-width:1240px;margin:0 auto 24px;padding:0 28px;font-size:.85rem;color:#4b5563}
footer .en{color:#6b7280}
main.narrow+footer{max-width:600px}
`;
