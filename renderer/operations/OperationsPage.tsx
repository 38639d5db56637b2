/** Placeholder while the page is built (issue 4). */
export function OperationsPage() {
  return (
    <div className="page">
      <h1>Operations</h1>
    </div>
  );
}
