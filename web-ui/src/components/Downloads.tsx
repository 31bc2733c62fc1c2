/** The Download data tab: links the server lists (the CSVs, and the reports when available). */
import type { DownloadLink } from "../types.js";

export function Downloads({ links }: { links: DownloadLink[] }) {
  return (
    <ul className="downloads">
      {links.map((link) => (
        <li key={link.href}>
          <a href={link.href} download>
            {link.label}
          </a>
          <span className="hint"> {link.description}</span>
        </li>
      ))}
    </ul>
  );
}
