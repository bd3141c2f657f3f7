import type { MouseEvent, ReactNode } from 'react';
import { navigate } from './location.ts';

interface AppLinkProps {
  to: string;
  children: ReactNode;
  className?: string;
  current?: boolean;
}

/** A real link (open in new tab, copy address) that navigates in place on a plain click. */
export function AppLink({ to, children, className, current = false }: AppLinkProps) {
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  }
  return (
    <a href={to} className={className} aria-current={current ? 'page' : undefined} onClick={onClick}>
      {children}
    </a>
  );
}
