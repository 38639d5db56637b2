import { useState } from 'react';
import { Button, Dialog } from '../../components';

/** Turning the safety copy off is allowed, but never by accident: a reason is required and kept in the summary. */
export function SafetyCopyDialog({ onCancel, onConfirm }: { onCancel: () => void; onConfirm: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const ok = reason.trim().length >= 3;
  return (
    <Dialog
      title="Restore without a safety copy?"
      description="Without it, nothing can be put back if the restore fails or is cancelled half-way: the target stays half-written."
      onClose={onCancel}
      size="sm"
      footer={
        <>
          <Button onClick={onCancel}>Keep the safety copy</Button>
          <Button variant="danger" disabled={!ok} onClick={() => onConfirm(reason.trim())}>
            Turn it off
          </Button>
        </>
      }
    >
      <div className="field">
        <label className="field-label" htmlFor="safety-reason">
          Why? (required — noted in the summary)
        </label>
        <textarea
          id="safety-reason"
          className="input textarea"
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="e.g. the target is a scratch volume; not enough space for a copy"
          autoFocus
        />
      </div>
    </Dialog>
  );
}
