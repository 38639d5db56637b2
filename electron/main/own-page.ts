/** Is `candidate` our renderer's index.html (query and fragment aside)? Kept free of 'electron' so it is unit-testable. */
export function isOwnPage(candidate: string, indexUrl: URL): boolean {
  try {
    const url = new URL(candidate);
    return (
      url.protocol === 'file:' &&
      url.host === indexUrl.host &&
      decodeURIComponent(url.pathname) === decodeURIComponent(indexUrl.pathname)
    );
  } catch {
    return false;
  }
}
