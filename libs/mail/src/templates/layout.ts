// Templates live in TypeScript, not .hbs files: webpack bundles the apps and would not copy
// loose template files into dist, so a deployed worker would fail to find them.

/**
 * HTML frame of every mail. Mail clients strip <style> and ignore most CSS, hence tables,
 * inline styles and a fixed max width. Called as
 * `{{#> layout lang="sv" title=... preheader=...}}body{{/layout}}`; the body defines an inline
 * partial "footer" saying why the recipient got this mail.
 * Colours: #1f2937 text and #0b5cad buttons on white both exceed WCAG AA contrast (4.5:1).
 */
export const HTML_LAYOUT = `<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{title}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">{{preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr>
<td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border:1px solid #d1d5db;border-radius:6px;">
<tr>
<td style="padding:16px 24px;background-color:#12355b;border-radius:6px 6px 0 0;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;">Flex HRM · Visma Connect</td>
</tr>
<tr>
<td style="padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;">
{{> @partial-block}}
</td>
</tr>
<tr>
<td style="padding:16px 24px;border-top:1px solid #d1d5db;font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:1.5;color:#4b5563;">
{{> footer}}
</td>
</tr>
</table>
</td>
</tr>
</table>
</body>
</html>
`;

/** Plain-text frame, compiled without HTML escaping. The body defines the "footer" partial. */
export const TEXT_LAYOUT = `Flex HRM · Visma Connect
========================

{{> @partial-block}}

--
{{> footer}}
`;
