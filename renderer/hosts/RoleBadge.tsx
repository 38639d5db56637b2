import { Lock } from 'lucide-react';
import type { HostRole } from '../../shared/contract/index.js';
import { Badge } from '../components';
import { ROLE_TONE } from './roles';

export function RoleBadge({ role }: { role: HostRole }) {
  return (
    <Badge tone={ROLE_TONE[role]} className="role-badge">
      {role}
    </Badge>
  );
}

export function ProtectedIcon({ size = 13 }: { size?: number }) {
  return (
    <span className="protected-icon" role="img" aria-label="Protected" title="Protected: confirm before stopping or overwriting anything">
      <Lock size={size} aria-hidden />
    </span>
  );
}
