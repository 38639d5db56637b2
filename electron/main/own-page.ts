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

/**
 * The one permission the app's own page gets: notifications (a backup or restore that ended, see
 * the renderer's notifications). Every other permission, and any permission for another page, is denied.
 */
export function permissionAllowed(permission: string, requestingUrl: string | undefined, indexUrl: URL): boolean {
  return permission === 'notifications' && !!requestingUrl && isOwnPage(requestingUrl, indexUrl);
}
