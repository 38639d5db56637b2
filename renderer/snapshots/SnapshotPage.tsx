/** Placeholder while the page is built (issue 4). */
export function SnapshotPage({ repositoryId, snapshotId }: { repositoryId: string; snapshotId: string }) {
  return (
    <div className="page">
      <h1 data-props={JSON.stringify({ repositoryId, snapshotId })}>Snapshot</h1>
    </div>
  );
}
