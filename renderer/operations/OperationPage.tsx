/** Placeholder while the page is built (issue 4). */
export function OperationPage({ id }: { id: string }) {
  return (
    <div className="page">
      <h1 data-props={JSON.stringify({ id })}>Operation</h1>
    </div>
  );
}
