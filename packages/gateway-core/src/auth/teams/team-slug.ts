/**
 * The slug a team name suggests: lower-case ASCII letters and digits joined by single hyphens
 * ("Data Science (EU)" -> "data-science-eu"); "team" when nothing is left.
 */
export function slugFromName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 200)
    .replace(/-+$/, "");
  return slug || "team";
}
