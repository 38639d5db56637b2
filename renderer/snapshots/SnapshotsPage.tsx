/** Placeholder while the page is built (issue 4). */
export function SnapshotsPage({ repositoryId }: { repositoryId?: string | undefined }) {
  return (
    <div className="page">
      <h1 data-props={JSON.stringify({ repositoryId })}>Snapshots</h1>
    </div>
  );
}
