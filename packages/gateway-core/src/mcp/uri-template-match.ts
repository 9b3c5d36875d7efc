/**
 * Whether `uri` could have been produced by the RFC 6570 `template`: literal parts must match;
 * `{var}` matches one path segment, `{+var}` / `{#var}` anything, other operators any text.
 */
export function matchesUriTemplate(template: string, uri: string): boolean {
  let pattern = "^";
  let last = 0;
  for (const match of template.matchAll(/\{([+#./;?&]?)[^}]*\}/g)) {
    pattern += escapeRegExp(template.slice(last, match.index));
    const operator = match[1];
    pattern += operator === "" ? "[^/?#]+" : operator === "+" || operator === "#" ? ".+" : ".*";
    last = match.index + match[0].length;
  }
  pattern += `${escapeRegExp(template.slice(last))}$`;
  return new RegExp(pattern).test(uri);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
