import { useRouteStore } from '../app/useRouteStore';

/** A link to the Repositories screen, from wherever a repository is picked (backup dialog, restore wizard). */
export function ManageRepositoriesLink({ children = 'Add or initialise a repository', onNavigate }: { children?: string; onNavigate?: () => void }) {
  const navigate = useRouteStore((s) => s.navigate);
  return (
    <a
      href="#/repositories"
      className="inline-link"
      onClick={(e) => {
        e.preventDefault();
        onNavigate?.();
        navigate({ page: 'repositories' });
      }}
    >
      {children}
    </a>
  );
}
