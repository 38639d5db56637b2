import { useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { IconButton } from './Button';

/** Shell commands in a monospace block with a copy button (copies them all, one per line). */
export function CommandBlock({ commands, label }: { commands: ReadonlyArray<string>; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(commands.join('\n'));
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false); // no clipboard permission (web mode over http): the text stays selectable
    }
  };
  return (
    <div className="command-block">
      <pre aria-label={label}>{commands.map((c) => `$ ${c}`).join('\n')}</pre>
      <IconButton label={copied ? 'Copied' : `Copy ${label}`} icon={copied ? <Check size={14} /> : <Copy size={14} />} size="sm" onClick={() => void copy()} className="command-copy" />
    </div>
  );
}
