/** Placeholder while the page is built (issue 4). */
export function RestoreWizard({ repositoryId, snapshotId, asOf }: { repositoryId?: string | undefined; snapshotId?: string | undefined; asOf?: string | undefined }) {
  return (
    <div className="page">
      <h1 data-props={JSON.stringify({ repositoryId, snapshotId, asOf })}>Restore</h1>
    </div>
  );
}
