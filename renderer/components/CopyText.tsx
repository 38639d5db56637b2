import { useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { cx } from './cx';

/**
 * A value people copy into a terminal (checksums, object keys): shown shortened in monospace,
 * whole in the tooltip, copied whole by the button.
 */
export function CopyText({ value, label, shorten = 0, className }: { value: string; label: string; shorten?: number; className?: string }) {
  const [copied, setCopied] = useState(false);
  const shown = shorten && value.length > shorten ? `${value.slice(0, shorten)}…` : value;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (insecure context): select the text so ctrl+c works.
      setCopied(false);
    }
  };
  return (
    <span className={cx('copy-text', className)}>
      <code className="copy-text-value" title={value}>
        {shown}
      </code>
      <button type="button" className="copy-text-button" aria-label={`Copy ${label}`} title={copied ? 'Copied' : `Copy ${label}`} onClick={() => void copy()}>
        {copied ? <Check size={12} /> : <Copy size={12} />}
      </button>
    </span>
  );
}
