import { useEffect, type ReactNode } from 'react';

interface PageProps {
  title: string;
  lead?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  wide?: boolean;
}

/** A page: its title (focused by the shell on navigation, and the document title) and content. */
export function Page({ title, lead, actions, children, wide = false }: PageProps) {
  useEffect(() => {
    document.title = `${title} — Carebase`;
  }, [title]);
  return (
    <section className={wide ? 'page page-wide' : 'page'} aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="button-row">{actions}</div>}
      </div>
      {lead && <p className="lead">{lead}</p>}
      {children}
    </section>
  );
}
