/**
 * Removes credentials embedded in URLs (`https://gitlab-ci-token:<token>@gitlab.com/...`).
 * CI systems put them in clone URLs, and tools such as MLflow record those URLs verbatim;
 * the graph must never hand them on.
 */
export function stripUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]+@/gi, '$1');
}
